/**
 * Store failures, with a reason code so that callers branch on the code and never on message text. The CLI maps a
 * store failure to exit code 4, the API to 503 store-unavailable (with a "run a sync first" detail for `no-graph`).
 */

export type StoreErrorReason =
  /** No sync has written a graph yet. */
  | 'no-graph'
  /** The store's settings are missing or wrong (NEO4J_URI, NEO4J_PASSWORD). */
  | 'misconfigured'
  /** The database cannot be reached (connection refused, session expired) or did not answer within its deadline. */
  | 'unreachable'
  /** The graph holds rows of a sync that did not commit (Neo4j: a sync stopped, or a first sync still loading). */
  | 'incomplete'
  /** A database query or transaction failed. */
  | 'query-failed'
  /** The data directory cannot be written, or another sync holds its lock. */
  | 'locked'
  /**
   * A file of the embedded store (the snapshot, the run history) is damaged, cut short, of another format, or not a
   * file. A sync rebuilds it and keeps the damaged one aside.
   */
  | 'corrupt'
  /** A file of the store cannot be read. */
  | 'io'
  /** A sync wrote rows the store cannot accept (an edge to a node it did not load, a finished sync). */
  | 'invalid-write';

export class StoreError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * Whether an error is a store failure: a StoreError, or an error the Neo4j driver threw past the store's wrapping.
 * With `systemErrors`, a Node.js system error (EACCES, EISDIR, ECONNREFUSED …) counts too: in a query route only the
 * store does I/O, so there it can only come from the store.
 */
export function isStoreFailure(error: unknown, options: { systemErrors?: boolean } = {}): boolean {
  if (error instanceof StoreError) return true;
  if (options.systemErrors) {
    const sys = error as { code?: unknown; syscall?: unknown };
    if (typeof sys?.code === 'string' && typeof sys.syscall === 'string') return true;
  }
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && /Neo4j/i.test(name);
}
