/**
 * CyberArk Identity: client and extract stages. The endpoint sequence (docs/extractors.md):
 * token → Core/GetDirectoryServices → Redrock User (paged) → UserMgmt/DirectoryServiceQuery (users, groups, roles)
 * → Redrock Role → per role Roles/GetRoleMembers + Core/GetAssignedAdministrativeRights → Redrock Application
 * → per application Acl/GetRowAces.
 */
import { z } from 'zod';
import {
  type AuthProvider,
  HttpClient,
  type HttpClientOptions,
  identityEnvelope,
  identityPlatformToken,
  type RedrockResult,
  redrockResult,
  SourceError,
  unwrapIdentity,
} from '../../http/index.js';
import type { ProgressListener } from '../types.js';
import {
  aceRow,
  adminRightRow,
  applicationRow,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
  type IdentityRaw,
  roleMemberRow,
  roleRow,
  userRow,
} from './schemas.js';

export const SOURCE = 'identity';

export interface IdentitySourceConfig {
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  oauthAppId?: string;
  oauthScope?: string;
}

export interface ExtractOptions {
  /** Rows per Redrock page (1–10000). */
  pageSize?: number;
  progress?: ProgressListener;
  http?: Partial<HttpClientOptions>;
}

/** The platform token provider; Privilege Cloud on ISPSS uses the same token. */
export function identityAuth(config: IdentitySourceConfig): AuthProvider {
  return identityPlatformToken({
    identityUrl: config.identityUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    source: SOURCE,
    ...(config.oauthAppId ? { oauthAppId: config.oauthAppId } : {}),
    ...(config.oauthScope ? { scope: config.oauthScope } : {}),
  });
}

export function createIdentityClient(
  config: IdentitySourceConfig,
  auth: AuthProvider,
  http: Partial<HttpClientOptions> = {},
): HttpClient {
  return new HttpClient({
    ...http,
    source: SOURCE,
    baseUrl: config.identityUrl,
    auth,
    // Always sent: Identity answers 401 without it (reference §1.4).
    headers: { 'X-IDAP-NATIVE-CLIENT': 'true', ...(http.headers ?? {}) },
  });
}

const REDROCK = 'POST /Redrock/query';
const MAX_PAGES = 100_000;

/**
 * Runs a Redrock script page by page. Pages are requested by number; when the server serves fewer rows than asked
 * while FullCount says more remain (a server-side cap), the page size is lowered to what the server serves so page
 * numbers stay aligned. The row count must end equal to FullCount when the server reports it.
 */
async function redrockAll<R>(
  client: HttpClient,
  table: string,
  script: string,
  row: z.ZodType<R>,
  pageSize: number,
  onPage?: (rows: number, total?: number) => void,
): Promise<R[]> {
  const schema = identityEnvelope(redrockResult(row));
  const rows: R[] = [];
  let size = pageSize;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const env = await client.request({
      method: 'POST',
      path: '/Redrock/query',
      endpoint: REDROCK,
      json: { Script: script, Args: { PageNumber: page, PageSize: size, Limit: 1_000_000, Caching: -1 } },
      schema,
    });
    const result: RedrockResult<R> = unwrapIdentity(env, SOURCE, `${REDROCK} (${table})`);
    const got = result.Results.length;
    rows.push(...result.Results.map((r) => r.Row));
    const total = typeof result.FullCount === 'number' ? result.FullCount : undefined;
    onPage?.(rows.length, total);
    if (got === 0) break;
    if (total !== undefined) {
      if (rows.length >= total) break;
      if (got < size) {
        if (rows.length % got !== 0) {
          throw new SourceError({
            source: SOURCE,
            endpoint: `${REDROCK} (${table})`,
            kind: 'validation',
            detail: `page ${page} returned ${got} rows of ${size} requested while FullCount is ${total}; cannot page reliably`,
          });
        }
        size = got;
        page = rows.length / size;
      }
    } else if (got < size) break;
  }
  return rows;
}

function dedupe<R>(rows: R[], key: (r: R) => string): R[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = key(r).toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function checkCount(table: string, rows: unknown[], expected: number | undefined) {
  if (expected !== undefined && rows.length < expected) {
    throw new SourceError({
      source: SOURCE,
      endpoint: `${REDROCK} (${table})`,
      kind: 'validation',
      detail: `received ${rows.length} rows but FullCount is ${expected}`,
    });
  }
}

const dsqEnvelope = <R>(key: 'User' | 'Group' | 'roles', row: z.ZodType<R>) =>
  identityEnvelope(
    z.looseObject({ [key]: redrockResult(row).nullish() }) as unknown as z.ZodType<
      Record<string, RedrockResult<R> | null | undefined>
    >,
  );

/** UserMgmt/DirectoryServiceQuery for one entity type (users, groups or roles), paged like Redrock. */
async function directoryQuery<R>(
  client: HttpClient,
  directoryServices: string[],
  key: 'User' | 'Group' | 'roles',
  row: z.ZodType<R>,
  pageSize: number,
): Promise<R[]> {
  const filterKey = key === 'User' ? 'user' : key === 'Group' ? 'group' : 'roles';
  const rows: R[] = [];
  const endpoint = 'POST /UserMgmt/DirectoryServiceQuery';
  for (let page = 1; page <= MAX_PAGES; page++) {
    const env = await client.request({
      method: 'POST',
      path: '/UserMgmt/DirectoryServiceQuery',
      endpoint,
      json: {
        directoryServices,
        [filterKey]: '{}',
        Args: { PageNumber: page, PageSize: pageSize, Limit: 1_000_000, SortBy: '', Caching: -1 },
      },
      schema: dsqEnvelope(key, row),
    });
    const result = unwrapIdentity(env, SOURCE, endpoint)[key];
    if (!result) break;
    rows.push(...result.Results.map((r) => r.Row));
    const total = typeof result.FullCount === 'number' ? result.FullCount : undefined;
    if (
      result.Results.length === 0 ||
      (total !== undefined && rows.length >= total) ||
      result.Results.length < pageSize
    ) {
      break;
    }
  }
  return rows;
}

export async function extractIdentity(
  client: HttpClient,
  identityUrl: string,
  options: ExtractOptions = {},
): Promise<IdentityRaw> {
  const pageSize = options.pageSize ?? 1000;
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });

  phase('directory services');
  const dsEnv = await client.request({
    method: 'POST',
    path: '/Core/GetDirectoryServices',
    json: { Args: { Caching: -1 } },
    schema: identityEnvelope(redrockResult(directoryServiceRow)),
  });
  const directoryServices = unwrapIdentity(dsEnv, SOURCE, 'POST /Core/GetDirectoryServices').Results.map((r) => r.Row);
  const dsUuids = directoryServices.map((d) => d.directoryServiceUuid);

  phase('users');
  let userTotal: number | undefined;
  const users = dedupe(
    await redrockAll(
      client,
      'User',
      'Select ID, Username, DisplayName, Email, LastLogin, StatusEnum, RiskLevel, SourceDs, SourceDsType, DirectoryServiceUuid, Forest, MobileNumber from User ORDER BY ID',
      userRow,
      pageSize,
      (done, total) => {
        userTotal = total;
        progress({ type: 'progress', source: SOURCE, phase: 'users', done, ...(total !== undefined ? { total } : {}) });
      },
    ),
    (u) => u.ID,
  );
  checkCount('User', users, userTotal);

  phase('directory identities');
  const directoryUsers = await directoryQuery(client, dsUuids, 'User', dsqUserRow, Math.max(pageSize, 10_000));
  const directoryGroups = dedupe(
    await directoryQuery(client, dsUuids, 'Group', dsqGroupRow, Math.max(pageSize, 10_000)),
    (g) => g.InternalName,
  );
  const directoryRoles = await directoryQuery(client, dsUuids, 'roles', dsqRoleRow, Math.max(pageSize, 10_000));

  phase('roles');
  const roles = dedupe(
    await redrockAll(
      client,
      'Role',
      'Select ID, Name, Description, RoleType, ReadOnly from Role ORDER BY ID',
      roleRow,
      pageSize,
    ),
    (r) => r.ID,
  );
  const roleMembers: IdentityRaw['roleMembers'] = {};
  const roleAdminRights: IdentityRaw['roleAdminRights'] = {};
  let rolesDone = 0;
  await Promise.all(
    roles.map(async (role) => {
      const everybody = (role.RoleType ?? '').toLowerCase() === 'everybody';
      const [members, rights] = await Promise.all([
        // Everybody holds every user implicitly; the API lists no members for it.
        everybody
          ? Promise.resolve([])
          : client
              .request({
                method: 'POST',
                path: '/Roles/GetRoleMembers',
                json: { Name: role.ID },
                schema: identityEnvelope(redrockResult(roleMemberRow).nullable()),
              })
              .then(
                (env) => unwrapIdentity(env, SOURCE, 'POST /Roles/GetRoleMembers')?.Results.map((r) => r.Row) ?? [],
              ),
        client
          .request({
            method: 'POST',
            path: '/Core/GetAssignedAdministrativeRights',
            query: { role: role.ID },
            json: { role: role.ID },
            schema: identityEnvelope(redrockResult(adminRightRow).nullable()),
          })
          .then(
            (env) =>
              unwrapIdentity(env, SOURCE, 'POST /Core/GetAssignedAdministrativeRights')?.Results.map((r) => r.Row) ??
              [],
          ),
      ]);
      roleMembers[role.ID] = members;
      roleAdminRights[role.ID] = rights;
      progress({ type: 'progress', source: SOURCE, phase: 'roles', done: ++rolesDone, total: roles.length });
    }),
  );

  phase('applications');
  const applications = dedupe(
    await redrockAll(
      client,
      'Application',
      'Select ID, Name, DisplayName, Description, Category, State, AppType, TemplateName, OnPrem, Version from Application ORDER BY ID',
      applicationRow,
      pageSize,
    ),
    (a) => a.ID,
  );
  const applicationAces: IdentityRaw['applicationAces'] = {};
  let appsDone = 0;
  await Promise.all(
    applications.map(async (app) => {
      const env = await client.request({
        method: 'POST',
        path: '/Acl/GetRowAces',
        json: { RowKey: app.ID, Table: 'Application', ReduceSysadmin: false },
        schema: identityEnvelope(z.array(aceRow).nullable()),
      });
      applicationAces[app.ID] = unwrapIdentity(env, SOURCE, 'POST /Acl/GetRowAces') ?? [];
      progress({
        type: 'progress',
        source: SOURCE,
        phase: 'applications',
        done: ++appsDone,
        total: applications.length,
      });
    }),
  );

  return {
    identityUrl,
    directoryServices,
    users,
    directoryUsers,
    directoryGroups,
    directoryRoles,
    roles,
    roleMembers,
    roleAdminRights,
    applications,
    applicationAces,
  };
}
