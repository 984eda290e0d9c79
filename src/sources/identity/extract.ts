/**
 * CyberArk Identity: client and extract stages. The endpoints and what each waits for (docs/extractors.md):
 * token → { Core/GetDirectoryServices → UserMgmt/DirectoryServiceQuery (users, groups, roles) | Redrock User (paged)
 * | Redrock Role (paged) → per role Roles/GetRoleMembers + Core/GetAssignedAdministrativeRights | Redrock Application
 * (paged) → per application Acl/GetRowAces }, the branches concurrently.
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
  TaskGroup,
  unwrapIdentity,
} from '../../http/index.js';
import type { ProgressListener } from '../types.js';
import {
  type ApplicationRow,
  aceRow,
  adminRightRow,
  applicationRow,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
  type IdentityRaw,
  type RoleRow,
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
/** Default rows per Redrock page. */
export const REDROCK_PAGE_SIZE = 1000;
/** Rows per UserMgmt/DirectoryServiceQuery page (at least the Redrock page size). */
export const DSQ_PAGE_SIZE = 10_000;

/** One page of a page-numbered listing: its rows and the total the server reports (FullCount), if any. */
interface NumberedPage<R> {
  rows: R[];
  total: number | undefined;
}

/**
 * Pages a listing by PageNumber / PageSize (Redrock §2.1, DirectoryServiceQuery). Once a page has told the total
 * (FullCount), the pages still needed are requested together — up to twice the client's concurrency ahead of the
 * page being consumed — instead of one after the other; pages are still consumed in order, by the same rules as a
 * sequential loop:
 * - stop at an empty page, when the rows reach the total, or (total unknown, or `adaptToCap` false) at a short page;
 * - `adaptToCap`: a short page while the total says more remain is a server-side cap: the page size is lowered to
 *   what the server serves so page numbers stay aligned (a page size that does not divide the rows so far → error).
 * A page requested ahead under a page size that later changed is not used (and is awaited, so nothing outlives the
 * call).
 */
async function pagesByNumber<R>(
  client: HttpClient,
  fetchPage: (page: number, size: number) => Promise<NumberedPage<R>>,
  pageSize: number,
  opts: { endpoint: string; adaptToCap: boolean; onPage?: (rows: R[], done: number, total?: number) => void },
): Promise<R[]> {
  const rows: R[] = [];
  const ahead = new Map<string, Promise<NumberedPage<R>>>();
  const window = Math.max(4, 2 * client.concurrency);
  const take = (page: number, size: number): Promise<NumberedPage<R>> => {
    const key = `${page}/${size}`;
    const p = ahead.get(key);
    if (!p) return fetchPage(page, size);
    ahead.delete(key);
    return p;
  };
  let size = pageSize;
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { rows: got, total } = await take(page, size);
      rows.push(...got);
      if (got.length === 0) {
        opts.onPage?.(got, rows.length, total);
        break;
      }
      if (total !== undefined && rows.length >= total) {
        opts.onPage?.(got, rows.length, total);
        break;
      }
      if (got.length < size) {
        if (total === undefined || !opts.adaptToCap) {
          opts.onPage?.(got, rows.length, total);
          break;
        }
        if (rows.length % got.length !== 0) {
          throw new SourceError({
            source: SOURCE,
            endpoint: opts.endpoint,
            kind: 'validation',
            detail: `page ${page} returned ${got.length} rows of ${size} requested while FullCount is ${total}; cannot page reliably`,
          });
        }
        size = got.length;
        page = rows.length / size;
      }
      if (total !== undefined) {
        // Request the next pages before handing this one on, so they queue ahead of the fan-out it starts.
        const last = Math.min(Math.ceil(total / size), MAX_PAGES, page + window);
        for (let next = page + 1; next <= last; next++) {
          const key = `${next}/${size}`;
          if (ahead.has(key)) continue;
          const p = fetchPage(next, size);
          p.catch(() => {}); // reported when consumed
          ahead.set(key, p);
        }
      }
      opts.onPage?.(got, rows.length, total);
    }
  } finally {
    await Promise.allSettled(ahead.values());
  }
  return rows;
}

/** Runs a Redrock script page by page (pagesByNumber); the row count must end equal to FullCount when reported. */
async function redrockAll<R>(
  client: HttpClient,
  table: string,
  script: string,
  row: z.ZodType<R>,
  pageSize: number,
  signal: AbortSignal,
  onPage?: (rows: R[], done: number, total?: number) => void,
): Promise<R[]> {
  const schema = identityEnvelope(redrockResult(row));
  const endpoint = `${REDROCK} (${table})`;
  return pagesByNumber(
    client,
    async (page, size) => {
      const env = await client.request({
        method: 'POST',
        path: '/Redrock/query',
        endpoint: REDROCK,
        json: { Script: script, Args: { PageNumber: page, PageSize: size, Limit: 1_000_000, Caching: -1 } },
        schema,
        signal,
      });
      const result: RedrockResult<R> = unwrapIdentity(env, SOURCE, endpoint);
      return {
        rows: result.Results.map((r) => r.Row),
        total: typeof result.FullCount === 'number' ? result.FullCount : undefined,
      };
    },
    pageSize,
    { endpoint, adaptToCap: true, ...(onPage ? { onPage } : {}) },
  );
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
  signal: AbortSignal,
): Promise<R[]> {
  const filterKey = key === 'User' ? 'user' : key === 'Group' ? 'group' : 'roles';
  const endpoint = 'POST /UserMgmt/DirectoryServiceQuery';
  return pagesByNumber(
    client,
    async (page, size) => {
      const env = await client.request({
        method: 'POST',
        path: '/UserMgmt/DirectoryServiceQuery',
        endpoint,
        json: {
          directoryServices,
          [filterKey]: '{}',
          Args: { PageNumber: page, PageSize: size, Limit: 1_000_000, SortBy: '', Caching: -1 },
        },
        schema: dsqEnvelope(key, row),
        signal,
      });
      const result = unwrapIdentity(env, SOURCE, endpoint)[key];
      if (!result) return { rows: [], total: undefined };
      return {
        rows: result.Results.map((r) => r.Row),
        total: typeof result.FullCount === 'number' ? result.FullCount : undefined,
      };
    },
    pageSize,
    { endpoint, adaptToCap: false },
  );
}

/**
 * Everything that does not depend on an earlier answer runs at once, under the client's one concurrency limit: the
 * directory services (then the three DirectoryServiceQuery listings), the User, Role and Application listings. The
 * per-role requests start as soon as the page that lists the role arrives, the per-application ACL requests likewise.
 * The first failure cancels the rest and is the error thrown.
 */
export async function extractIdentity(
  client: HttpClient,
  identityUrl: string,
  options: ExtractOptions = {},
): Promise<IdentityRaw> {
  const pageSize = options.pageSize ?? REDROCK_PAGE_SIZE;
  const dsqPageSize = Math.max(pageSize, DSQ_PAGE_SIZE);
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });
  const group = new TaskGroup();
  const { signal } = group;

  phase('directory services');
  const directoryServicesTask = group.spawn(async () => {
    const env = await client.request({
      method: 'POST',
      path: '/Core/GetDirectoryServices',
      json: { Args: { Caching: -1 } },
      schema: identityEnvelope(redrockResult(directoryServiceRow)),
      signal,
    });
    return unwrapIdentity(env, SOURCE, 'POST /Core/GetDirectoryServices').Results.map((r) => r.Row);
  });
  const directoryTask = <R>(key: 'User' | 'Group' | 'roles', row: z.ZodType<R>) =>
    group.spawn(async () => {
      const uuids = (await directoryServicesTask).map((d) => d.directoryServiceUuid);
      return directoryQuery(client, uuids, key, row, dsqPageSize, signal);
    });
  phase('directory identities');
  const directoryUsersTask = directoryTask('User', dsqUserRow);
  const directoryGroupsTask = directoryTask('Group', dsqGroupRow);
  const directoryRolesTask = directoryTask('roles', dsqRoleRow);

  phase('users');
  let userTotal: number | undefined;
  const usersTask = group.spawn(() =>
    redrockAll(
      client,
      'User',
      'Select ID, Username, DisplayName, Email, LastLogin, StatusEnum, RiskLevel, SourceDs, SourceDsType, DirectoryServiceUuid, Forest, MobileNumber from User ORDER BY ID',
      userRow,
      pageSize,
      signal,
      (_rows, done, total) => {
        userTotal = total;
        progress({ type: 'progress', source: SOURCE, phase: 'users', done, ...(total !== undefined ? { total } : {}) });
      },
    ),
  );

  phase('roles');
  const roleMembers: IdentityRaw['roleMembers'] = {};
  const roleAdminRights: IdentityRaw['roleAdminRights'] = {};
  const seenRoles = new Set<string>();
  let rolesDone = 0;
  const perRole = (role: RoleRow) => {
    const everybody = (role.RoleType ?? '').toLowerCase() === 'everybody';
    const done = () =>
      progress({ type: 'progress', source: SOURCE, phase: 'roles', done: ++rolesDone, total: seenRoles.size });
    const members = everybody
      ? // Everybody holds every user implicitly; the API lists no members for it.
        Promise.resolve([])
      : group.spawn(() =>
          client
            .request({
              method: 'POST',
              path: '/Roles/GetRoleMembers',
              json: { Name: role.ID },
              schema: identityEnvelope(redrockResult(roleMemberRow).nullable()),
              signal,
            })
            .then((env) => unwrapIdentity(env, SOURCE, 'POST /Roles/GetRoleMembers')?.Results.map((r) => r.Row) ?? []),
        );
    const rights = group.spawn(() =>
      client
        .request({
          method: 'POST',
          path: '/Core/GetAssignedAdministrativeRights',
          query: { role: role.ID },
          json: { role: role.ID },
          schema: identityEnvelope(redrockResult(adminRightRow).nullable()),
          signal,
        })
        .then(
          (env) =>
            unwrapIdentity(env, SOURCE, 'POST /Core/GetAssignedAdministrativeRights')?.Results.map((r) => r.Row) ?? [],
        ),
    );
    group.spawn(async () => {
      const [m, r] = await Promise.all([members, rights]);
      roleMembers[role.ID] = m;
      roleAdminRights[role.ID] = r;
      done();
    });
  };
  const rolesTask = group.spawn(async () =>
    dedupe(
      await redrockAll(
        client,
        'Role',
        'Select ID, Name, Description, RoleType, ReadOnly from Role ORDER BY ID',
        roleRow,
        pageSize,
        signal,
        (page) => {
          for (const role of page) {
            if (seenRoles.has(role.ID.toLowerCase())) continue;
            seenRoles.add(role.ID.toLowerCase());
            perRole(role);
          }
        },
      ),
      (r) => r.ID,
    ),
  );

  phase('applications');
  const applicationAces: IdentityRaw['applicationAces'] = {};
  const seenApps = new Set<string>();
  let appsDone = 0;
  const perApplication = (app: ApplicationRow) =>
    group.spawn(async () => {
      const env = await client.request({
        method: 'POST',
        path: '/Acl/GetRowAces',
        json: { RowKey: app.ID, Table: 'Application', ReduceSysadmin: false },
        schema: identityEnvelope(z.array(aceRow).nullable()),
        signal,
      });
      applicationAces[app.ID] = unwrapIdentity(env, SOURCE, 'POST /Acl/GetRowAces') ?? [];
      progress({ type: 'progress', source: SOURCE, phase: 'applications', done: ++appsDone, total: seenApps.size });
    });
  const applicationsTask = group.spawn(async () =>
    dedupe(
      await redrockAll(
        client,
        'Application',
        'Select ID, Name, DisplayName, Description, Category, State, AppType, TemplateName, OnPrem, Version from Application ORDER BY ID',
        applicationRow,
        pageSize,
        signal,
        (page) => {
          for (const app of page) {
            if (seenApps.has(app.ID.toLowerCase())) continue;
            seenApps.add(app.ID.toLowerCase());
            perApplication(app);
          }
        },
      ),
      (a) => a.ID,
    ),
  );

  await group.wait();
  const users = dedupe(await usersTask, (u) => u.ID);
  checkCount('User', users, userTotal);
  return {
    identityUrl,
    directoryServices: await directoryServicesTask,
    users,
    directoryUsers: await directoryUsersTask,
    directoryGroups: dedupe(await directoryGroupsTask, (g) => g.InternalName),
    directoryRoles: await directoryRolesTask,
    roles: await rolesTask,
    roleMembers,
    roleAdminRights,
    applications: await applicationsTask,
    applicationAces,
  };
}
