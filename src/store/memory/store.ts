/**
 * The embedded store: a graphology MultiDirectedGraph in memory, persisted as an atomic NDJSON snapshot under the
 * data directory. Needs nothing installed. Queries here are the embedded implementations of the cypher/ queries.
 */
import { open as openFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MultiDirectedGraph } from 'graphology';
import { compare, nodeKey, nodeName } from '../../effective/compute.js';
import { parsePermission } from '../../graph/permissions.js';
import {
  type GraphEdge,
  type GraphNode,
  type NodeKind,
  type PropValue,
  validateEdge,
  validateNode,
} from '../../graph/schema.js';
import { FORWARD_GRANT_EDGES, REVERSE_GRANT_EDGES } from '../../graph/traversal.js';
import type { CorrelationReport } from '../../queries/correlation-report.js';
import {
  type GraphReader,
  normalizeNodeProps,
  QueryEngine,
  type ReaderEdge,
  type ReaderNode,
  type ReaderStep,
} from '../../queries/engine.js';
import type {
  AccountAccessResult,
  ApplicationAccessResult,
  AssetListResult,
  AssetQuery,
  PathsResult,
  SafeAccessResult,
  UserAccessResult,
  WhoCanResult,
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

  private readonly indexes = new WeakMap<G, LookupIndex>();

  /** Per-graph lookup tables, built once per loaded graph (the graph does not change between syncs). */
  private index(g: G): LookupIndex {
    let idx = this.indexes.get(g);
    if (!idx) {
      const built: LookupIndex = { byKind: new Map(), byName: new Map(), byNative: new Map() };
      g.forEachNode((key, a) => {
        push(built.byKind, a.kind, key);
        push(built.byName, `${a.kind}|${nodeName(a).toLowerCase()}`, key);
        push(built.byNative, `${a.kind}|${a.nativeId.toLowerCase()}`, key);
      });
      this.indexes.set(g, built);
      idx = built;
    }
    return idx;
  }

  private engine(g: G): QueryEngine {
    let engine = this.engines.get(g);
    if (!engine) {
      engine = new QueryEngine(new MemoryReader(g, this.index(g)));
      this.engines.set(g, engine);
    }
    return engine;
  }

  private readonly engines = new WeakMap<G, QueryEngine>();

  async whoCan(permission: string, safe: string): Promise<WhoCanResult> {
    parsePermission(permission);
    return this.engine(await this.current()).whoCan(permission, safe);
  }

  async accountAccess(account: string): Promise<AccountAccessResult> {
    return this.engine(await this.current()).accountAccess(account);
  }

  async safeAccess(safe: string): Promise<SafeAccessResult> {
    return this.engine(await this.current()).safeAccess(safe);
  }

  async correlationReport(): Promise<CorrelationReport> {
    return this.engine(await this.current()).correlationReport();
  }

  async applicationAccess(application: string): Promise<ApplicationAccessResult> {
    return this.engine(await this.current()).applicationAccess(application);
  }

  async userAccess(user: string): Promise<UserAccessResult> {
    return this.engine(await this.current()).userAccess(user);
  }

  async paths(from: string, safe: string, maxDepth?: number): Promise<PathsResult> {
    return this.engine(await this.current()).paths(from, safe, maxDepth);
  }

  async listAssets(query: AssetQuery): Promise<AssetListResult> {
    return this.engine(await this.current()).listAssets(query);
  }
}

/** The read primitives of the query engine, over a loaded graphology graph. */
class MemoryReader implements GraphReader {
  constructor(
    private readonly g: G,
    private readonly idx: LookupIndex,
  ) {}

  private node(key: string): ReaderNode {
    const a = this.g.getNodeAttributes(key);
    return {
      key,
      kind: a.kind,
      id: a.id,
      nativeId: a.nativeId,
      tenantId: a.tenantId,
      props: normalizeNodeProps(a.kind, a.props),
    };
  }

  async findNodes(kinds: readonly NodeKind[], field: 'id' | 'name' | 'native', value: string): Promise<ReaderNode[]> {
    const keys =
      field === 'id'
        ? kinds.map((k) => nodeKey(k, value)).filter((k) => this.g.hasNode(k))
        : kinds.flatMap((k) => (field === 'name' ? this.idx.byName : this.idx.byNative).get(`${k}|${value}`) ?? []);
    return keys.map((k) => this.node(k));
  }

  async names(kinds: readonly NodeKind[]): Promise<string[]> {
    return kinds.flatMap((k) => (this.idx.byKind.get(k) ?? []).map((key) => nodeName(this.g.getNodeAttributes(key))));
  }

  async effectiveInto(resourceKey: string): Promise<ReaderEdge[]> {
    const out: ReaderEdge[] = [];
    this.g.forEachInEdge(resourceKey, (_, e, source) => {
      if (e.kind === 'HAS_EFFECTIVE_PERMISSION') out.push({ node: this.node(source), props: e.props });
    });
    return out;
  }

  async effectiveFrom(principalKey: string): Promise<ReaderEdge[]> {
    const out: ReaderEdge[] = [];
    this.g.forEachOutEdge(principalKey, (_, e, _s, target) => {
      if (e.kind === 'HAS_EFFECTIVE_PERMISSION') out.push({ node: this.node(target), props: e.props });
    });
    return out;
  }

  async directoryLinks(keys: readonly string[]) {
    const out: { target: string; node: ReaderNode; matchRule: string | null }[] = [];
    for (const key of keys) {
      this.g.forEachInEdge(key, (_, e, source) => {
        if (e.kind !== 'ASSUMES_USER' && e.kind !== 'IS_GROUP') return;
        out.push({
          target: key,
          node: this.node(source),
          matchRule: typeof e.props.match_rule === 'string' ? e.props.match_rule : null,
        });
      });
    }
    return out;
  }

  async grantSteps(keys: readonly string[]) {
    const out: { from: string; step: ReaderStep }[] = [];
    for (const key of keys) {
      this.g.forEachOutEdge(key, (_, e, _s, target) => {
        if (FORWARD_GRANT_EDGES.includes(e.kind)) {
          out.push({
            from: key,
            step: { to: this.node(target), kind: e.kind, reverse: false, implicit: e.props.implicit === true },
          });
        }
      });
      this.g.forEachInEdge(key, (_, e, source) => {
        if (REVERSE_GRANT_EDGES.includes(e.kind)) {
          out.push({ from: key, step: { to: this.node(source), kind: e.kind, reverse: true, implicit: false } });
        }
      });
    }
    return out;
  }

  async safeMemberships(keys: readonly string[], safeKey: string) {
    const out: { from: string; props: Record<string, PropValue> }[] = [];
    for (const key of keys) {
      this.g.forEachOutEdge(key, (_, e, _s, target) => {
        if (e.kind === 'SAFE_MEMBER' && target === safeKey) out.push({ from: key, props: e.props });
      });
    }
    return out;
  }

  async containingSafe(accountKey: string): Promise<ReaderNode | undefined> {
    let safe: ReaderNode | undefined;
    this.g.forEachInEdge(accountKey, (_, e, source) => {
      if (e.kind === 'CONTAINS') safe = this.node(source);
    });
    return safe;
  }

  async listNodes(kind: NodeKind, search: string | undefined, offset: number, limit: number) {
    const items = (this.idx.byKind.get(kind) ?? [])
      .map((k) => this.node(k))
      .map((n) => ({ n, lower: nodeName(n).toLowerCase() }))
      .filter((x) => !search || x.lower.includes(search))
      .sort((a, b) => compare(a.lower, b.lower) || compare(a.n.id, b.n.id));
    return { total: items.length, items: items.slice(offset, offset + limit).map((x) => x.n) };
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
