/**
 * What a sync needs from a store, and the record of a run. The sync defines this port and both stores implement it
 * (src/store), so the sync never depends on a store.
 */
import type { AccessGraph } from '../graph/access-graph.js';
import type { GraphEdge, GraphNode, SourceName } from '../graph/schema.js';

export interface SyncError {
  source: string;
  endpoint?: string;
  message: string;
}

export interface SyncRunRecord {
  id: string;
  status: 'running' | 'completed' | 'partial' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  sources: string[];
  partialSources: string[];
  counts: Record<string, Record<string, number>>;
  durationsMs: Record<string, number>;
  errors: SyncError[];
}

/** A (source, tenant) pair whose extraction completed: only these scopes lose their stale data. */
export interface CompletedScope {
  source: SourceName;
  tenantId: string;
}

/**
 * One sync's write session. Nothing is visible to readers of the last good graph until commit(); abort() leaves it
 * untouched. (Neo4j writes in place but deletes nothing before commit, so a failed sync never loses data.)
 */
export interface SyncWriter {
  readonly syncId: string;
  upsert(nodes: GraphNode[], edges: GraphEdge[]): Promise<void>;
  /**
   * The graph effective permissions are computed from: this sync's rows, plus the kept rows of scopes that did not
   * complete (partial sources). Stale rows of completed scopes are left out (they are deleted at commit).
   * Accounts, tenants and sync runs are not part of it.
   */
  readAccessGraph(completed: CompletedScope[]): Promise<AccessGraph>;
  /** Replaces all computed HAS_EFFECTIVE_PERMISSION edges of the tenants in scope. */
  writeEffective(edges: GraphEdge[]): Promise<void>;
  commit(completed: CompletedScope[], run: SyncRunRecord): Promise<void>;
  abort(run: SyncRunRecord): Promise<void>;
}

/** The store side a sync writes to. */
export interface SyncTarget {
  beginSync(syncId: string): Promise<SyncWriter>;
  /** Records a run that never got as far as writing (a failed extraction). */
  recordSyncRun(run: SyncRunRecord): Promise<void>;
}
