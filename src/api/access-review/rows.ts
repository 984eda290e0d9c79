/**
 * The rows of one resource (a safe or an application) and the facts their flags need: each user's directory service
 * type (read once, or per user for small exports) and the correlation report's orphans.
 */
import type { QueryEngine } from '../../queries/engine.js';
import { renderPath } from '../../queries/path-text.js';
import type { DirectoryIdentity, GrantPath, PrincipalAccess } from '../../queries/types.js';
import { type AccessReviewRow, FLAG_COLUMNS, MAX_REVIEWERS } from './columns.js';

/** Directory services whose users should have a correlated directory identity (AD, federated). */
const CORRELATED_DIRECTORIES = new Set(['adproxy', 'fds']);
/** Items asked of the store per read while the export walks safes, applications or a user search. */
export const PAGE = 500;

export interface Resource {
  type: 'Safe' | 'CyberArkApplication';
  id: string;
  name: string;
  tenant_id: string;
}

function enabledOf(ids: DirectoryIdentity[]): boolean | null {
  if (ids.length === 0) return null;
  if (ids.some((d) => d.enabled === false)) return false;
  return ids.every((d) => d.enabled === true) ? true : null;
}

/** What every row of one export shares: its scope, the no-login threshold and the facts read once per export. */
export class RowContext {
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
export async function* resourceRows(
  ctx: RowContext,
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
