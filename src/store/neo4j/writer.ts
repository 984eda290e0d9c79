/**
 * One sync's writes to Neo4j: batched UNWIND loads generated from the schema, then scoped stale-data cleanup. The graph
 * is marked loading before the first write and committed after the cleanup (graph-state.ts), so that readers refuse
 * the rows of a sync that stopped half-way.
 */
import neo4j, { type Node as Neo4jNode } from 'neo4j-driver';
import type { EffectiveSet } from '../../effective/effective-set.js';
import { ACCESS_GRAPH_KINDS, type AccessGraph } from '../../graph/access-graph.js';
import {
  EDGE_KINDS,
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  NODE_KINDS,
  type NodeKind,
  type PropValue,
} from '../../graph/schema.js';
import type { CompletedScope, SyncRunRecord, SyncTarget, SyncWriter } from '../../sync/types.js';
import { cypher, type Neo4jConnection } from './connection.js';
import { LoadMark } from './graph-state.js';
import { toReaderNode } from './reader.js';
import {
  EDGE_BOOKKEEPING,
  EFFECTIVE_CLEANUP,
  edgeExists,
  edgeRow,
  edgeWrite,
  nodeRow,
  nodeUpsert,
  staleEdgeCleanup,
  staleNodeCleanup,
} from './statements.js';

/**
 * Writes in place but deletes nothing before commit: a sync that fails leaves the previous rows, plus whatever this
 * sync had upserted, and no stale-data cleanup runs; the graph stays marked incomplete until a sync commits.
 */
export class Neo4jSyncWriter implements SyncWriter {
  private readonly mark: LoadMark;

  constructor(
    private readonly s: Neo4jConnection & Pick<SyncTarget, 'recordSyncRun'>,
    readonly syncId: string,
    leaseMs?: number,
  ) {
    this.mark = new LoadMark(s, syncId, leaseMs);
  }

  async upsert(nodes: GraphNode[], edges: GraphEdge[]): Promise<void> {
    await this.mark.beforeWrite();
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
    await this.mark.beforeWrite();
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
    const existing = await this.s.run(edgeExists(kind), {}, 'sync-read');
    return edgeWrite(kind, existing.records.length === 0 ? 'CREATE' : 'MERGE');
  }

  async readAccessGraph(completed: CompletedScope[]): Promise<AccessGraph> {
    const params = {
      kinds: ACCESS_GRAPH_KINDS,
      syncId: this.syncId,
      completed: completed.map((c) => `${c.source}|${c.tenantId}`),
    };
    const [n, e] = await Promise.all([
      this.s.run(cypher('access_graph_nodes'), params, 'sync-read'),
      this.s.run(cypher('access_graph_edges'), params, 'sync-read'),
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
    await this.mark.beforeWrite();
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
    await this.mark.beforeWrite();
    if (params.scopes.length) {
      // Relationships first, then nodes: DETACH DELETE on dense nodes is what blows transaction memory.
      for (const kind of EDGE_KINDS) {
        if (kind !== 'HAS_EFFECTIVE_PERMISSION') await this.s.runAutoCommit(staleEdgeCleanup(kind), params);
      }
      for (const kind of NODE_KINDS) if (kind !== 'SyncRun') await this.s.runAutoCommit(staleNodeCleanup(kind), params);
    }
    await this.s.runAutoCommit(EFFECTIVE_CLEANUP, params);
    await this.mark.committed(run.finishedAt ?? new Date().toISOString(), run.partialSources.length === 0);
    await this.s.recordSyncRun(run);
  }

  async abort(run: SyncRunRecord): Promise<void> {
    try {
      await this.mark.stopped(run.finishedAt ?? new Date().toISOString());
    } finally {
      // Recorded even when the mark could not be: a reader then learns of the stop when the lease runs out.
      await this.s.recordSyncRun(run);
    }
  }
}
