/**
 * The Neo4j store (neo4j-driver 6): constraints and batched UNWIND loads generated from the schema, the read
 * primitives of the query engine as the Cypher files in cypher/, stale-data cleanup in bounded transactions scoped
 * to the (source, tenant) pairs that completed, and SyncRun nodes. Works with bolt:// and neo4j:// (cluster, Aura).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import neo4j, { type Driver, type Node as Neo4jNode, type QueryResult, type RecordShape } from 'neo4j-driver';
import type { EffectiveSet } from '../../effective/compute.js';
import { parsePermission } from '../../graph/permissions.js';
import {
  EDGE_KINDS,
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  NODE_KINDS,
  type NodeKind,
  PRINCIPAL_KINDS,
  type PropValue,
} from '../../graph/schema.js';
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
import { PRINCIPAL_KIND_RANK } from '../../queries/shape.js';
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
import { StoreError } from '../memory/snapshot.js';
import type { AccessGraph, CompletedScope, GraphStore, StoreStats, SyncRunRecord, SyncWriter } from '../types.js';
import {
  EDGE_BOOKKEEPING,
  EFFECTIVE_CLEANUP,
  edgeExists,
  edgeRow,
  edgeWrite,
  NODE_BOOKKEEPING,
  nodeRow,
  nodeUpsert,
  schemaStatements,
  staleEdgeCleanup,
  staleNodeCleanup,
} from './statements.js';

const CYPHER_DIR = fileURLToPath(new URL('../../../cypher/', import.meta.url));
const cache = new Map<string, string>();

/** Loads cypher/<name>.cypher (once). */
export function cypher(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(`${CYPHER_DIR}${name}.cypher`, 'utf8');
    cache.set(name, text);
  }
  return text;
}

export interface Neo4jStoreOptions {
  uri?: string;
  user: string;
  password?: string;
  database: string;
  /** Rows per UNWIND batch (default 5000). */
  batchSize?: number;
}

const ACCESS_KINDS: NodeKind[] = NODE_KINDS.filter(
  (k) => !['Account', 'IdentityTenant', 'PrivilegeCloudTenant', 'EntraTenant', 'ADDomain', 'SyncRun'].includes(k),
);

function toReaderNode(n: Neo4jNode): ReaderNode {
  const p = n.properties as Record<string, PropValue>;
  const kind = p.ark_kind as NodeKind;
  const props: Record<string, PropValue> = {};
  for (const [k, v] of Object.entries(p)) if (!NODE_BOOKKEEPING.has(k)) props[k] = v;
  return {
    key: String(p.ark_key),
    kind,
    id: String(p.id),
    nativeId: String(p.native_id ?? ''),
    tenantId: String(p.tenant_id ?? ''),
    props: normalizeNodeProps(kind, props),
  };
}

function wrap(error: unknown, uri: string | undefined): Error {
  if (error instanceof StoreError) return error;
  const e = error as { code?: string; message?: string; name?: string };
  if (e?.name === 'Neo4jError' || e?.code) {
    const what = e.code === 'ServiceUnavailable' || e.code === 'SessionExpired' ? 'is unreachable' : 'failed';
    return new StoreError(`Neo4j at ${uri ?? '(no NEO4J_URI)'} ${what}: ${e.code ?? ''} ${e.message ?? ''}`.trim(), {
      cause: error,
    });
  }
  return error as Error;
}

export class Neo4jStore implements GraphStore {
  readonly kind = 'neo4j' as const;
  readonly driver: Driver;
  readonly database: string;
  readonly batchSize: number;
  readonly uri: string;
  private readonly engine: QueryEngine;

  constructor(private readonly options: Neo4jStoreOptions) {
    if (!options.uri)
      throw new StoreError('the neo4j store needs NEO4J_URI (e.g. bolt://127.0.0.1:7687 or neo4j+s://…)');
    if (!options.password) throw new StoreError('the neo4j store needs NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)');
    this.driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      disableLosslessIntegers: true,
      // Logs go nowhere by default; the driver never sees our own secrets but keeps its chatter off stderr.
    });
    this.database = options.database;
    this.uri = options.uri;
    this.batchSize = options.batchSize ?? 5000;
    this.engine = new QueryEngine(new Neo4jReader(this));
  }

  async run<R extends RecordShape = RecordShape>(
    query: string,
    params: Record<string, unknown> = {},
    mode: 'READ' | 'WRITE' = 'READ',
  ): Promise<QueryResult<R>> {
    try {
      return await this.driver.executeQuery<QueryResult<R>>(query, params, {
        database: this.database,
        routing: mode === 'READ' ? neo4j.routing.READ : neo4j.routing.WRITE,
      });
    } catch (error) {
      throw wrap(error, this.options.uri);
    }
  }

  /** Auto-commit query, needed for CALL … IN TRANSACTIONS. */
  async runAutoCommit(query: string, params: Record<string, unknown>): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      await session.run(query, params);
    } catch (error) {
      throw wrap(error, this.options.uri);
    } finally {
      await session.close();
    }
  }

  /**
   * Batched writes in managed transactions (retried by the driver on transient errors, deadlocks included).
   * `parallel` sessions take batches in turn: the server works on one batch while the driver encodes and sends the
   * next. Relationship batches may share an endpoint (a safe, a tenant); Neo4j 5 adds relationships to such dense
   * nodes under shared locks, and a rare deadlock is retried (measured on medium: 2 sessions write edges about 1.6×
   * as fast as one; docs/benchmarks.md).
   */
  async writeBatches(query: string, rows: unknown[], parallel = 1): Promise<void> {
    await this.writeBatchesOf(query, rows.length, (start, end) => rows.slice(start, end), parallel);
  }

  /** writeBatches for `count` rows built a batch at a time, just before it is sent: `batchOf(start, end)`. */
  async writeBatchesOf(
    query: string,
    count: number,
    batchOf: (start: number, end: number) => unknown[],
    parallel = 1,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
      try {
        for (;;) {
          const start = next;
          next += this.batchSize;
          if (start >= count) return;
          const batch = batchOf(start, Math.min(count, start + this.batchSize));
          await session.executeWrite((tx) => tx.run(query, { rows: batch }));
        }
      } finally {
        await session.close();
      }
    };
    const workers = Math.max(1, Math.min(parallel, Math.ceil(count / this.batchSize)));
    const results = await Promise.allSettled(Array.from({ length: workers }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw wrap(failed.reason, this.options.uri);
  }

  async open(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
    } catch (error) {
      throw wrap(error, this.options.uri);
    }
    for (const statement of schemaStatements()) await this.run(statement, {}, 'WRITE');
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  async beginSync(syncId: string): Promise<SyncWriter> {
    return new Neo4jSyncWriter(this, syncId);
  }

  async recordSyncRun(run: SyncRunRecord): Promise<void> {
    const node: GraphNode = {
      kind: 'SyncRun',
      id: run.id,
      nativeId: run.id,
      tenantId: '',
      source: 'effective',
      props: {
        status: run.status,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        sources: run.sources,
        partial_sources: run.partialSources,
        counts_json: JSON.stringify(run.counts),
        durations_json: JSON.stringify(run.durationsMs),
        errors_json: JSON.stringify(run.errors),
      },
    };
    // A sync run is never stale: it keeps its own id as sync_id.
    await this.writeBatches(nodeUpsert('SyncRun'), [nodeRow(node, run.id)]);
  }

  private toRun(n: Neo4jNode): SyncRunRecord {
    const p = n.properties as Record<string, unknown>;
    const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);
    return {
      id: String(p.id),
      status: p.status as SyncRunRecord['status'],
      startedAt: String(p.started_at),
      finishedAt: typeof p.finished_at === 'string' ? p.finished_at : null,
      sources: (p.sources as string[]) ?? [],
      partialSources: (p.partial_sources as string[]) ?? [],
      counts: json(p.counts_json, {}),
      durationsMs: json(p.durations_json, {}),
      errors: json(p.errors_json, []),
    };
  }

  async syncRuns(limit = 50): Promise<SyncRunRecord[]> {
    const r = await this.run(cypher('sync_runs'), { limit: neo4j.int(limit) });
    return r.records.map((rec) => this.toRun(rec.get('r')));
  }

  async syncRun(id: string): Promise<SyncRunRecord | undefined> {
    const r = await this.run(cypher('find_by_key'), { keys: [`SyncRun|${id}`] });
    const n = r.records[0]?.get('n');
    return n ? this.toRun(n) : undefined;
  }

  async stats(): Promise<StoreStats> {
    const nodes: StoreStats['nodes'] = {};
    const edges: Record<string, number> = {};
    // Sync runs are bookkeeping, listed by syncRuns(), as in the embedded store.
    const n = await this.run(
      "MATCH (n:ArkNode) WHERE n.ark_kind <> 'SyncRun' RETURN n.ark_kind AS kind, count(*) AS count",
    );
    for (const rec of n.records) nodes[rec.get('kind') as NodeKind] = rec.get('count') as number;
    for (const kind of EDGE_KINDS) {
      const r = await this.run(`MATCH ()-[r:\`${kind}\`]->() RETURN count(r) AS count`);
      const count = r.records[0]?.get('count') as number;
      if (count) edges[kind] = count;
    }
    return { nodes, edges };
  }

  async hasData(): Promise<boolean> {
    const r = await this.run("MATCH (n:ArkNode) WHERE n.ark_kind <> 'SyncRun' RETURN n.ark_key AS key LIMIT 1");
    return r.records.length > 0;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (!(await this.hasData())) {
      throw new StoreError(
        `no graph in Neo4j database "${this.database}" yet: run "arkgraph sync --store neo4j" first`,
      );
    }
    return fn();
  }

  async whoCan(permission: string, safe: string, page?: PageRequest): Promise<WhoCanResult> {
    parsePermission(permission);
    return this.guard(() => this.engine.whoCan(permission, safe, page));
  }
  async userAccess(user: string): Promise<UserAccessResult> {
    return this.guard(() => this.engine.userAccess(user));
  }
  async paths(from: string, safe: string, maxDepth?: number): Promise<PathsResult> {
    return this.guard(() => this.engine.paths(from, safe, maxDepth));
  }
  async accountAccess(account: string, page?: PageRequest): Promise<AccountAccessResult> {
    return this.guard(() => this.engine.accountAccess(account, page));
  }
  async safeAccess(safe: string, page?: PageRequest): Promise<SafeAccessResult> {
    return this.guard(() => this.engine.safeAccess(safe, page));
  }
  async correlationReport(): Promise<CorrelationReport> {
    return this.guard(() => this.engine.correlationReport());
  }
  async applicationAccess(application: string, page?: PageRequest): Promise<ApplicationAccessResult> {
    return this.guard(() => this.engine.applicationAccess(application, page));
  }
  async listAssets(query: AssetQuery): Promise<AssetListResult> {
    return this.engine.listAssets(query);
  }
}

class Neo4jReader implements GraphReader {
  constructor(private readonly s: Neo4jStore) {}

  async findNodes(kinds: readonly NodeKind[], field: 'id' | 'name' | 'native', value: string): Promise<ReaderNode[]> {
    const r =
      field === 'id'
        ? await this.s.run(cypher('find_by_key'), { keys: kinds.map((k) => `${k}|${value}`) })
        : await this.s.run(cypher(field === 'name' ? 'find_by_name' : 'find_by_native'), { kinds, value });
    return r.records.map((rec) => toReaderNode(rec.get('n')));
  }

  async names(kinds: readonly NodeKind[]): Promise<string[]> {
    const r = await this.s.run(cypher('names'), { kinds });
    return r.records.map((rec) => String(rec.get('name')));
  }

  private async edges(query: string, key: string): Promise<ReaderEdge[]> {
    const r = await this.s.run(cypher(query), { key });
    return r.records.map((rec) => ({ node: toReaderNode(rec.get('node')), props: rec.get('props') }));
  }

  async effectiveInto(
    resourceKey: string,
    permission: string | null,
    offset: number,
    limit: number | null,
  ): Promise<EffectivePage> {
    const params = { key: resourceKey, permission };
    const [count, page] = await Promise.all([
      this.s.run(cypher('effective_into_count'), params),
      this.s.run(cypher('effective_into'), {
        ...params,
        kindRank: PRINCIPAL_KIND_RANK,
        otherRank: PRINCIPAL_KINDS.length,
        offset: neo4j.int(offset),
        limit: neo4j.int(limit ?? Number.MAX_SAFE_INTEGER),
      }),
    ]);
    return {
      total: Number(count.records[0]?.get('total') ?? 0),
      edges: page.records.map((rec) => ({ node: toReaderNode(rec.get('node')), props: rec.get('props') })),
      dynamicRoles: ((count.records[0]?.get('dynamicRoles') ?? []) as Neo4jNode[]).map(toReaderNode),
    };
  }

  effectiveFrom(principalKey: string): Promise<ReaderEdge[]> {
    return this.edges('effective_from', principalKey);
  }

  async directoryLinks(keys: readonly string[]) {
    const r = await this.s.run(cypher('directory_links'), { keys });
    return r.records.map((rec) => ({
      target: String(rec.get('target')),
      node: toReaderNode(rec.get('node')),
      matchRule: (rec.get('matchRule') as string | null) ?? null,
    }));
  }

  async grantSteps(keys: readonly string[]) {
    const r = await this.s.run(cypher('grant_steps'), { keys });
    return r.records.map((rec) => ({
      from: String(rec.get('from')),
      step: {
        to: toReaderNode(rec.get('node')),
        kind: rec.get('via') as EdgeKind,
        reverse: rec.get('reverse') === true,
        implicit: rec.get('implicit') === true,
      } satisfies ReaderStep,
    }));
  }

  async safeMemberships(keys: readonly string[], safeKey: string) {
    const r = await this.s.run(cypher('safe_memberships'), { keys, safeKey });
    return r.records.map((rec) => ({
      from: String(rec.get('from')),
      props: rec.get('props') as Record<string, PropValue>,
    }));
  }

  async containingSafe(accountKey: string): Promise<ReaderNode | undefined> {
    const r = await this.s.run(cypher('containing_safe'), { key: accountKey });
    const n = r.records[0]?.get('node');
    return n ? toReaderNode(n) : undefined;
  }

  async listNodes(kind: NodeKind, search: string | undefined, offset: number, limit: number) {
    const params = { kind, search: search ?? null };
    const [count, page] = await Promise.all([
      this.s.run(cypher('count_nodes'), params),
      this.s.run(cypher('list_nodes'), { ...params, offset: neo4j.int(offset), limit: neo4j.int(limit) }),
    ]);
    return {
      total: Number(count.records[0]?.get('total') ?? 0),
      items: page.records.map((rec) => toReaderNode(rec.get('n'))),
    };
  }
}

/**
 * Writes in place but deletes nothing before commit: a sync that fails leaves the previous rows, plus whatever this
 * sync had upserted, and no stale-data cleanup runs.
 */
class Neo4jSyncWriter implements SyncWriter {
  constructor(
    private readonly s: Neo4jStore,
    readonly syncId: string,
  ) {}

  async upsert(nodes: GraphNode[], edges: GraphEdge[]): Promise<void> {
    const byKind = new Map<NodeKind, unknown[]>();
    for (const n of nodes) {
      const list = byKind.get(n.kind) ?? [];
      list.push(nodeRow(n, this.syncId));
      byKind.set(n.kind, list);
    }
    // Two sessions: the server works on one batch while the driver sends the next (about 30 % more nodes per second
    // on a 2-core machine); nodes are distinct, so the batches never wait on each other's locks.
    for (const [kind, rows] of byKind) await this.s.writeBatches(nodeUpsert(kind), rows, 2);
    await this.writeEdges(edges);
  }

  private async writeEdges(edges: GraphEdge[]): Promise<void> {
    const byKind = new Map<EdgeKind, Map<string, ReturnType<typeof edgeRow>>>();
    for (const e of edges) {
      let rows = byKind.get(e.kind);
      if (!rows) {
        rows = new Map();
        byKind.set(e.kind, rows);
      }
      const row = edgeRow(e, this.syncId);
      // One row per (from, to): the last one wins, as MERGE then SET would have it.
      rows.set(`${row.from}\u0000${row.to}`, row);
    }
    for (const [kind, rows] of byKind) await this.s.writeBatches(await this.edgeWriteOf(kind), [...rows.values()], 2);
  }

  /**
   * The batched write for a relationship kind: CREATE while the database holds none of the kind (a first sync: there
   * is nothing to merge with, so no search for an existing relationship), else MERGE. Rows must be unique by
   * endpoints.
   */
  private async edgeWriteOf(kind: EdgeKind): Promise<string> {
    const existing = await this.s.run(edgeExists(kind));
    return edgeWrite(kind, existing.records.length === 0 ? 'CREATE' : 'MERGE');
  }

  async readAccessGraph(completed: CompletedScope[]): Promise<AccessGraph> {
    const params = {
      kinds: ACCESS_KINDS,
      syncId: this.syncId,
      completed: completed.map((c) => `${c.source}|${c.tenantId}`),
    };
    const [n, e] = await Promise.all([
      this.s.run(cypher('access_graph_nodes'), params),
      this.s.run(cypher('access_graph_edges'), params),
    ]);
    const nodes: GraphNode[] = n.records.map((rec) => {
      const node = rec.get('n') as Neo4jNode;
      const r = toReaderNode(node);
      return {
        kind: r.kind,
        id: r.id,
        nativeId: r.nativeId,
        tenantId: r.tenantId,
        source: (node.properties as Record<string, unknown>).source as GraphNode['source'],
        props: r.props,
      };
    });
    const split = (key: string) => {
      const i = key.indexOf('|');
      return { kind: key.slice(0, i) as NodeKind, id: key.slice(i + 1) };
    };
    const edges: GraphEdge[] = e.records.map((rec) => {
      const raw = rec.get('props') as Record<string, PropValue>;
      const props: Record<string, PropValue> = {};
      for (const [k, v] of Object.entries(raw)) if (!EDGE_BOOKKEEPING.has(k)) props[k] = v;
      return {
        kind: rec.get('kind') as EdgeKind,
        from: split(String(rec.get('from'))),
        to: split(String(rec.get('to'))),
        tenantId: String(raw.tenant_id ?? ''),
        source: raw.source as GraphEdge['source'],
        props,
      };
    });
    return { nodes, edges };
  }

  async writeEffective(edges: GraphEdge[]): Promise<void> {
    // New computed edges take this sync's id; the previous ones are removed at commit.
    await this.writeEdges(edges);
  }

  /**
   * The computed edges, materialized one batch at a time: the next batch is built while the previous one is being
   * written, and at no point do all of them exist as objects.
   */
  async writeEffectiveSet(set: EffectiveSet): Promise<void> {
    // The set holds each (principal, resource) once. It is ordered by principal, so the two sessions' batches hold
    // different principals and meet only on the (dense) resources.
    const cache: (string | undefined)[] = [];
    await this.s.writeBatchesOf(
      await this.edgeWriteOf('HAS_EFFECTIVE_PERMISSION'),
      set.size,
      (start, end) => {
        const rows: ReturnType<typeof edgeRow>[] = [];
        for (let i = start; i < end; i++) rows.push(edgeRow(set.edge(i, cache), this.syncId));
        return rows;
      },
      2,
    );
  }

  async commit(completed: CompletedScope[], run: SyncRunRecord): Promise<void> {
    const params = {
      syncId: this.syncId,
      scopes: completed.map((c) => `${c.source}|${c.tenantId}`),
      batch: neo4j.int(10_000),
    };
    if (params.scopes.length) {
      // Relationships first, then nodes: DETACH DELETE on dense nodes is what blows transaction memory.
      for (const kind of EDGE_KINDS) {
        if (kind !== 'HAS_EFFECTIVE_PERMISSION') await this.s.runAutoCommit(staleEdgeCleanup(kind), params);
      }
      for (const kind of NODE_KINDS) if (kind !== 'SyncRun') await this.s.runAutoCommit(staleNodeCleanup(kind), params);
    }
    await this.s.runAutoCommit(EFFECTIVE_CLEANUP, params);
    await this.s.recordSyncRun(run);
  }

  async abort(run: SyncRunRecord): Promise<void> {
    await this.s.recordSyncRun(run);
  }
}
