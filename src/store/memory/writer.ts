/**
 * One sync's writes to the embedded store. It works on a copy of the last good graph (loaded from the snapshot at
 * beginSync); commit drops the stale rows of the scopes that completed and installs the copy, abort leaves the last
 * good graph as it was.
 */
import type { EffectiveSet } from '../../effective/effective-set.js';
import { ACCESS_GRAPH_EXCLUDED_KINDS, type AccessGraph, nodeKey } from '../../graph/access-graph.js';
import type { GraphEdge, GraphNode } from '../../graph/schema.js';
import { ACCESS_GRAPH_EDGES } from '../../graph/traversal.js';
import { validateEdge, validateNode } from '../../graph/validate.js';
import type { CompletedScope, SyncRunRecord, SyncWriter } from '../../sync/types.js';
import { StoreError } from '../errors.js';
import { EffectiveTable } from './effective-table.js';
import { Compactor, type G, type Loaded } from './graph.js';
import type { UnusableSnapshot } from './snapshot-read.js';

/** The edge kinds of the access graph (the same as cypher/access_graph_edges.cypher reads). */
const ACCESS_EDGES: ReadonlySet<string> = new Set(ACCESS_GRAPH_EDGES);

/** What beginSync found wrong in the data directory: the run record says so when the sync ends. */
export interface Repairs {
  /** The snapshot could not be used: the sync started from an empty graph, and commit sets the file aside. */
  unusable?: UnusableSnapshot;
  /** What was already repaired (leftovers removed, a run history set aside). */
  notes: string[];
}

/** What the writer needs of its store. */
export interface WriterHost {
  install(graph: Loaded, syncId: string, run: SyncRunRecord, repairs: Repairs): Promise<void>;
  recordAborted(run: SyncRunRecord, repairs: Repairs): Promise<void>;
  releaseLock(): Promise<void>;
}

export class MemorySyncWriter implements SyncWriter {
  private finished = false;
  private readonly g: G;
  private readonly compact: Compactor;

  constructor(
    private readonly store: WriterHost,
    private readonly working: Loaded,
    readonly syncId: string,
    private readonly repairs: Repairs = { notes: [] },
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
      throw new StoreError(
        'invalid-write',
        `${e.kind} edge ${e.from.id} -> ${e.to.id} joins a node that was not loaded`,
      );
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
      if (ACCESS_GRAPH_EXCLUDED_KINDS.has(a.kind) || this.isStale(a, completed)) return;
      nodes.push(a);
      kept.add(key);
    });
    const edges: GraphEdge[] = [];
    this.g.forEachEdge((_, a, source, target) => {
      if (!ACCESS_EDGES.has(a.kind) || this.isStale(a, completed)) return;
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
          throw new StoreError(
            'invalid-write',
            `HAS_EFFECTIVE_PERMISSION edge joins a node that was not loaded: ${keys[n]}`,
          );
        }
        seen[n] = 1;
      }
    }
    // Every edge has the same shape; the schema check of one catches a change of shape.
    if (set.size > 0) validateEdge(set.edge(0));
    this.working.effective = new EffectiveTable({ set: set.trim(), keys, syncId: this.syncId });
  }

  /**
   * Installs the working graph. When it throws, nothing was installed (install never throws once the snapshot is in
   * place) and the writer stays open, so that the sync's abort() records the failed run and releases the lock.
   */
  async commit(completed: CompletedScope[], run: SyncRunRecord): Promise<void> {
    this.assertOpen();
    const staleEdges = this.g.filterEdges(
      (_, a) => a.kind !== 'HAS_EFFECTIVE_PERMISSION' && this.isStale(a, completed),
    );
    for (const key of staleEdges) this.g.dropEdge(key);
    const staleNodes = this.g.filterNodes((_, a) => this.isStale(a, completed));
    for (const key of staleNodes) this.g.dropNode(key);
    await this.store.install(this.working, this.syncId, run, this.repairs);
    this.finished = true;
    await this.store.releaseLock();
  }

  async abort(run: SyncRunRecord): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.store.recordAborted(run, this.repairs);
    } finally {
      await this.store.releaseLock();
    }
  }

  private assertOpen(): void {
    if (this.finished) throw new StoreError('invalid-write', `sync ${this.syncId} already finished`);
  }
}
