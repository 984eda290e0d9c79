/**
 * The access queries over one reader: resolving names, traversing, ordering and shaping, so both stores answer
 * identically. QueryEngine (engine.ts) validates the request and hands each query a reader from the store.
 */
import { compareStrings as compare, nodeName } from '../graph/access-graph.js';
import { permissionDisplayName, type SafePermissionKey } from '../graph/permissions.js';
import type { EdgeKind, NodeKind, PropValue } from '../graph/schema.js';
import { DEFAULT_PATHS_MAX_DEPTH, MAX_PATHS_MAX_DEPTH, MAX_PATHS_RETURNED } from '../graph/traversal.js';
import { ASSET_KINDS, assetItem, pathsSortKey } from './assets.js';
import { type CorrelationReport, correlationReportFrom } from './correlation-report.js';
import type { GraphReader, ReaderNode, ReaderStep } from './reader.js';
import { accessFromEdge, dynamicRoleWarnings, principalSummary, suggest } from './shape.js';
import {
  type AccountAccessResult,
  AmbiguousNameError,
  type ApplicationAccessResult,
  type AssetListResult,
  type AssetQuery,
  type DirectoryIdentity,
  type GrantPath,
  NotFoundError,
  type PageRequest,
  type PathsResult,
  type PrincipalAccess,
  type PrincipalPage,
  type PrincipalSummary,
  type RoleHeld,
  type SafeAccessResult,
  type SafeRef,
  type UserAccessResult,
  type WhoCanResult,
} from './types.js';

function facts(n: ReaderNode) {
  return { kind: n.kind, id: n.id, nativeId: n.nativeId, tenantId: n.tenantId, name: nodeName(n), props: n.props };
}

function step(n: ReaderNode, via?: { kind: EdgeKind; reverse: boolean }): GrantPath[number] {
  const s: GrantPath[number] = { kind: n.kind, id: n.id, name: nodeName(n) };
  if (via) {
    s.via = via.kind;
    if (via.reverse) s.reverse = true;
  }
  return s;
}

function sortSteps(steps: ReaderStep[]): ReaderStep[] {
  return steps.sort(
    (a, b) => compare(a.kind, b.kind) || compare(nodeName(a.to), nodeName(b.to)) || compare(a.to.id, b.to.id),
  );
}

/** The queries over one reader. */
export class ReaderQueries {
  constructor(private readonly r: GraphReader) {}

  /**
   * Exactly one node by graph id, name (any case) or native id; else a clear error with close matches. The input is
   * tried as given first, then trimmed: a safe whose name starts with a tab is found by that name, and a name
   * pasted with a trailing space still is.
   */
  async resolve(what: NotFoundError['what'], kinds: readonly NodeKind[], input: string): Promise<ReaderNode> {
    const tries = input.trim() === input ? [input] : [input, input.trim()];
    for (const value of tries) {
      for (const field of ['id', 'name', 'native'] as const) {
        const found = await this.r.findNodes(kinds, field, field === 'id' ? value : value.toLowerCase());
        if (found.length === 1) return found[0]!;
        if (found.length > 1) {
          throw new AmbiguousNameError(what, input, found.map((n) => n.id).sort());
        }
      }
    }
    throw new NotFoundError(what, input, suggest(input, await this.r.names(kinds)));
  }

  private safeRef(n: ReaderNode): SafeRef {
    return { id: n.id, name: nodeName(n), tenant_id: n.tenantId };
  }

  private async summaries(nodes: ReaderNode[]): Promise<Map<string, PrincipalSummary>> {
    const linkable = nodes.filter((n) => n.kind === 'CyberArkUser' || n.kind === 'CyberArkGroup').map((n) => n.key);
    const links = linkable.length ? await this.r.directoryLinks(linkable) : [];
    const byTarget = new Map<string, DirectoryIdentity[]>();
    for (const l of links) {
      const enabled = l.node.props.account_enabled ?? l.node.props.enabled;
      const list = byTarget.get(l.target) ?? [];
      list.push({
        kind: l.node.kind,
        id: l.node.id,
        name: nodeName(l.node),
        enabled: typeof enabled === 'boolean' ? enabled : null,
        match_rule: l.matchRule,
      });
      byTarget.set(l.target, list);
    }
    const out = new Map<string, PrincipalSummary>();
    for (const n of nodes) {
      const linkableKind = n.kind === 'CyberArkUser' || n.kind === 'CyberArkGroup';
      out.set(n.key, principalSummary(facts(n), linkableKind ? (byTarget.get(n.key) ?? []) : undefined));
    }
    return out;
  }

  /**
   * The principals with access to the resource (with `permission`, else with any), one page of them in answer order,
   * and the warnings that apply to the whole answer.
   */
  private async principalsInto(
    resource: ReaderNode,
    permission: string | null,
    page: PageRequest | undefined,
    keepPath?: (path: GrantPath) => boolean,
  ): Promise<PrincipalPage & { principals: PrincipalAccess[]; warnings: string[] }> {
    const offset = page?.offset ?? 0;
    const limit = page?.limit ?? null;
    const found = await this.r.effectiveInto(resource.key, permission, offset, limit);
    const summaries = await this.summaries(found.edges.map((e) => e.node));
    return {
      total: found.total,
      offset,
      limit,
      principals: found.edges.map((e) => accessFromEdge(summaries.get(e.node.key)!, e.props, keepPath)),
      // Any order from the store; answer order here (they are all roles: by lower-cased name, then id).
      warnings: dynamicRoleWarnings(
        found.dynamicRoles
          .map((n) => ({ name: nodeName(n), lower: nodeName(n).toLowerCase(), id: n.id }))
          .sort((a, b) => compare(a.lower, b.lower) || compare(a.id, b.id))
          .map((r) => r.name),
      ),
    };
  }

  async whoCan(key: SafePermissionKey, safe: string, page?: PageRequest): Promise<WhoCanResult> {
    const safeNode = await this.resolve('safe', ['Safe'], safe);
    // Only the paths whose membership grants the permission asked about explain the answer.
    const { principals, warnings, ...slice } = await this.principalsInto(
      safeNode,
      key,
      page,
      (path) => path.at(-1)?.permissions?.includes(key) ?? true,
    );
    return {
      safe: this.safeRef(safeNode),
      permission: key,
      permission_display_name: permissionDisplayName(key),
      ...slice,
      principals,
      warnings,
    };
  }

  /** Every principal with any permission on the safe (access reviews, exports). */
  async safeAccess(safe: string, page?: PageRequest): Promise<SafeAccessResult> {
    const safeNode = await this.resolve('safe', ['Safe'], safe);
    const { principals, warnings, ...slice } = await this.principalsInto(safeNode, null, page);
    return { safe: this.safeRef(safeNode), ...slice, principals, warnings };
  }

  /** Every principal with access to an application, with the grant names as permissions. */
  async applicationAccess(application: string, page?: PageRequest): Promise<ApplicationAccessResult> {
    const app = await this.resolve('application', ['CyberArkApplication'], application);
    const { principals, warnings: _, ...slice } = await this.principalsInto(app, null, page);
    return { application: { id: app.id, name: nodeName(app), tenant_id: app.tenantId }, ...slice, principals };
  }

  async accountAccess(account: string, page?: PageRequest): Promise<AccountAccessResult> {
    const a = await this.resolve('account', ['Account'], account);
    const safe = await this.r.containingSafe(a.key);
    if (!safe) throw new NotFoundError('safe', `of account ${a.id}`, []);
    const { principals, warnings: _, ...slice } = await this.principalsInto(safe, null, page);
    const str = (v: PropValue | undefined) => (typeof v === 'string' ? v : null);
    return {
      account: {
        id: a.id,
        native_id: a.nativeId,
        name: nodeName(a),
        safe_name: str(a.props.safe_name) ?? nodeName(safe),
        address: str(a.props.address),
        user_name: str(a.props.user_name),
        platform_id: str(a.props.platform_id),
      },
      safe: this.safeRef(safe),
      ...slice,
      principals,
    };
  }

  async userAccess(user: string): Promise<UserAccessResult> {
    const u = await this.resolve('user', ['CyberArkUser'], user);
    const summary = (await this.summaries([u])).get(u.key)!;
    const safes: UserAccessResult['safes'] = [];
    const applications: UserAccessResult['applications'] = [];
    for (const e of await this.r.effectiveFrom(u.key)) {
      const access = accessFromEdge(summary, e.props);
      if (e.node.kind === 'Safe') {
        safes.push({
          safe: this.safeRef(e.node),
          permissions: access.permissions,
          paths: access.paths,
          path_count: access.path_count,
          via_dynamic_role: access.via_dynamic_role,
        });
      } else {
        applications.push({
          application: { id: e.node.id, name: nodeName(e.node), tenant_id: e.node.tenantId },
          grants: access.permissions,
          paths: access.paths,
          path_count: access.path_count,
        });
      }
    }
    safes.sort(
      (a, b) => compare(a.safe.name.toLowerCase(), b.safe.name.toLowerCase()) || compare(a.safe.id, b.safe.id),
    );
    applications.sort(
      (a, b) =>
        compare(a.application.name.toLowerCase(), b.application.name.toLowerCase()) ||
        compare(a.application.id, b.application.id),
    );

    // Roles: breadth-first over the grant edges, level by level, so each role comes with its shortest explanation.
    const roles: RoleHeld[] = [];
    const seen = new Map<string, GrantPath>([[u.key, [step(u)]]]);
    let frontier = [u.key];
    while (frontier.length) {
      const steps = await this.stepsOf(frontier);
      const next: string[] = [];
      for (const from of frontier) {
        for (const s of steps.get(from) ?? []) {
          if (seen.has(s.to.key)) continue;
          const path = [...seen.get(from)!, step(s.to, s)];
          seen.set(s.to.key, path);
          next.push(s.to.key);
          if (s.to.kind === 'CyberArkRole') {
            const direct = from === u.key && s.kind === 'HAS_ROLE';
            roles.push({
              id: s.to.id,
              name: nodeName(s.to),
              role_type: typeof s.to.props.role_type === 'string' ? s.to.props.role_type : null,
              how: direct ? (s.implicit ? 'implicit' : 'direct') : 'inherited',
              path,
            });
          }
        }
      }
      frontier = next;
    }
    roles.sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.id, b.id));
    return { user: summary, safes, roles, applications };
  }

  private async stepsOf(keys: readonly string[]): Promise<Map<string, ReaderStep[]>> {
    const out = new Map<string, ReaderStep[]>();
    for (const { from, step: s } of await this.r.grantSteps(keys)) {
      const list = out.get(from) ?? [];
      list.push(s);
      out.set(from, list);
    }
    for (const list of out.values()) sortSteps(list);
    return out;
  }

  async paths(from: string, safe: string, maxDepth = DEFAULT_PATHS_MAX_DEPTH): Promise<PathsResult> {
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_PATHS_MAX_DEPTH) {
      throw new RangeError(`maxDepth must be an integer from 1 to ${MAX_PATHS_MAX_DEPTH}`);
    }
    const start = await this.resolve('user', ['CyberArkUser'], from);
    const safeNode = await this.resolve('safe', ['Safe'], safe);
    // Every simple path of at most maxDepth hops only uses nodes within maxDepth - 1 grant steps of the start:
    // fetch that neighbourhood level by level, then enumerate in memory.
    const steps = new Map<string, ReaderStep[]>();
    const nodes = new Map<string, ReaderNode>([[start.key, start]]);
    let frontier = [start.key];
    for (let depth = 0; depth < maxDepth - 1 && frontier.length; depth++) {
      const level = await this.stepsOf(frontier);
      const next: string[] = [];
      for (const key of frontier) {
        const list = level.get(key) ?? [];
        steps.set(key, list);
        for (const s of list) {
          if (!nodes.has(s.to.key)) {
            nodes.set(s.to.key, s.to);
            next.push(s.to.key);
          }
        }
      }
      frontier = next;
    }
    const memberships = new Map<string, Record<string, PropValue>>();
    for (const m of await this.r.safeMemberships([...nodes.keys()], safeNode.key)) memberships.set(m.from, m.props);

    const found: PathsResult['paths'] = [];
    const onPath = new Set<string>([start.key]);
    const stack: GrantPath = [step(start)];
    const visit = (key: string) => {
      const m = memberships.get(key);
      if (m && stack.length <= maxDepth) {
        found.push({
          path: [...stack, step(safeNode, { kind: 'SAFE_MEMBER', reverse: false })],
          permissions: (Array.isArray(m.permissions) ? m.permissions : []) as SafePermissionKey[],
          expired: m.is_expired === true,
        });
      }
      if (stack.length >= maxDepth) return;
      for (const s of steps.get(key) ?? []) {
        if (onPath.has(s.to.key)) continue;
        onPath.add(s.to.key);
        stack.push(step(s.to, s));
        visit(s.to.key);
        stack.pop();
        onPath.delete(s.to.key);
      }
    };
    visit(start.key);
    found.sort((a, b) => compare(pathsSortKey(a.path), pathsSortKey(b.path)));
    return {
      from: (await this.summaries([start])).get(start.key)!,
      safe: this.safeRef(safeNode),
      max_depth: maxDepth,
      paths: found.slice(0, MAX_PATHS_RETURNED),
      truncated: found.length > MAX_PATHS_RETURNED,
    };
  }

  correlationReport(): Promise<CorrelationReport> {
    return correlationReportFrom(this.r);
  }

  async listAssets(query: AssetQuery): Promise<AssetListResult> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const search = query.search?.trim() ? query.search.trim().toLowerCase() : undefined;
    const page = await this.r.listNodes(ASSET_KINDS[query.type], search, offset, limit);
    return {
      type: query.type,
      total: page.total,
      offset,
      limit,
      items: page.items.map((n) => assetItem({ ...n, name: nodeName(n) })),
    };
  }
}
