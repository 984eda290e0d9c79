/**
 * The embedded store: a graphology MultiDirectedGraph in memory, persisted as an atomic NDJSON snapshot under the
 * data directory. Needs nothing installed. Queries here are the embedded implementations of the cypher/ queries.
 */
import { open as openFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MultiDirectedGraph } from 'graphology';
import { compare, nodeKey, nodeName } from '../../effective/compute.js';
import { parsePermission, permissionDisplayName } from '../../graph/permissions.js';
import {
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  type NodeKind,
  validateEdge,
  validateNode,
} from '../../graph/schema.js';
import {
  DEFAULT_PATHS_MAX_DEPTH,
  FORWARD_GRANT_EDGES,
  MAX_PATHS_MAX_DEPTH,
  MAX_PATHS_RETURNED,
  REVERSE_GRANT_EDGES,
} from '../../graph/traversal.js';
import { ASSET_KINDS, assetItem, pathsSortKey } from '../../queries/assets.js';
import { accessFromEdge, dynamicRoleWarnings, principalSummary, sortPrincipals, suggest } from '../../queries/shape.js';
import {
  type AccountAccessResult,
  AmbiguousNameError,
  type AssetListResult,
  type AssetQuery,
  type DirectoryIdentity,
  type GrantPath,
  NotFoundError,
  type PathsResult,
  type PrincipalAccess,
  type PrincipalSummary,
  type RoleHeld,
  type SafeRef,
  type UserAccessResult,
  type WhoCanResult,
} from '../../queries/types.js';
import type { AccessGraph, CompletedScope, GraphStore, StoreStats, SyncRunRecord, SyncWriter } from '../types.js';
import {
  readJsonFile,
  readSnapshot,
  type StoredEdge,
  type StoredNode,
  StoreError,
  writeFileAtomic,
  writeSnapshot,
} from './snapshot.js';

type G = MultiDirectedGraph<StoredNode, StoredEdge>;

const SYNC_RUNS_FILE = 'sync-runs.json';
const LOCK_FILE = 'sync.lock';
const MAX_SYNC_RUNS_KEPT = 200;
const ACCESS_GRAPH_EXCLUDED: ReadonlySet<NodeKind> = new Set([
  'Account',
  'IdentityTenant',
  'PrivilegeCloudTenant',
  'EntraTenant',
  'ADDomain',
  'SyncRun',
]);

function edgeKey(e: GraphEdge): string {
  return `${e.kind}|${nodeKey(e.from.kind, e.from.id)}|${nodeKey(e.to.kind, e.to.id)}`;
}

function newGraph(): G {
  return new MultiDirectedGraph<StoredNode, StoredEdge>({ allowSelfLoops: true });
}

async function loadGraph(dir: string): Promise<G | undefined> {
  const g = newGraph();
  const info = await readSnapshot(
    dir,
    (n) => g.addNode(nodeKey(n.kind, n.id), n),
    (e) => {
      const from = nodeKey(e.from.kind, e.from.id);
      const to = nodeKey(e.to.kind, e.to.id);
      if (g.hasNode(from) && g.hasNode(to)) g.addEdgeWithKey(edgeKey(e), from, to, e);
    },
  );
  return info ? g : undefined;
}

interface LookupIndex {
  byKind: Map<NodeKind, string[]>;
  /** `${kind}|${lower-cased name}` → node keys */
  byName: Map<string, string[]>;
  /** `${kind}|${lower-cased native id}` → node keys */
  byNative: Map<string, string[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface MemoryStoreOptions {
  dataDir: string;
}

export class MemoryStore implements GraphStore {
  readonly kind = 'memory' as const;
  private graph: G | undefined;
  private loaded = false;
  private readonly dir: string;

  constructor(options: MemoryStoreOptions) {
    this.dir = path.resolve(options.dataDir);
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.graph = undefined;
    this.loaded = false;
  }

  /** The last good graph; loaded lazily so that commands that do not query do not pay for it. */
  private async current(): Promise<G> {
    if (!this.loaded) {
      this.graph = await loadGraph(this.dir);
      this.loaded = true;
    }
    if (!this.graph) {
      throw new StoreError(`no graph in ${this.dir} yet: run "arkgraph sync" first (or "arkgraph demo")`);
    }
    return this.graph;
  }

  async hasData(): Promise<boolean> {
    try {
      await this.current();
      return true;
    } catch (error) {
      if (error instanceof StoreError && /no graph/.test(error.message)) return false;
      throw error;
    }
  }

  async beginSync(syncId: string): Promise<SyncWriter> {
    await this.acquireLock();
    try {
      const working = (await loadGraph(this.dir)) ?? newGraph();
      return new MemorySyncWriter(this, working, syncId);
    } catch (error) {
      await this.releaseLock();
      throw error;
    }
  }

  private async acquireLock(): Promise<void> {
    const lock = path.join(this.dir, LOCK_FILE);
    await writeFileAtomic(path.join(this.dir, '.probe'), async () => {}).catch((error: Error) => {
      throw new StoreError(`data directory ${this.dir} is not writable: ${error.message}`);
    });
    await rm(path.join(this.dir, '.probe'), { force: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await openFile(lock, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (pid && isAlive(pid) && pid !== process.pid) {
          throw new StoreError(`another sync (pid ${pid}) is writing ${this.dir}`);
        }
        await rm(lock, { force: true });
      }
    }
    throw new StoreError(`cannot lock ${this.dir} for the sync`);
  }

  async releaseLock(): Promise<void> {
    await rm(path.join(this.dir, LOCK_FILE), { force: true });
  }

  /** Called by the writer when a sync committed: the working graph becomes the current one. */
  async install(graph: G, syncId: string, run: SyncRunRecord): Promise<void> {
    await writeSnapshot(
      this.dir,
      syncId,
      graph.mapNodes((_, a) => a),
      graph.mapEdges((_, a) => a),
    );
    this.graph = graph;
    this.loaded = true;
    await this.recordSyncRun(run);
  }

  async syncRuns(limit = 50): Promise<SyncRunRecord[]> {
    const runs = await readJsonFile<SyncRunRecord[]>(path.join(this.dir, SYNC_RUNS_FILE), []);
    return runs.slice(-limit).reverse();
  }

  async syncRun(id: string): Promise<SyncRunRecord | undefined> {
    const runs = await readJsonFile<SyncRunRecord[]>(path.join(this.dir, SYNC_RUNS_FILE), []);
    return runs.find((r) => r.id === id);
  }

  async recordSyncRun(run: SyncRunRecord): Promise<void> {
    const file = path.join(this.dir, SYNC_RUNS_FILE);
    const runs = (await readJsonFile<SyncRunRecord[]>(file, [])).filter((r) => r.id !== run.id);
    runs.push(run);
    const kept = runs.slice(-MAX_SYNC_RUNS_KEPT);
    await writeFileAtomic(file, async (append) => append(`${JSON.stringify(kept, null, 1)}\n`));
  }

  async stats(): Promise<StoreStats> {
    const g = await this.current();
    const nodes: StoreStats['nodes'] = {};
    const edges: Record<string, number> = {};
    g.forEachNode((_, a) => {
      nodes[a.kind] = (nodes[a.kind] ?? 0) + 1;
    });
    g.forEachEdge((_, a) => {
      edges[a.kind] = (edges[a.kind] ?? 0) + 1;
    });
    return { nodes, edges };
  }

  // ---------------------------------------------------------------- lookups

  private facts(g: G, key: string) {
    const a = g.getNodeAttributes(key);
    return { kind: a.kind, id: a.id, nativeId: a.nativeId, tenantId: a.tenantId, name: nodeName(a), props: a.props };
  }

  private readonly indexes = new WeakMap<G, LookupIndex>();

  /** Per-graph lookup tables, built once per loaded graph (the graph is immutable between syncs). */
  private index(g: G): LookupIndex {
    let idx = this.indexes.get(g);
    if (!idx) {
      idx = { byKind: new Map(), byName: new Map(), byNative: new Map() };
      const built = idx;
      g.forEachNode((key, a) => {
        push(built.byKind, a.kind, key);
        push(built.byName, `${a.kind}|${nodeName(a).toLowerCase()}`, key);
        push(built.byNative, `${a.kind}|${a.nativeId.toLowerCase()}`, key);
      });
      this.indexes.set(g, idx);
    }
    return idx;
  }

  private byKind(g: G, kind: NodeKind): string[] {
    return this.index(g).byKind.get(kind) ?? [];
  }

  /** Resolves a graph id, a name (case-insensitive) or a native id to exactly one node of the kinds given. */
  private resolve(g: G, what: NotFoundError['what'], kinds: NodeKind[], input: string): string {
    for (const kind of kinds) {
      const key = nodeKey(kind, input);
      if (g.hasNode(key)) return key;
    }
    const idx = this.index(g);
    const lower = input.trim().toLowerCase();
    const byName = kinds.flatMap((k) => idx.byName.get(`${k}|${lower}`) ?? []);
    const found = byName.length ? byName : kinds.flatMap((k) => idx.byNative.get(`${k}|${lower}`) ?? []);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new AmbiguousNameError(
        what,
        input,
        found.map((k) => g.getNodeAttribute(k, 'id')),
      );
    }
    const names = kinds.flatMap((k) => this.byKind(g, k).map((key) => nodeName(g.getNodeAttributes(key))));
    throw new NotFoundError(what, input, suggest(input, names));
  }

  private resolveSafe(g: G, input: string): string {
    return this.resolve(g, 'safe', ['Safe'], input);
  }

  private resolveUser(g: G, input: string): string {
    return this.resolve(g, 'user', ['CyberArkUser'], input);
  }

  private safeRef(g: G, key: string): SafeRef {
    const a = g.getNodeAttributes(key);
    return { id: a.id, name: nodeName(a), tenant_id: a.tenantId };
  }

  private directoryIdentities(g: G, key: string): DirectoryIdentity[] | undefined {
    const kind = g.getNodeAttribute(key, 'kind');
    if (kind !== 'CyberArkUser' && kind !== 'CyberArkGroup') return undefined;
    const type: EdgeKind = kind === 'CyberArkUser' ? 'ASSUMES_USER' : 'IS_GROUP';
    const out: DirectoryIdentity[] = [];
    g.forEachInEdge(key, (_, e, source, _target, sa) => {
      if (e.kind !== type) return;
      const enabled = sa.props.account_enabled ?? sa.props.enabled;
      out.push({
        kind: sa.kind,
        id: sa.id,
        name: nodeName(sa),
        enabled: typeof enabled === 'boolean' ? enabled : null,
        match_rule: typeof e.props.match_rule === 'string' ? e.props.match_rule : null,
      });
      void source;
    });
    return out;
  }

  private summary(g: G, key: string): PrincipalSummary {
    return principalSummary(this.facts(g, key), this.directoryIdentities(g, key));
  }

  private effectiveInto(g: G, safeKey: string, filter: (permissions: string[]) => boolean): PrincipalAccess[] {
    const out: PrincipalAccess[] = [];
    g.forEachInEdge(safeKey, (_, e, source) => {
      if (e.kind !== 'HAS_EFFECTIVE_PERMISSION') return;
      const permissions = (e.props.permissions as string[] | undefined) ?? [];
      if (!filter(permissions)) return;
      out.push(accessFromEdge(this.summary(g, source), e.props));
    });
    return sortPrincipals(out);
  }

  // ---------------------------------------------------------------- queries

  async whoCan(permission: string, safe: string): Promise<WhoCanResult> {
    const key = parsePermission(permission);
    const g = await this.current();
    const safeKey = this.resolveSafe(g, safe);
    const principals = this.effectiveInto(g, safeKey, (p) => p.includes(key));
    return {
      safe: this.safeRef(g, safeKey),
      permission: key,
      permission_display_name: permissionDisplayName(key),
      principals,
      warnings: dynamicRoleWarnings(principals),
    };
  }

  async accountAccess(account: string): Promise<AccountAccessResult> {
    const g = await this.current();
    const key = this.resolve(g, 'account', ['Account'], account);
    const a = g.getNodeAttributes(key);
    const safeKey = g.inNeighbors(key).find((k) => g.getNodeAttribute(k, 'kind') === 'Safe');
    if (!safeKey) throw new StoreError(`account ${a.id} is in no known safe`);
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      account: {
        id: a.id,
        native_id: a.nativeId,
        name: nodeName(a),
        safe_name: String(a.props.safe_name ?? ''),
        address: str(a.props.address),
        user_name: str(a.props.user_name),
        platform_id: str(a.props.platform_id),
      },
      safe: this.safeRef(g, safeKey),
      principals: this.effectiveInto(g, safeKey, (p) => p.length > 0),
    };
  }

  /** Grant-carrying steps out of a node, in the same deterministic order as the effective computation. */
  private grantSteps(
    g: G,
    key: string,
  ): { to: string; kind: EdgeKind; reverse: boolean; props: StoredEdge['props'] }[] {
    const steps: { to: string; kind: EdgeKind; reverse: boolean; props: StoredEdge['props'] }[] = [];
    g.forEachOutEdge(key, (_, e, _s, target) => {
      if (FORWARD_GRANT_EDGES.includes(e.kind))
        steps.push({ to: target, kind: e.kind, reverse: false, props: e.props });
    });
    g.forEachInEdge(key, (_, e, source) => {
      if (REVERSE_GRANT_EDGES.includes(e.kind)) steps.push({ to: source, kind: e.kind, reverse: true, props: e.props });
    });
    const name = (k: string) => nodeName(g.getNodeAttributes(k));
    return steps.sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) ||
        compare(name(a.to), name(b.to)) ||
        compare(g.getNodeAttribute(a.to, 'id'), g.getNodeAttribute(b.to, 'id')),
    );
  }

  private step(g: G, key: string, via?: { kind: EdgeKind; reverse: boolean }): GrantPath[number] {
    const a = g.getNodeAttributes(key);
    const s: GrantPath[number] = { kind: a.kind, id: a.id, name: nodeName(a) };
    if (via) {
      s.via = via.kind;
      if (via.reverse) s.reverse = true;
    }
    return s;
  }

  async userAccess(user: string): Promise<UserAccessResult> {
    const g = await this.current();
    const userKey = this.resolveUser(g, user);
    const safes: UserAccessResult['safes'] = [];
    const applications: UserAccessResult['applications'] = [];
    g.forEachOutEdge(userKey, (_, e, _s, target, _sa, ta) => {
      if (e.kind !== 'HAS_EFFECTIVE_PERMISSION') return;
      const access = accessFromEdge(this.summary(g, userKey), e.props);
      if (ta.kind === 'Safe') {
        safes.push({
          safe: this.safeRef(g, target),
          permissions: access.permissions,
          paths: access.paths,
          path_count: access.path_count,
          via_dynamic_role: access.via_dynamic_role,
        });
      } else {
        applications.push({
          application: { id: ta.id, name: nodeName(ta), tenant_id: ta.tenantId },
          grants: access.permissions,
          paths: access.paths,
          path_count: access.path_count,
        });
      }
    });
    safes.sort(
      (a, b) => compare(a.safe.name.toLowerCase(), b.safe.name.toLowerCase()) || compare(a.safe.id, b.safe.id),
    );
    applications.sort(
      (a, b) =>
        compare(a.application.name.toLowerCase(), b.application.name.toLowerCase()) ||
        compare(a.application.id, b.application.id),
    );
    // Roles: breadth-first over the grant edges, so each role comes with its shortest explanation.
    const roles: RoleHeld[] = [];
    const seen = new Map<string, GrantPath>([[userKey, [this.step(g, userKey)]]]);
    const queue = [userKey];
    for (let q = 0; q < queue.length; q++) {
      const cur = queue[q]!;
      for (const s of this.grantSteps(g, cur)) {
        if (seen.has(s.to)) continue;
        const path = [...seen.get(cur)!, this.step(g, s.to, s)];
        seen.set(s.to, path);
        queue.push(s.to);
        const ta = g.getNodeAttributes(s.to);
        if (ta.kind === 'CyberArkRole') {
          const direct = cur === userKey && s.kind === 'HAS_ROLE';
          roles.push({
            id: ta.id,
            name: nodeName(ta),
            role_type: typeof ta.props.role_type === 'string' ? ta.props.role_type : null,
            how: direct ? (s.props.implicit === true ? 'implicit' : 'direct') : 'inherited',
            path,
          });
        }
      }
    }
    roles.sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.id, b.id));
    return { user: this.summary(g, userKey), safes, roles, applications };
  }

  async paths(from: string, safe: string, maxDepth = DEFAULT_PATHS_MAX_DEPTH): Promise<PathsResult> {
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_PATHS_MAX_DEPTH) {
      throw new RangeError(`maxDepth must be an integer from 1 to ${MAX_PATHS_MAX_DEPTH}`);
    }
    const g = await this.current();
    const startKey = this.resolveUser(g, from);
    const safeKey = this.resolveSafe(g, safe);
    const found: PathsResult['paths'] = [];
    const onPath = new Set<string>([startKey]);
    const stack: GrantPath = [this.step(g, startKey)];
    // Exhaustive depth-first enumeration of simple paths; the depth bound keeps it finite.
    const visit = (key: string) => {
      g.forEachOutEdge(key, (_, e, _s, target) => {
        if (e.kind === 'SAFE_MEMBER' && target === safeKey && stack.length <= maxDepth) {
          found.push({
            path: [...stack, this.step(g, safeKey, { kind: 'SAFE_MEMBER', reverse: false })],
            permissions: ((e.props.permissions as string[] | undefined) ??
              []) as PathsResult['paths'][number]['permissions'],
            expired: e.props.is_expired === true,
          });
        }
      });
      if (stack.length >= maxDepth) return;
      for (const s of this.grantSteps(g, key)) {
        if (onPath.has(s.to)) continue;
        onPath.add(s.to);
        stack.push(this.step(g, s.to, s));
        visit(s.to);
        stack.pop();
        onPath.delete(s.to);
      }
    };
    visit(startKey);
    found.sort((a, b) => compare(pathsSortKey(a.path), pathsSortKey(b.path)));
    return {
      from: this.summary(g, startKey),
      safe: this.safeRef(g, safeKey),
      max_depth: maxDepth,
      paths: found.slice(0, MAX_PATHS_RETURNED),
      truncated: found.length > MAX_PATHS_RETURNED,
    };
  }

  async listAssets(query: AssetQuery): Promise<AssetListResult> {
    const g = await this.current();
    const kind = ASSET_KINDS[query.type];
    const needle = query.search?.toLowerCase();
    const items = this.byKind(g, kind)
      .map((k) => g.getNodeAttributes(k))
      .filter((a) => !needle || nodeName(a).toLowerCase().includes(needle))
      .sort((a, b) => compare(nodeName(a).toLowerCase(), nodeName(b).toLowerCase()) || compare(a.id, b.id));
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    return {
      type: query.type,
      total: items.length,
      offset,
      limit,
      items: items.slice(offset, offset + limit).map((a) => assetItem({ ...a, name: nodeName(a) })),
    };
  }
}

class MemorySyncWriter implements SyncWriter {
  private finished = false;

  constructor(
    private readonly store: MemoryStore,
    private readonly g: G,
    readonly syncId: string,
  ) {}

  async upsert(nodes: GraphNode[], edges: GraphEdge[]): Promise<void> {
    for (const n of nodes) {
      validateNode(n);
      const key = nodeKey(n.kind, n.id);
      const attrs: StoredNode = { ...n, syncId: this.syncId };
      if (this.g.hasNode(key)) this.g.replaceNodeAttributes(key, attrs);
      else this.g.addNode(key, attrs);
    }
    for (const e of edges) this.putEdge(e);
  }

  private putEdge(e: GraphEdge): void {
    validateEdge(e);
    const from = nodeKey(e.from.kind, e.from.id);
    const to = nodeKey(e.to.kind, e.to.id);
    if (!this.g.hasNode(from) || !this.g.hasNode(to)) {
      throw new StoreError(`${e.kind} edge ${e.from.id} -> ${e.to.id} joins a node that was not loaded`);
    }
    const key = edgeKey(e);
    const attrs: StoredEdge = { ...e, syncId: this.syncId };
    if (this.g.hasEdge(key)) this.g.replaceEdgeAttributes(key, attrs);
    else this.g.addEdgeWithKey(key, from, to, attrs);
  }

  private isStale(a: { source: string; tenantId: string; syncId: string }, completed: CompletedScope[]): boolean {
    return a.syncId !== this.syncId && completed.some((c) => c.source === a.source && c.tenantId === a.tenantId);
  }

  async readAccessGraph(completed: CompletedScope[]): Promise<AccessGraph> {
    const nodes: GraphNode[] = [];
    const kept = new Set<string>();
    this.g.forEachNode((key, a) => {
      if (ACCESS_GRAPH_EXCLUDED.has(a.kind) || this.isStale(a, completed)) return;
      nodes.push(a);
      kept.add(key);
    });
    const edges: GraphEdge[] = [];
    this.g.forEachEdge((_, a, source, target) => {
      if (a.kind === 'HAS_EFFECTIVE_PERMISSION' || this.isStale(a, completed)) return;
      if (kept.has(source) && kept.has(target)) edges.push(a);
    });
    return { nodes, edges };
  }

  async writeEffective(edges: GraphEdge[]): Promise<void> {
    const old = this.g.filterEdges((_, a) => a.kind === 'HAS_EFFECTIVE_PERMISSION');
    for (const key of old) this.g.dropEdge(key);
    for (const e of edges) this.putEdge(e);
  }

  async commit(completed: CompletedScope[], run: SyncRunRecord): Promise<void> {
    this.assertOpen();
    try {
      const staleEdges = this.g.filterEdges(
        (_, a) => a.kind !== 'HAS_EFFECTIVE_PERMISSION' && this.isStale(a, completed),
      );
      for (const key of staleEdges) this.g.dropEdge(key);
      const staleNodes = this.g.filterNodes((_, a) => this.isStale(a, completed));
      for (const key of staleNodes) this.g.dropNode(key);
      await this.store.install(this.g, this.syncId, run);
    } finally {
      this.finished = true;
      await this.store.releaseLock();
    }
  }

  async abort(run: SyncRunRecord): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.store.recordSyncRun(run);
    } finally {
      await this.store.releaseLock();
    }
  }

  private assertOpen(): void {
    if (this.finished) throw new StoreError(`sync ${this.syncId} already finished`);
  }
}
