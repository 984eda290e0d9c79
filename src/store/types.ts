/**
 * The store interface. Two implementations answer identically (the conformance suite proves it): the embedded
 * graphology store (src/store/memory) and Neo4j (src/store/neo4j). A store holds the graph and its sync runs; it
 * answers no question itself: QueryEngine asks its reader.
 */

import type { NodeKind } from '../graph/schema.js';
import type { ReadableGraph } from '../queries/reader.js';
import type { SyncRunRecord, SyncTarget } from '../sync/types.js';

export interface StoreStats {
  nodes: Partial<Record<NodeKind, number>>;
  edges: Record<string, number>;
}

/** A graph store: the sync writes to it (SyncTarget), the queries read it (ReadableGraph: src/queries/engine.ts). */
export interface GraphStore extends SyncTarget, ReadableGraph {
  readonly kind: 'memory' | 'neo4j';
  /** Checks the store is reachable and prepares it (constraints, indexes). */
  open(): Promise<void>;
  close(): Promise<void>;
  syncRuns(limit?: number): Promise<SyncRunRecord[]>;
  syncRun(id: string): Promise<SyncRunRecord | undefined>;
  stats(): Promise<StoreStats>;
  hasData(): Promise<boolean>;
}
