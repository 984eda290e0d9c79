/**
 * Whether the graph in Neo4j is one queries may answer from. Neo4j is written in place, so a sync that stops half-way
 * (a crash, a lost connection) leaves its rows among the previous ones: a first sync leaves a partial tenant, a resync
 * a mix of two syncs. One node, (:ArkGraphState {id: 'graph'}), outside the ArkNode graph, records it:
 *
 * - `loading_sync`, `loading_started_at`: the sync that is writing rows and has not committed, set before its first
 *   write and cleared when it commits;
 * - `lease_until` (server clock, ms): that sync renews it while it runs, so that a reader in another process can tell
 *   a sync that is loading from one that died;
 * - `stopped_sync`, `stopped_started_at`, `stopped_at`: a sync that wrote rows and stopped before it committed (an
 *   abort records it at once; a sync that died without one, when the next sync starts), until a sync commits;
 * - `committed_sync`, `committed_at`: the last sync that committed.
 *
 * Readers refuse with StoreError('incomplete') while a stopped sync's rows may be in the graph (until a sync commits),
 * and while a first sync loads (nothing committed yet). While a resync is alive they answer from the mix, as they
 * always have: answering from one generation only is the atomic switch a later issue builds. A database written
 * before this node existed has none and is answered as before.
 */
import neo4j from 'neo4j-driver';
import { StoreError } from '../errors.js';
import type { Neo4jConnection } from './connection.js';

export const GRAPH_STATE_CONSTRAINT =
  'CREATE CONSTRAINT ark_graph_state_id IF NOT EXISTS FOR (s:ArkGraphState) REQUIRE s.id IS UNIQUE';

/**
 * A loading sync whose lease ran out died without an abort: it becomes the stopped one before this sync takes over.
 * One whose lease still runs is alive: this sync does not take over its mark (its renewals and its stop would then
 * match nothing, and its rows would be answered as committed) and is refused instead. A database written before this
 * node existed gets one whose committed sync is its last completed run, so that its graph is answered while this sync
 * loads, as any resync's is.
 */
const MARK_LOADING = `OPTIONAL MATCH (r:SyncRun) WHERE r.status IN ['completed', 'partial']
WITH r.id AS previous LIMIT 1
MERGE (s:ArkGraphState {id: 'graph'})
ON CREATE SET s.committed_sync = previous
WITH s, s.loading_sync IS NOT NULL AND s.loading_sync <> $syncId AND coalesce(s.lease_until, 0) > timestamp() AS busy
CALL (s, busy) {
  WITH s WHERE NOT busy
  WITH s, s.loading_sync IS NOT NULL AND s.loading_sync <> $syncId AS died
  SET s.stopped_sync = CASE WHEN died THEN s.loading_sync ELSE s.stopped_sync END,
    s.stopped_started_at = CASE WHEN died THEN s.loading_started_at ELSE s.stopped_started_at END,
    s.stopped_at = CASE WHEN died THEN null ELSE s.stopped_at END
  SET s.loading_sync = $syncId, s.loading_started_at = $startedAt, s.lease_until = timestamp() + $leaseMs
}
RETURN busy, s.loading_sync AS loading`;

const RENEW = `MATCH (s:ArkGraphState {id: 'graph'}) WHERE s.loading_sync = $syncId
SET s.lease_until = timestamp() + $leaseMs`;

const STOPPED = `MATCH (s:ArkGraphState {id: 'graph'}) WHERE s.loading_sync = $syncId
SET s.stopped_sync = s.loading_sync, s.stopped_started_at = s.loading_started_at, s.stopped_at = $at,
  s.loading_sync = null, s.loading_started_at = null, s.lease_until = null`;

/**
 * The commit's stale cleanup has removed every other sync's rows in the scopes it completed, the stopped sync's
 * included. Only a commit of every source ($complete) clears the stopped mark: after a partial one, a scope the
 * stopped sync half-wrote may be one this sync did not complete, and its rows are still there. The loading mark is
 * cleared when it is this sync's or a dead one's.
 */
const COMMITTED = `MERGE (s:ArkGraphState {id: 'graph'})
SET s.committed_sync = $syncId, s.committed_at = $at
WITH s
CALL (s) {
  WITH s WHERE $complete
  SET s.stopped_sync = null, s.stopped_started_at = null, s.stopped_at = null
}
WITH s WHERE s.loading_sync = $syncId OR coalesce(s.lease_until, 0) <= timestamp()
SET s.loading_sync = null, s.loading_started_at = null, s.lease_until = null`;

const READ = `OPTIONAL MATCH (s:ArkGraphState {id: 'graph'})
RETURN s.loading_sync AS loading, s.loading_started_at AS loadingStartedAt, coalesce(s.lease_until, 0) > timestamp() AS live,
  s.stopped_sync AS stopped, s.stopped_started_at AS stoppedStartedAt, s.stopped_at AS stoppedAt,
  s.committed_sync AS committed,
  EXISTS { MATCH (n:ArkNode) WHERE n.ark_kind <> 'SyncRun' } AS hasRows`;

export const DEFAULT_LEASE_MS = 60_000;

export interface GraphState {
  /** The sync writing rows that has not committed, if any, and whether its lease still runs. */
  loading: string | null;
  loadingStartedAt: string | null;
  live: boolean;
  /** A sync that wrote rows and stopped before it committed, since the last commit. */
  stopped: string | null;
  stoppedStartedAt: string | null;
  stoppedAt: string | null;
  committed: string | null;
  /** Whether any graph row (not a sync run) exists. */
  hasRows: boolean;
}

export async function readGraphState(s: Neo4jConnection): Promise<GraphState> {
  const r = await s.run(READ);
  const rec = r.records[0];
  const str = (k: string) => (rec?.get(k) as string | null | undefined) ?? null;
  return {
    loading: str('loading'),
    loadingStartedAt: str('loadingStartedAt'),
    live: rec?.get('live') === true,
    stopped: str('stopped'),
    stoppedStartedAt: str('stoppedStartedAt'),
    stoppedAt: str('stoppedAt'),
    committed: str('committed'),
    hasRows: rec?.get('hasRows') === true,
  };
}

/** The sync that stopped before it committed: recorded, or loading with its lease run out. */
function stoppedSync(state: GraphState): { id: string; startedAt: string | null; at: string | null } | undefined {
  if (state.stopped) return { id: state.stopped, startedAt: state.stoppedStartedAt, at: state.stoppedAt };
  if (state.loading && !state.live) return { id: state.loading, startedAt: state.loadingStartedAt, at: null };
  return undefined;
}

/** Whether a query may not answer: a stopped sync's rows may be in the graph, or a first sync is still loading. */
export function isIncomplete(state: GraphState): boolean {
  return stoppedSync(state) !== undefined || (state.loading !== null && state.committed === null);
}

/** Whether a graph a query may answer from exists, or will once the loading sync commits (GraphStore.hasData). */
export function hasCommittedGraph(state: GraphState): boolean {
  return state.hasRows && (state.committed !== null || (state.loading === null && state.stopped === null));
}

/** The refusal for an incomplete graph, naming the sync and what to do; safe to show (no server address). */
export function incompleteError(state: GraphState, database: string): StoreError {
  const where = `the graph in Neo4j database "${database}" is incomplete`;
  const since = (at: string | null) => (at ? ` (started ${at})` : '');
  const loadingNow =
    state.loading && state.live ? `sync ${state.loading}${since(state.loadingStartedAt)} is loading` : undefined;
  const stopped = stoppedSync(state);
  if (!stopped) {
    return new StoreError(
      'incomplete',
      `${where}: ${loadingNow} it and no sync has committed before; queries answer once it commits`,
    );
  }
  return new StoreError(
    'incomplete',
    `${where}: sync ${stopped.id}${since(stopped.startedAt)} stopped${stopped.at ? ` at ${stopped.at}` : ''} before ` +
      'it committed, leaving part of its rows; ' +
      (loadingNow
        ? `${loadingNow} now and queries answer once it commits`
        : 'run a sync (arkgraph sync --store neo4j, or POST /api/v1/sync): queries answer again once one commits'),
  );
}

/**
 * One sync's side of the record: marks the graph loading before its first write (a sync that fails before writing
 * leaves the state as it was), renews the lease while loading, and ends with committed() or stopped().
 */
export class LoadMark {
  private marked = false;
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private readonly leaseMs: number;

  constructor(
    private readonly s: Neo4jConnection,
    private readonly syncId: string,
    leaseMs: number | undefined,
  ) {
    this.leaseMs = leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Before every write of the sync: the first one marks the graph loading and starts renewing the lease. */
  async beforeWrite(): Promise<void> {
    if (this.marked) return;
    // Another sync's live lease: it may be alive, or have died a moment ago without telling Neo4j. Wait for the lease
    // to run out (a live sync keeps renewing it), then take over or give up.
    const giveUpAt = Date.now() + this.leaseMs + 2_000;
    for (;;) {
      const r = await this.s.run(
        MARK_LOADING,
        { syncId: this.syncId, startedAt: new Date().toISOString(), leaseMs: neo4j.int(this.leaseMs) },
        'write',
      );
      const rec = r.records[0];
      if (rec?.get('busy') !== true) break;
      if (Date.now() >= giveUpAt) {
        throw new StoreError('locked', `another sync (${String(rec.get('loading'))}) is writing the graph in Neo4j`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(50, this.leaseMs / 4))));
    }
    this.marked = true;
    // A quarter of the lease: three renewals may fail or be late (a long synchronous computation) before it runs out.
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 4)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await this.s.run(RENEW, { syncId: this.syncId, leaseMs: neo4j.int(this.leaseMs) }, 'write');
    } catch {
      // The load fails on its own if Neo4j is gone; a lease that runs out then is what readers should see.
    } finally {
      this.renewing = false;
    }
  }

  /** `complete`: every source of the sync completed (a partial commit leaves a stopped sync's mark in place). */
  async committed(at: string, complete: boolean): Promise<void> {
    this.stopRenewing();
    await this.s.run(COMMITTED, { syncId: this.syncId, at, complete }, 'write');
  }

  /** The sync failed: readers refuse from now on, without waiting for the lease, if it had written anything. */
  async stopped(at: string): Promise<void> {
    this.stopRenewing();
    if (this.marked) await this.s.run(STOPPED, { syncId: this.syncId, at }, 'write');
  }

  stopRenewing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
