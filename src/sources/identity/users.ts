/**
 * Identity users: the Redrock User listing and, for what it does not say, UserMgmt/GetUserAttributes: whether a user
 * is a service user (not in the Everybody role; OAuth confidential clients are service users).
 *
 * The User table's ServiceUser, SecurityQuestionSet and SecurityQuestionCount columns are selected by Centrify's
 * PowerShell SDK (centrify/powershell-sdk, Util/Redrock/GetUser.sql); CyberArk's current SDKs read the service-user
 * flag from GetUserAttributes instead (idsec-sdk-golang: service user ⇔ InEverybodyRole false). So both are read: a
 * tenant whose User table refuses those columns is listed without them, and then every user's attributes are read.
 */
import { type HttpClient, identityEnvelope, SourceError, type TaskGroup, unwrapIdentity } from '../../http/index.js';
import type { ProgressListener } from '../source.js';
import { SOURCE } from './client.js';
import { redrockAll } from './paging.js';
import { type IdentityRaw, type UserAttributes, type UserRow, userAttributes, userRow } from './schemas.js';

const COLUMNS =
  'ID, Username, DisplayName, Email, LastLogin, StatusEnum, RiskLevel, SourceDs, SourceDsType, DirectoryServiceUuid, Forest, MobileNumber';
/** The User columns read; ServiceUser decides who is in the Everybody role (issue 14). */
export const USER_QUERY = `Select ${COLUMNS}, ServiceUser, SecurityQuestionSet, SecurityQuestionCount from User ORDER BY ID`;
/** The same without the columns some tenants may not have (then GetUserAttributes says who is a service user). */
export const USER_QUERY_BASIC = `Select ${COLUMNS} from User ORDER BY ID`;

/** UserMgmt/GetUserAttributes for one user (idsec-sdk-golang): whether it is a service user or an OAuth client. */
export async function attributesOf(
  client: HttpClient,
  user: { ID: string; DirectoryServiceUuid?: string | null | undefined },
  signal: AbortSignal,
): Promise<UserAttributes | undefined> {
  const env = await client.request({
    method: 'POST',
    path: '/UserMgmt/GetUserAttributes',
    json: { ID: user.ID, ...(user.DirectoryServiceUuid ? { DirectoryServiceUuid: user.DirectoryServiceUuid } : {}) },
    schema: identityEnvelope(userAttributes),
    signal,
  });
  try {
    return unwrapIdentity(env, SOURCE, 'POST /UserMgmt/GetUserAttributes');
  } catch (error) {
    // A user Identity no longer knows (success: false) is no reason to fail the sync: the transform warns that its
    // service-user status is unknown.
    if (error instanceof SourceError && error.kind === 'api') return undefined;
    throw error;
  }
}

/**
 * Lists the User table page by page; as each page arrives, the attributes of its users without a ServiceUser value
 * are requested (in `group`, so the first failure cancels the extraction; a user Identity no longer knows —
 * success: false — is left to the transform's "status unknown" warning). A query whose first page is refused with a
 * logical error (success: false, e.g. an unknown column) is run again without the optional columns; a refusal after
 * pages have come is an error of its own, not a reason to change the query.
 */
export async function listUsers(
  client: HttpClient,
  group: TaskGroup,
  attributes: IdentityRaw['userAttributes'],
  pageSize: number,
  progress: ProgressListener,
): Promise<UserRow[]> {
  const { signal } = group;
  const readAttributes = (user: UserRow) => {
    const key = user.ID.toLowerCase();
    if (key in attributes) return;
    attributes[key] = {}; // claimed; filled when the answer arrives
    group.spawn(async () => {
      const read = await attributesOf(client, user, signal);
      if (read) attributes[key] = read;
      else delete attributes[key];
    });
  };
  let pages = 0;
  const run = (script: string) =>
    redrockAll(client, 'User', script, userRow, pageSize, signal, (rows, done, reported) => {
      pages++;
      // A row that does not say whether the user is a service user: the user's attributes say it.
      for (const u of rows) if (typeof u.ServiceUser !== 'boolean') readAttributes(u);
      progress({
        type: 'progress',
        source: SOURCE,
        phase: 'users',
        done,
        ...(reported !== undefined ? { total: reported } : {}),
      });
    });
  try {
    return await run(USER_QUERY);
  } catch (error) {
    if (!(error instanceof SourceError && error.kind === 'api') || signal.aborted || pages > 0) throw error;
    return run(USER_QUERY_BASIC);
  }
}

/**
 * Role members the User table did not list (it may omit users who never signed in) are users all the same: their
 * attributes say whether they are service users, so the Everybody role is not guessed for them.
 */
export async function readMissingMembers(
  client: HttpClient,
  group: TaskGroup,
  users: readonly { ID: string }[],
  roleMembers: IdentityRaw['roleMembers'],
  attributes: IdentityRaw['userAttributes'],
): Promise<void> {
  const listed = new Set(users.map((u) => u.ID.toLowerCase()));
  const missing = new Set<string>();
  for (const members of Object.values(roleMembers)) {
    for (const m of members) {
      const key = m.Guid.toLowerCase();
      if (m.Type.toLowerCase() === 'user' && !listed.has(key) && !(key in attributes)) missing.add(m.Guid);
    }
  }
  for (const id of missing) {
    group.spawn(async () => {
      const read = await attributesOf(client, { ID: id }, group.signal);
      if (read) attributes[id.toLowerCase()] = read;
    });
  }
  await group.wait();
}
