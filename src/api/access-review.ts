/**
 * The access-review export: one row per (principal, resource, grant path), produced as an async stream so that an
 * export of the whole estate never sits in memory. Resources are read one at a time (safes paged with listAssets,
 * then safeAccess per safe; applications likewise), and each resource's rows are written before the next is read.
 *
 * Scopes:
 * - `safe:<name>`: every principal with any permission on the safe.
 * - `user:<login>`: the user's own rows on every safe and application it reaches.
 * - `role:<name>`: every grant that runs through the role: the role's own (effective) safes and applications, and
 *   every holder (user, group or nested role) whose grant path passes through the role. Paths beyond the stored
 *   limit (sync.maxPaths) are not seen.
 * - `all`: every safe, then every application.
 *
 * The column order is a public contract (docs/api.md): new columns are only ever appended.
 */

import { CSV_BOM, CSV_EOL, type CsvValue, csvLine } from '../csv.js';
import type { QueryEngine } from '../queries/engine.js';
import { renderPath } from '../queries/path-text.js';
import { suggest } from '../queries/shape.js';
import type { DirectoryIdentity, GrantPath, PrincipalAccess } from '../queries/types.js';
import { ApiProblem } from './problem.js';

export const EXPORT_COLUMNS = [
  'scope',
  'resource_type',
  'resource_id',
  'resource_name',
  'resource_tenant_id',
  'principal_type',
  'principal_id',
  'principal_name',
  'principal_login',
  'principal_display_name',
  'principal_email',
  'principal_kind',
  'principal_active',
  'principal_last_login_at',
  'directory_identities',
  'directory_enabled',
  'permissions',
  'path_index',
  'path_count',
  'grant_path',
  'grant_path_json',
  'reviewer_candidates',
  'reviewer_candidate_count',
  'no_login_90d',
  'disabled_in_directory',
  'orphan',
  'expired_membership',
  'via_dynamic_role',
  'flags',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export const FLAG_COLUMNS = [
  'no_login_90d',
  'disabled_in_directory',
  'orphan',
  'expired_membership',
  'via_dynamic_role',
] as const;

export interface AccessReviewRow {
  scope: string;
  resource_type: 'Safe' | 'CyberArkApplication';
  resource_id: string;
  resource_name: string;
  resource_tenant_id: string;
  principal_type: string;
  principal_id: string;
  principal_name: string;
  principal_login: string | null;
  principal_display_name: string | null;
  principal_email: string | null;
  /** human / non-human for CyberArk users (identity_type), null otherwise. */
  principal_kind: 'human' | 'non-human' | null;
  principal_active: boolean | null;
  principal_last_login_at: string | null;
  directory_identities: DirectoryIdentity[];
  /** All correlated directory identities enabled → true; any disabled → false; none or unknown → null. */
  directory_enabled: boolean | null;
  permissions: string[];
  /** 1-based index of this path among the principal's stored paths to the resource. */
  path_index: number;
  /** All grant paths of the principal to the resource, including those beyond the stored limit. */
  path_count: number;
  grant_path: string;
  grant_path_json: GrantPath;
  /** Up to MAX_REVIEWERS login names: active human users first, then by name. */
  reviewer_candidates: string[];
  /** All CyberArk users holding the reviewer permission on the resource. */
  reviewer_candidate_count: number;
  no_login_90d: boolean | null;
  disabled_in_directory: boolean | null;
  orphan: boolean | null;
  expired_membership: boolean | null;
  via_dynamic_role: boolean;
  flags: string[];
}

export type ExportScope =
  | { kind: 'all' }
  | { kind: 'safe'; name: string }
  | { kind: 'role'; name: string }
  | { kind: 'user'; name: string };

export interface AccessReviewOptions {
  /** Users whose last login is older than this many days (or who never logged in) get no_login_90d. Default 90. */
  inactiveDays?: number;
  /** Clock for the no-login flag (tests). */
  now?: number;
}

/** Directory services whose users should have a correlated directory identity (AD, federated). */
const CORRELATED_DIRECTORIES = new Set(['adproxy', 'fds']);
const PAGE = 500;
/** Reviewer candidates listed per row (the count column has them all). */
export const MAX_REVIEWERS = 25;

export function parseScope(text: string): ExportScope {
  if (text === 'all') return { kind: 'all' };
  const colon = text.indexOf(':');
  const kind = colon > 0 ? text.slice(0, colon) : '';
  const name = text.slice(colon + 1);
  if ((kind === 'safe' || kind === 'role' || kind === 'user') && name.trim() !== '') return { kind, name };
  throw new ApiProblem(400, 'bad-request', 'scope must be safe:<name>, role:<name>, user:<login> or all');
}

function enabledOf(ids: DirectoryIdentity[]): boolean | null {
  if (ids.length === 0) return null;
  if (ids.some((d) => d.enabled === false)) return false;
  return ids.every((d) => d.enabled === true) ? true : null;
}

interface Resource {
  type: 'Safe' | 'CyberArkApplication';
  id: string;
  name: string;
  tenant_id: string;
}

class Context {
  private readonly dirTypes = new Map<string, string | null>();
  private prefetched = false;
  private correlation: { orphans: Set<string>; synced: Set<string> } | undefined;

  constructor(
    readonly queries: QueryEngine,
    readonly scope: string,
    readonly inactiveMs: number,
    readonly now: number,
  ) {}

  /** Reads every user's directory service type once (a small id → type map; not the export). */
  async prefetchDirectoryTypes(): Promise<void> {
    if (this.prefetched) return;
    for (let offset = 0; ; offset += 5000) {
      const page = await this.queries.listAssets({ type: 'users', offset, limit: 5000 });
      for (const item of page.items) this.dirTypes.set(String(item.id), stringOrNull(item.directory_service_type));
      if (offset + page.items.length >= page.total || page.items.length === 0) break;
    }
    this.prefetched = true;
  }

  async directoryType(p: PrincipalAccess): Promise<string | null> {
    if (this.dirTypes.has(p.id)) return this.dirTypes.get(p.id) ?? null;
    if (this.prefetched) return null;
    const page = await this.queries.listAssets({ type: 'users', search: p.login_name ?? p.name, limit: PAGE });
    const item = page.items.find((i) => i.id === p.id);
    const type = item ? stringOrNull(item.directory_service_type) : null;
    this.dirTypes.set(p.id, type);
    return type;
  }

  /**
   * Orphans as the correlation report judges them: CyberArk users of an AD or federated (FDS) directory with no
   * correlated directory identity, for the directory types that were synced; null (unknown) for the others.
   */
  async orphan(p: PrincipalAccess): Promise<boolean | null> {
    this.correlation ??= await loadCorrelation(this.queries);
    const type = (await this.directoryType(p))?.toLowerCase() ?? null;
    if (type === null || !CORRELATED_DIRECTORIES.has(type)) return false;
    if (!this.correlation.synced.has(type)) return null;
    return this.correlation.orphans.has(p.id);
  }
}

async function loadCorrelation(queries: QueryEngine): Promise<{ orphans: Set<string>; synced: Set<string> }> {
  const report = await queries.correlationReport();
  const synced = new Set<string>();
  for (const d of report.directories) synced.add(d.kind === 'EntraTenant' ? 'fds' : 'adproxy');
  return { orphans: new Set(report.cyberark_orphans.users.map((u) => u.id)), synced };
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The rows of one resource. `keep` selects the (principal, path) pairs in scope. */
async function* resourceRows(
  ctx: Context,
  resource: Resource,
  principals: PrincipalAccess[],
  keep: (p: PrincipalAccess, path: GrantPath | undefined) => boolean,
): AsyncGenerator<AccessReviewRow> {
  const reviewerPermission = resource.type === 'Safe' ? 'manageSafeMembers' : 'Owner';
  const holders = principals.filter((p) => p.type === 'CyberArkUser' && p.permissions.includes(reviewerPermission));
  const rank = (p: PrincipalAccess) => (p.is_active === true && p.identity_type === 'Human' ? 0 : 1);
  const reviewers = holders
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .slice(0, MAX_REVIEWERS)
    .map(({ p }) => p.login_name ?? p.name);
  for (const p of principals) {
    const paths: (GrantPath | undefined)[] = p.paths.length ? p.paths : [undefined];
    const selected = paths.map((path, i) => ({ path, i })).filter(({ path }) => keep(p, path));
    if (selected.length === 0) continue;
    const isUser = p.type === 'CyberArkUser';
    const dirIds = p.directory_identities ?? [];
    const linkable = isUser || p.type === 'CyberArkGroup';
    const lastLogin = p.last_login_at ? Date.parse(p.last_login_at) : Number.NaN;
    const noLogin = isUser ? !Number.isFinite(lastLogin) || ctx.now - lastLogin > ctx.inactiveMs : null;
    const disabled = linkable ? dirIds.some((d) => d.enabled === false) : null;
    const orphan = isUser ? await ctx.orphan(p) : null;
    // Counted by the effective-permission phase over every path, at any depth.
    const expired = resource.type === 'Safe' ? p.expired_membership_count > 0 : null;
    const flagValues = {
      no_login_90d: noLogin,
      disabled_in_directory: disabled,
      orphan,
      expired_membership: expired,
      via_dynamic_role: p.via_dynamic_role,
    };
    const flags = FLAG_COLUMNS.filter((f) => flagValues[f] === true);
    for (const { path, i } of selected) {
      yield {
        scope: ctx.scope,
        resource_type: resource.type,
        resource_id: resource.id,
        resource_name: resource.name,
        resource_tenant_id: resource.tenant_id,
        principal_type: p.type,
        principal_id: p.id,
        principal_name: p.name,
        principal_login: p.login_name ?? null,
        principal_display_name: p.display_name ?? null,
        principal_email: p.email ?? null,
        principal_kind: isUser
          ? p.identity_type === 'Human'
            ? 'human'
            : p.identity_type === 'NonHuman'
              ? 'non-human'
              : null
          : null,
        principal_active: p.is_active ?? null,
        principal_last_login_at: p.last_login_at ?? null,
        directory_identities: dirIds,
        directory_enabled: enabledOf(dirIds),
        permissions: p.permissions,
        path_index: path ? i + 1 : 0,
        path_count: p.path_count,
        grant_path: path ? renderPath(path) : '',
        grant_path_json: path ?? [],
        reviewer_candidates: reviewers,
        reviewer_candidate_count: holders.length,
        ...flagValues,
        flags: [...flags],
      };
    }
  }
}

async function* pagedIds(queries: QueryEngine, type: 'safes' | 'applications'): AsyncGenerator<string> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await queries.listAssets({ type, offset, limit: PAGE });
    for (const item of page.items) yield String(item.id);
    if (page.items.length < PAGE || offset + page.items.length >= page.total) return;
  }
}

async function* everyResource(
  queries: QueryEngine,
): AsyncGenerator<{ resource: Resource; principals: PrincipalAccess[] }> {
  for await (const id of pagedIds(queries, 'safes')) {
    const r = await queries.safeAccess(id);
    yield { resource: { type: 'Safe', ...r.safe }, principals: r.principals };
  }
  for await (const id of pagedIds(queries, 'applications')) {
    const r = await queries.applicationAccess(id);
    yield { resource: { type: 'CyberArkApplication', ...r.application }, principals: r.principals };
  }
}

async function resolveRole(queries: QueryEngine, name: string): Promise<{ id: string; name: string }> {
  const needle = name.trim();
  const lower = needle.toLowerCase();
  const page = await queries.listAssets({ type: 'roles', search: needle, limit: 10_000 });
  const byId = page.items.filter((i) => i.id === needle);
  const byName = page.items.filter((i) => String(i.name).toLowerCase() === lower);
  const found = byId.length ? byId : byName;
  if (found.length === 1) return { id: String(found[0]!.id), name: String(found[0]!.name) };
  if (found.length > 1) {
    throw new ApiProblem(400, 'ambiguous-name', `"${name}" names ${found.length} roles; use the id`, {
      candidates: found.map((i) => String(i.id)).sort(),
    });
  }
  const all: string[] = [];
  for (let offset = 0; ; offset += 5000) {
    const p = await queries.listAssets({ type: 'roles', offset, limit: 5000 });
    all.push(...p.items.map((i) => String(i.name)));
    if (p.items.length === 0 || offset + p.items.length >= p.total) break;
  }
  const suggestions = suggest(name, all);
  throw new ApiProblem(
    404,
    'not-found',
    `no role named "${name}"${suggestions.length ? `; did you mean: ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''}`,
    { suggestions },
  );
}

/**
 * Resolves the scope (unknown names fail here, before anything is streamed) and returns the row stream.
 * Store errors that happen later end the stream with an error.
 */
export async function prepareAccessReview(
  queries: QueryEngine,
  scope: ExportScope,
  options: AccessReviewOptions = {},
): Promise<AsyncGenerator<AccessReviewRow>> {
  const scopeText = scope.kind === 'all' ? 'all' : `${scope.kind}:${scope.name}`;
  const ctx = new Context(queries, scopeText, (options.inactiveDays ?? 90) * 86_400_000, options.now ?? Date.now());
  const everything = () => true;

  if (scope.kind === 'safe') {
    const r = await queries.safeAccess(scope.name);
    return (async function* () {
      if (r.principals.length > 50) await ctx.prefetchDirectoryTypes();
      yield* resourceRows(ctx, { type: 'Safe', ...r.safe }, r.principals, everything);
    })();
  }

  if (scope.kind === 'user') {
    const u = await queries.userAccess(scope.name);
    const userId = u.user.id;
    const mine = (p: PrincipalAccess) => p.id === userId;
    return (async function* () {
      for (const s of u.safes) {
        const r = await queries.safeAccess(s.safe.id);
        yield* resourceRows(ctx, { type: 'Safe', ...r.safe }, r.principals, mine);
      }
      for (const a of u.applications) {
        const r = await queries.applicationAccess(a.application.id);
        yield* resourceRows(ctx, { type: 'CyberArkApplication', ...r.application }, r.principals, mine);
      }
    })();
  }

  if (scope.kind === 'role') {
    const role = await resolveRole(queries, scope.name);
    const throughRole = (p: PrincipalAccess, path: GrantPath | undefined) =>
      p.id === role.id || (path?.some((s) => s.kind === 'CyberArkRole' && s.id === role.id) ?? false);
    return (async function* () {
      await ctx.prefetchDirectoryTypes();
      for await (const { resource, principals } of everyResource(queries)) {
        yield* resourceRows(ctx, resource, principals, throughRole);
      }
    })();
  }

  // all: fail now (e.g. no graph yet) rather than after the headers went out.
  await queries.listAssets({ type: 'safes', limit: 1 });
  return (async function* () {
    await ctx.prefetchDirectoryTypes();
    for await (const { resource, principals } of everyResource(queries)) {
      yield* resourceRows(ctx, resource, principals, everything);
    }
  })();
}

function directoryText(ids: DirectoryIdentity[]): string {
  return ids
    .map(
      (d) => `${d.kind}:${d.name} (${d.enabled === true ? 'enabled' : d.enabled === false ? 'disabled' : 'unknown'})`,
    )
    .join('; ');
}

/** The CSV cells of a row, in EXPORT_COLUMNS order. Lists are joined with "; ". */
export function csvValues(row: AccessReviewRow): CsvValue[] {
  return EXPORT_COLUMNS.map((c): CsvValue => {
    switch (c) {
      case 'directory_identities':
        return directoryText(row.directory_identities);
      case 'permissions':
      case 'reviewer_candidates':
      case 'flags':
        return row[c].join('; ');
      case 'grant_path_json':
        return JSON.stringify(row.grant_path_json);
      default:
        return row[c];
    }
  });
}

const CHUNK = 64 * 1024;

/** CSV: BOM, header, rows; chunks of about 64 KiB. */
export async function* csvChunks(rows: AsyncIterable<AccessReviewRow>): AsyncGenerator<Buffer> {
  let buffer = `${CSV_BOM}${csvLine(EXPORT_COLUMNS)}${CSV_EOL}`;
  for await (const row of rows) {
    buffer += `${csvLine(csvValues(row))}${CSV_EOL}`;
    if (buffer.length >= CHUNK) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  yield Buffer.from(buffer, 'utf8');
}

/** JSON: an array of row objects (keys in column order), written as it goes. */
export async function* jsonChunks(rows: AsyncIterable<AccessReviewRow>): AsyncGenerator<Buffer> {
  let buffer = '[';
  let first = true;
  for await (const row of rows) {
    const ordered: Record<string, unknown> = {};
    for (const c of EXPORT_COLUMNS) ordered[c] = row[c];
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify(ordered)}`;
    first = false;
    if (buffer.length >= CHUNK) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  yield Buffer.from(`${buffer}${first ? ']' : '\n]'}\n`, 'utf8');
}
