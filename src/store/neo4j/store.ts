/**
 * The Neo4j store: constraints and indexes from the schema (open), sync runs as SyncRun nodes, the read primitives
 * as the Cypher files in cypher/ (reader.ts), batched loads and stale-data cleanup in bounded transactions scoped to
 * the (source, tenant) pairs that completed (writer.ts), and whether the graph is complete (graph-state.ts). Works
 * with bolt:// and neo4j:// (cluster, Aura).
 */
import neo4j, { type Node as Neo4jNode } from 'neo4j-driver';
import { EDGE_KINDS, type GraphNode, type NodeKind } from '../../graph/schema.js';
import type { GraphReader } from '../../queries/reader.js';
import type { SyncRunRecord, SyncWriter } from '../../sync/types.js';
import { StoreError } from '../errors.js';
import type { GraphStore, StoreStats } from '../types.js';
import { cypher, Neo4jConnection } from './connection.js';
import {
  GRAPH_STATE_CONSTRAINT,
  hasCommittedGraph,
  incompleteError,
  isIncomplete,
  readGraphState,
} from './graph-state.js';
import { Neo4jReader } from './reader.js';
import { nodeRow, nodeUpsert, schemaStatements } from './statements.js';
import { Neo4jSyncWriter } from './writer.js';

export class Neo4jStore extends Neo4jConnection implements GraphStore {
  readonly kind = 'neo4j' as const;
  private readonly graphReader = new Neo4jReader(this);

  async open(): Promise<void> {
    await this.deadline(this.driver.verifyConnectivity({ database: this.database }), 'query');
    for (const statement of [...schemaStatements(), GRAPH_STATE_CONSTRAINT]) await this.run(statement, {}, 'write');
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  async beginSync(syncId: string): Promise<SyncWriter> {
    return new Neo4jSyncWriter(this, syncId, this.options.leaseMs);
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

  /** Whether a graph exists that a sync committed (or one written before commits were recorded). */
  async hasData(): Promise<boolean> {
    return hasCommittedGraph(await readGraphState(this));
  }

  /**
   * Reads the live database (Neo4j has no snapshot to pin); refuses with no-graph until a sync has written one, and
   * with incomplete while the graph holds rows of a sync that stopped before it committed, or of a first sync that
   * is still loading.
   */
  async reader(): Promise<GraphReader> {
    const state = await readGraphState(this);
    // No rows at all: nothing to answer from, whatever a stopped sync left in the state (run a sync first).
    if (!state.hasRows) {
      throw new StoreError(
        'no-graph',
        `no graph in Neo4j database "${this.database}" yet: run "arkgraph sync --store neo4j" first`,
      );
    }
    if (isIncomplete(state)) throw incompleteError(state, this.database);
    return this.graphReader;
  }
}
