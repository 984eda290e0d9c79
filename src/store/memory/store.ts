/**
 * The embedded store: a graphology MultiDirectedGraph in memory, persisted as an atomic NDJSON snapshot under the
 * data directory. Needs nothing installed. Queries here are the embedded implementations of the cypher/ queries.
 *
 * Computed HAS_EFFECTIVE_PERMISSION edges written by runSync (writeEffectiveSet) are not graphology edges: they stay
 * in the compact EffectiveSet the computation produced (interned path steps, typed columns; tens of bytes per edge
 * instead of about a kilobyte) and are materialized as edges only when a query reads them. Millions of them (every
 * user × every safe the Everybody role is a member of) then fit in memory and in the snapshot.
 */
import { open as openFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { MultiDirectedGraph } from 'graphology';
import { compare, EffectiveSet, nodeKey, nodeName } from '../../effective/compute.js';
import { parsePermission } from '../../graph/permissions.js';
import {
  type GraphEdge,
  type GraphNode,
  type NodeKind,
  PRINCIPAL_KINDS,
  type PropValue,
  validateEdge,
  validateNode,
} from '../../graph/schema.js';
import { FORWARD_GRANT_EDGES, REVERSE_GRANT_EDGES } from '../../graph/traversal.js';
import type { CorrelationReport } from '../../queries/correlation-report.js';
import {
  type EffectivePage,
  type GraphReader,
  normalizeNodeProps,
  QueryEngine,
  type ReaderEdge,
  type ReaderNode,
  type ReaderStep,
} from '../../queries/engine.js';
import { principalKindRank } from '../../queries/shape.js';
import type {
  AccountAccessResult,
  ApplicationAccessResult,
  AssetListResult,
  AssetQuery,
  PageRequest,
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
  type StoredEffective,
  type StoredNode,
  StoreError,
  writeFileAtomic,
  writeSnapshot,
} from './snapshot.js';

type G = MultiDirectedGraph<StoredNode, StoredEdge>;

/** Edge ids grouped by one endpoint (compressed sparse rows over the set's node indexes). */
interface Grouped {
  offsets: Int32Array;
  edges: Int32Array;
}

function group(column: { get(i: number): number; length: number }, nodes: number): Grouped {
  const offsets = new Int32Array(nodes + 1);
  for (let i = 0; i < column.length; i++) offsets[column.get(i) + 1]!++;
  for (let k = 0; k < nodes; k++) offsets[k + 1]! += offsets[k]!;
  const next = offsets.slice(0, nodes);
  const edges = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) edges[next[column.get(i)]!++] = i;
  return { offsets, edges };
}

/** Above the largest group of edges into one resource (a safe's principals) the sort key can hold. */
const GROUP_PLACES = 2 ** 26;

/** The computed edges of a graph, kept compact; indexes by endpoint are built on the first query. */
class EffectiveTable {
  private keyIndex: Map<string, number> | undefined;
  private byResource: Grouped | undefined;
  private byPrincipal: Grouped | undefined;
  /** Per node index: 1 once the edges into it are in answer order (intoOrdered). */
  private sortedGroups: Uint8Array | undefined;
  /** Per node index: its answer rank (built by MemoryReader.setRanks). */
  setRanks: Int32Array | undefined;

  constructor(readonly stored: StoredEffective) {}

  get size(): number {
    return this.stored.set.size;
  }

  private indexOf(key: string): number | undefined {
    if (!this.keyIndex) {
      this.keyIndex = new Map();
      this.stored.keys.forEach((k, i) => {
        this.keyIndex!.set(k, i);
      });
    }
    return this.keyIndex.get(key);
  }

  /**
   * The ids of the edges into the resource, in answer order of their principals (`rank`: per node index of the set,
   * the principal's place in answers; -1 for a node the graph no longer holds). Each resource's group is sorted in
   * place the first time it is asked for, so a large safe is sorted once, not on every page.
   */
  intoOrdered(resourceKey: string, rank: () => Int32Array): Int32Array {
    const i = this.indexOf(resourceKey);
    if (i === undefined) return new Int32Array(0);
    const { set, keys } = this.stored;
    this.byResource ??= group(set.resource, keys.length);
    this.sortedGroups ??= new Uint8Array(keys.length);
    const ids = this.byResource.edges.subarray(this.byResource.offsets[i]!, this.byResource.offsets[i + 1]!);
    if (this.sortedGroups[i] === 0) {
      // Sorted as numbers, (rank + 1) × 2^26 + place in the group (exact below 2^53; rank -1 for a gone node): a native
      // numeric sort, several times faster than a comparator over 100,000 edges. Principals are distinct in a group.
      const r = rank();
      const keyed = new Float64Array(ids.length);
      for (let k = 0; k < ids.length; k++) keyed[k] = (r[set.principal.get(ids[k]!)]! + 1) * GROUP_PLACES + k;
      keyed.sort();
      const original = ids.slice();
      for (let k = 0; k < keyed.length; k++) ids[k] = original[keyed[k]! % GROUP_PLACES]!;
      this.sortedGroups[i] = 1;
    }
    return ids;
  }

  /** Edges out of the principal: [resource key, edge properties]. */
  from(principalKey: string, visit: (resourceKey: string, props: Record<string, PropValue>) => void): void {
    const i = this.indexOf(principalKey);
    if (i === undefined) return;
    const { set, keys } = this.stored;
    this.byPrincipal ??= group(set.principal, keys.length);
    const { offsets, edges } = this.byPrincipal;
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) {
      const e = edges[k]!;
      visit(keys[set.resource.get(e)]!, set.props(e));
    }
  }
}

/** A graph as the store holds it: graphology for everything but the computed edges of the last sync. */
interface Loaded {
  g: G;
  effective: EffectiveTable | undefined;
}

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

/** Edges without properties share this one (frozen: nothing may write into it). */
const EMPTY_PROPS = Object.freeze({}) as Record<string, PropValue>;
/** Strings longer than this are not interned (ids, names and paths rarely repeat). */
const INTERN_MAX_LENGTH = 40;

/**
 * Shares what repeats across a million rows: short strings (kinds, tenant and sync ids, sources, enum-like property
 * values, permission names), one endpoint reference per node for all its edges, and one empty property object. On a
 * large tenant this is about a third of the embedded store's heap. Values are replaced by equal ones only.
 */
class Compactor {
  private readonly strings = new Map<string, string>();
  private readonly refs = new Map<string, { kind: NodeKind; id: string }>();

  constructor(private readonly g: G) {}

  str<T extends string>(s: T): T {
    if (s.length > INTERN_MAX_LENGTH) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known as T;
    this.strings.set(s, s);
    return s;
  }

  props(p: Record<string, PropValue>): Record<string, PropValue> {
    let empty = true;
    for (const k in p) {
      empty = false;
      const v = p[k];
      if (typeof v === 'string') p[k] = this.str(v);
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = this.str(v[i]!);
    }
    return empty ? EMPTY_PROPS : p;
  }

  node<N extends StoredNode>(n: N): N {
    n.kind = this.str(n.kind);
    n.tenantId = this.str(n.tenantId);
    n.source = this.str(n.source);
    n.syncId = this.str(n.syncId);
    n.props = this.props(n.props);
    return n;
  }

  /** The node's shared `{ kind, id }` (the node must be in the graph). */
  ref(key: string): { kind: NodeKind; id: string } {
    let ref = this.refs.get(key);
    if (!ref) {
      const a = this.g.getNodeAttributes(key);
      ref = { kind: a.kind, id: a.id };
      this.refs.set(key, ref);
    }
    return ref;
  }

  edge(e: StoredEdge, from: string, to: string): StoredEdge {
    e.kind = this.str(e.kind);
    e.from = this.ref(from);
    e.to = this.ref(to);
    e.tenantId = this.str(e.tenantId);
    e.source = this.str(e.source);
    e.syncId = this.str(e.syncId);
    e.props = this.props(e.props);
    return e;
  }
}

function newGraph(): G {
  return new MultiDirectedGraph<StoredNode, StoredEdge>({ allowSelfLoops: true });
}

async function loadGraph(dir: string): Promise<Loaded | undefined> {
  const g = newGraph();
  const compact = new Compactor(g);
  let effective: EffectiveTable | undefined;
  const info = await readSnapshot(
    dir,
    (n) => g.addNode(nodeKey(n.kind, n.id), compact.node(n)),
    (e) => {
      const from = nodeKey(e.from.kind, e.from.id);
      const to = nodeKey(e.to.kind, e.to.id);
      if (g.hasNode(from) && g.hasNode(to)) g.addEdge(from, to, compact.edge(e, from, to));
    },
    (section) => {
      // Edges whose nodes are gone are skipped when read (the reader checks the graph).
      const nodes = section.keys.map((key) => {
        if (g.hasNode(key)) return g.getNodeAttributes(key);
        const bar = key.indexOf('|');
        return { kind: key.slice(0, bar) as NodeKind, id: key.slice(bar + 1), tenantId: '' };
      });
      const set = new EffectiveSet(nodes, section.parts);
      effective = new EffectiveTable({ set, keys: section.keys, syncId: section.syncId });
    },
  );
  return info ? { g, effective } : undefined;
}

/**
 * Lookups by kind, and by lower-cased name or native id within a kind. The name and native-id maps of a kind are
 * built the first time that kind is looked up that way: a server answering who-can never pays for the 500k accounts.
 */
class LookupIndex {
  readonly byKind = new Map<NodeKind, string[]>();
  private readonly byName = new Map<NodeKind, Map<string, string | string[]>>();
  private readonly byNative = new Map<NodeKind, Map<string, string | string[]>>();

  constructor(private readonly g: G) {
    g.forEachNode((key, a) => push(this.byKind, a.kind, key));
  }

  private directoryIn: Map<string, { source: string; edge: StoredEdge }[]> | undefined;

  /**
   * The ASSUMES_USER and IS_GROUP edges into a node (the directory identities that are this CyberArk user or group),
   * indexed once per graph: graphology does not index edges by kind, and walking a role's or group's in-edges to find
   * them meant walking 100,000 HAS_ROLE or MEMBER_OF edges for the Everybody role on a large tenant.
   */
  directoryEdgesInto(key: string): readonly { source: string; edge: StoredEdge }[] {
    if (!this.directoryIn) {
      const index = new Map<string, { source: string; edge: StoredEdge }[]>();
      this.g.forEachEdge((_, edge, source, target) => {
        if (REVERSE_GRANT_EDGES.includes(edge.kind)) push(index, target, { source, edge });
      });
      this.directoryIn = index;
    }
    return this.directoryIn.get(key) ?? [];
  }

  /** Keys of the nodes of `kind` whose lower-cased name (or native id) is `value`. */
  find(kind: NodeKind, field: 'name' | 'native', value: string): string[] {
    const maps = field === 'name' ? this.byName : this.byNative;
    let map = maps.get(kind);
    if (!map) {
      map = new Map();
      for (const key of this.byKind.get(kind) ?? []) {
        const a = this.g.getNodeAttributes(key);
        add(map, field === 'name' ? nodeName(a).toLowerCase() : a.nativeId.toLowerCase(), key);
      }
      maps.set(kind, map);
    }
    return all(map.get(value));
  }
}

/** Adds to a map whose values are one key, or several (rare: an array only then). */
function add(map: Map<string, string | string[]>, key: string, value: string): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, value);
  else if (typeof found === 'string') map.set(key, [found, value]);
  else found.push(value);
}

function all(found: string | string[] | undefined): string[] {
  return found === undefined ? [] : typeof found === 'string' ? [found] : found;
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
  /** Called after each load of the snapshot from disk, with its duration (for logs and tests). */
  onSnapshotLoaded?: (info: { ms: number }) => void;
}

export class MemoryStore implements GraphStore {
  readonly kind = 'memory' as const;
  private graph: Loaded | undefined;
  private loaded = false;
  /**
   * The snapshot load in progress, shared by every request that arrives meanwhile. Without it, each request reaching
   * a server before the first load ended started a load of its own: on the large tenant (a 30 s load) a client's
   * retries made the server hold several 2 GB graphs at once.
   */
  private loading: Promise<Loaded | undefined> | undefined;
  private readonly dir: string;
  private readonly onSnapshotLoaded: MemoryStoreOptions['onSnapshotLoaded'];

  constructor(options: MemoryStoreOptions) {
    this.dir = path.resolve(options.dataDir);
    this.onSnapshotLoaded = options.onSnapshotLoaded;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.graph = undefined;
    this.loaded = false;
    this.loading = undefined;
  }

  /** The last good graph; loaded lazily so that commands that do not query do not pay for it. */
  private async current(): Promise<Loaded> {
    if (!this.loaded) {
      this.loading ??= this.loadSnapshot();
      const graph = await this.loading;
      // A sync may have installed a newer graph while the snapshot was being read: that one wins.
      if (!this.loaded) {
        this.graph = graph;
        this.loaded = true;
      }
    }
    if (!this.graph) {
      throw new StoreError(`no graph in ${this.dir} yet: run "arkgraph sync" first (or "arkgraph demo")`);
    }
    return this.graph;
  }

  private async loadSnapshot(): Promise<Loaded | undefined> {
    const start = performance.now();
    try {
      const graph = await loadGraph(this.dir);
      if (graph) this.onSnapshotLoaded?.({ ms: performance.now() - start });
      return graph;
    } finally {
      this.loading = undefined;
    }
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
      const working = (await loadGraph(this.dir)) ?? { g: newGraph(), effective: undefined };
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
  async install(graph: Loaded, syncId: string, run: SyncRunRecord): Promise<void> {
    await writeSnapshot(
      this.dir,
      syncId,
      graph.g.mapNodes((_, a) => a),
      graph.g.mapEdges((_, a) => a),
      graph.effective?.stored,
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
    const { g, effective } = await this.current();
    const nodes: StoreStats['nodes'] = {};
    const edges: Record<string, number> = {};
    g.forEachNode((_, a) => {
      nodes[a.kind] = (nodes[a.kind] ?? 0) + 1;
    });
    g.forEachEdge((_, a) => {
      edges[a.kind] = (edges[a.kind] ?? 0) + 1;
    });
    if (effective?.size) {
      edges.HAS_EFFECTIVE_PERMISSION = (edges.HAS_EFFECTIVE_PERMISSION ?? 0) + effective.size;
    }
    return { nodes, edges };
  }

  // ---------------------------------------------------------------- lookups

  private readonly indexes = new WeakMap<G, LookupIndex>();

  /** Per-graph lookup tables, built once per loaded graph (the graph does not change between syncs). */
  private index(g: G): LookupIndex {
    let idx = this.indexes.get(g);
    if (!idx) {
      idx = new LookupIndex(g);
      this.indexes.set(g, idx);
    }
    return idx;
  }

  private engine(loaded: Loaded): QueryEngine {
    let engine = this.engines.get(loaded);
    if (!engine) {
      engine = new QueryEngine(new MemoryReader(loaded.g, this.index(loaded.g), loaded.effective));
      this.engines.set(loaded, engine);
    }
    return engine;
  }

  private readonly engines = new WeakMap<Loaded, QueryEngine>();

  async whoCan(permission: string, safe: string, page?: PageRequest): Promise<WhoCanResult> {
    parsePermission(permission);
    return this.engine(await this.current()).whoCan(permission, safe, page);
  }

  async accountAccess(account: string, page?: PageRequest): Promise<AccountAccessResult> {
    return this.engine(await this.current()).accountAccess(account, page);
  }

  async safeAccess(safe: string, page?: PageRequest): Promise<SafeAccessResult> {
    return this.engine(await this.current()).safeAccess(safe, page);
  }

  async correlationReport(): Promise<CorrelationReport> {
    return this.engine(await this.current()).correlationReport();
  }

  async applicationAccess(application: string, page?: PageRequest): Promise<ApplicationAccessResult> {
    return this.engine(await this.current()).applicationAccess(application, page);
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
    private readonly effective: EffectiveTable | undefined,
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
        : kinds.flatMap((k) => this.idx.find(k, field, value));
    return keys.map((k) => this.node(k));
  }

  async names(kinds: readonly NodeKind[]): Promise<string[]> {
    return kinds.flatMap((k) => (this.idx.byKind.get(k) ?? []).map((key) => nodeName(this.g.getNodeAttributes(key))));
  }

  /** Per principal node key, its place in answers (principalKindRank, lower-cased name, id); built once per graph. */
  private principalRanks(): Map<string, number> {
    if (!this.ranks) {
      const keyed: { key: string; kind: number; lower: string; id: string }[] = [];
      for (const kind of PRINCIPAL_KINDS) {
        for (const key of this.idx.byKind.get(kind) ?? []) {
          const a = this.g.getNodeAttributes(key);
          keyed.push({ key, kind: principalKindRank(kind), lower: nodeName(a).toLowerCase(), id: a.id });
        }
      }
      keyed.sort((a, b) => a.kind - b.kind || compare(a.lower, b.lower) || compare(a.id, b.id));
      this.ranks = new Map(keyed.map((k, i) => [k.key, i]));
    }
    return this.ranks;
  }

  private ranks: Map<string, number> | undefined;

  /** The answer rank of each node of the computed set (-1: not a principal the graph holds). */
  private setRanks(table: EffectiveTable): Int32Array {
    if (!table.setRanks) {
      const ranks = this.principalRanks();
      table.setRanks = Int32Array.from(table.stored.keys, (k) => ranks.get(k) ?? -1);
    }
    return table.setRanks;
  }

  /** A role whose members cannot be listed (the key test first: this runs for every principal of a large safe). */
  private isDynamicRole(key: string): boolean {
    return key.startsWith('CyberArkRole|') && this.g.getNodeAttributes(key).props.members_unknown === true;
  }

  /** Per resource and permission asked about: how many principals match and the dynamic roles among them. */
  private readonly intoTotals = new Map<string, { total: number; dynamicRoles: string[] }>();

  /**
   * A page of the compact set's edges into the resource (writeEffectiveSet): edge ids come in answer order and
   * permissions are checked once per distinct list. The first request for a resource and permission walks every edge
   * to count them (about 100,000 for a safe the Everybody role is in); later ones stop at the end of their page.
   */
  private tablePage(
    table: EffectiveTable,
    resourceKey: string,
    permission: string | null,
    offset: number,
    end: number,
    grants: (permissions: readonly PropValue[]) => boolean,
  ): EffectivePage {
    const { set, keys } = table.stored;
    const rank = this.setRanks(table);
    const listGrants = set.permissionLists.map(grants);
    const totalsKey = `${permission ?? ''}\u0000${resourceKey}`;
    const known = this.intoTotals.get(totalsKey);
    const edges: ReaderEdge[] = [];
    const dynamicRoles: string[] = [];
    let n = 0;
    for (const e of table.intoOrdered(resourceKey, () => rank)) {
      const principal = set.principal.get(e);
      if (rank[principal] === -1 || !listGrants[set.permissionList.get(e)]) continue;
      if (n >= offset && n < end) edges.push({ node: this.node(keys[principal]!), props: set.props(e) });
      n++;
      if (known) {
        if (n >= end) break;
      } else if (this.isDynamicRole(keys[principal]!)) {
        dynamicRoles.push(keys[principal]!);
      }
    }
    const totals = known ?? { total: n, dynamicRoles };
    if (!known) this.intoTotals.set(totalsKey, totals);
    return { total: totals.total, edges, dynamicRoles: totals.dynamicRoles.map((k) => this.node(k)) };
  }

  async effectiveInto(
    resourceKey: string,
    permission: string | null,
    offset: number,
    limit: number | null,
  ): Promise<EffectivePage> {
    const end = limit === null ? Number.POSITIVE_INFINITY : offset + limit;
    const grants = (permissions: readonly PropValue[]) =>
      permission === null ? permissions.length > 0 : permissions.includes(permission);

    // The computed edges are either the compact set (writeEffectiveSet, what runSync writes) or graph edges
    // (writeEffective): each write drops the other form (dropEffective).
    if (this.effective) return this.tablePage(this.effective, resourceKey, permission, offset, end, grants);
    const ranks = this.principalRanks();
    const found: { key: string; rank: number; props: Record<string, PropValue> }[] = [];
    this.g.forEachInEdge(resourceKey, (_, e, source) => {
      if (e.kind !== 'HAS_EFFECTIVE_PERMISSION') return;
      const permissions = Array.isArray(e.props.permissions) ? e.props.permissions : [];
      if (grants(permissions)) found.push({ key: source, rank: ranks.get(source) ?? -1, props: e.props });
    });
    found.sort((a, b) => a.rank - b.rank);
    return {
      total: found.length,
      edges: found.slice(offset, end).map((f) => ({ node: this.node(f.key), props: f.props })),
      dynamicRoles: found.filter((f) => this.isDynamicRole(f.key)).map((f) => this.node(f.key)),
    };
  }

  async effectiveFrom(principalKey: string): Promise<ReaderEdge[]> {
    const out: ReaderEdge[] = [];
    this.g.forEachOutEdge(principalKey, (_, e, _s, target) => {
      if (e.kind === 'HAS_EFFECTIVE_PERMISSION') out.push({ node: this.node(target), props: e.props });
    });
    this.effective?.from(principalKey, (resource, props) => {
      if (this.g.hasNode(resource)) out.push({ node: this.node(resource), props });
    });
    return out;
  }

  async directoryLinks(keys: readonly string[]) {
    const out: { target: string; node: ReaderNode; matchRule: string | null }[] = [];
    for (const key of keys) {
      for (const { source, edge } of this.idx.directoryEdgesInto(key)) {
        out.push({
          target: key,
          node: this.node(source),
          matchRule: typeof edge.props.match_rule === 'string' ? edge.props.match_rule : null,
        });
      }
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
      for (const { source, edge } of this.idx.directoryEdgesInto(key)) {
        out.push({ from: key, step: { to: this.node(source), kind: edge.kind, reverse: true, implicit: false } });
      }
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
  private readonly g: G;
  private readonly compact: Compactor;

  constructor(
    private readonly store: MemoryStore,
    private readonly working: Loaded,
    readonly syncId: string,
  ) {
    this.g = working.g;
    this.compact = new Compactor(working.g);
  }

  async upsert(nodes: GraphNode[], edges: GraphEdge[]): Promise<void> {
    for (const n of nodes) {
      validateNode(n);
      const key = nodeKey(n.kind, n.id);
      const attrs = this.compact.node({ ...n, syncId: this.syncId });
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
    // One edge per kind between two nodes: an upsert replaces it.
    let existing: string | undefined;
    this.g.forEachOutEdge(from, to, (key, a) => {
      if (a.kind === e.kind) existing = key;
    });
    const attrs = this.compact.edge({ ...e, syncId: this.syncId }, from, to);
    if (existing !== undefined) this.g.replaceEdgeAttributes(existing, attrs);
    else this.g.addEdge(from, to, attrs);
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

  private dropEffective(): void {
    const old = this.g.filterEdges((_, a) => a.kind === 'HAS_EFFECTIVE_PERMISSION');
    for (const key of old) this.g.dropEdge(key);
    this.working.effective = undefined;
  }

  async writeEffective(edges: GraphEdge[]): Promise<void> {
    this.dropEffective();
    for (const e of edges) this.putEdge(e);
  }

  /** Replaces the computed edges with the set, kept compact (see EffectiveTable). */
  async writeEffectiveSet(set: EffectiveSet): Promise<void> {
    this.dropEffective();
    const keys = set.nodes.map((n) => nodeKey(n.kind, n.id));
    const seen = new Uint8Array(keys.length);
    for (let i = 0; i < set.size; i++) {
      for (const n of [set.principal.get(i), set.resource.get(i)]) {
        if (seen[n] === 1) continue;
        if (!this.g.hasNode(keys[n]!)) {
          throw new StoreError(`HAS_EFFECTIVE_PERMISSION edge joins a node that was not loaded: ${keys[n]}`);
        }
        seen[n] = 1;
      }
    }
    // Every edge has the same shape; the schema check of one catches a change of shape.
    if (set.size > 0) validateEdge(set.edge(0));
    this.working.effective = new EffectiveTable({ set: set.trim(), keys, syncId: this.syncId });
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
      await this.store.install(this.working, this.syncId, run);
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
