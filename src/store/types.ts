/**
 * The store interface. Two implementations answer identically (the conformance suite proves it): the embedded
 * graphology store (src/store/memory) and Neo4j (src/store/neo4j).
 */

import type { GraphEdge, GraphNode, NodeKind, SourceName } from '../graph/schema.js';
import type { CorrelationReport } from '../queries/correlation-report.js';
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
} from '../queries/types.js';

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

/** The slice of the graph effective permissions are computed from. */
export interface AccessGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
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

export interface StoreStats {
  nodes: Partial<Record<NodeKind, number>>;
  edges: Record<string, number>;
}

export interface GraphStore {
  readonly kind: 'memory' | 'neo4j';
  /** Checks the store is reachable and prepares it (constraints, indexes). */
  open(): Promise<void>;
  close(): Promise<void>;
  beginSync(syncId: string): Promise<SyncWriter>;
  syncRuns(limit?: number): Promise<SyncRunRecord[]>;
  syncRun(id: string): Promise<SyncRunRecord | undefined>;
  /** Records a run that never got as far as writing (a failed extraction). */
  recordSyncRun(run: SyncRunRecord): Promise<void>;
  stats(): Promise<StoreStats>;
  hasData(): Promise<boolean>;

  /** Without `page`, every principal; with it, one page of them (PrincipalPage says which). */
  whoCan(permission: string, safe: string, page?: PageRequest): Promise<WhoCanResult>;
  userAccess(user: string): Promise<UserAccessResult>;
  paths(from: string, safe: string, maxDepth?: number): Promise<PathsResult>;
  accountAccess(account: string, page?: PageRequest): Promise<AccountAccessResult>;
  /** Every principal with any permission on the safe. */
  safeAccess(safe: string, page?: PageRequest): Promise<SafeAccessResult>;
  /** The identity-correlation report (src/queries/correlation-report.ts). */
  correlationReport(): Promise<CorrelationReport>;
  /** Every principal with access to the application. */
  applicationAccess(application: string, page?: PageRequest): Promise<ApplicationAccessResult>;
  listAssets(query: AssetQuery): Promise<AssetListResult>;
}
