/**
 * A Neo4j connection (neo4j-driver 6) and the ways arkgraph talks through it: read or write queries routed for a
 * cluster, auto-commit queries for CALL … IN TRANSACTIONS, and batched writes in managed transactions. Every one has a
 * deadline, so that a Neo4j that is down or frozen costs a request seconds, not minutes (issue 15). Every driver error
 * leaves here as a StoreError naming the server. Works with bolt:// and neo4j:// (cluster, Aura).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import neo4j, { type Driver, type QueryResult, type RecordShape } from 'neo4j-driver';
import { StoreError } from '../errors.js';

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

/** The deadlines and retry budget an operator gets without setting any (docs/neo4j-local.md, "Timeouts"). */
export const NEO4J_TIMEOUT_DEFAULTS = {
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 5_000,
  retryMs: 2_000,
  writeTimeoutMs: 600_000,
} as const;

/**
 * How long transient write failures (deadlocks between the two loading sessions on dense nodes) are retried, past the
 * driver's own retryMs: the driver's former default, so that a sync is as patient with deadlocks as it was.
 */
const WRITE_RETRY_BUDGET_MS = 30_000;

export interface Neo4jStoreOptions {
  uri?: string;
  user: string;
  password?: string;
  database: string;
  /** Rows per UNWIND batch (default 5000). */
  batchSize?: number;
  /** TCP connect, and the wait for a pooled connection (NEO4J_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** The whole of one query a request makes, retries included; also its server-side timeout (NEO4J_QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  /** How long the driver retries a transaction after a transient failure or a lost connection (NEO4J_RETRY_MS). */
  retryMs?: number;
  /** One write transaction or statement of a sync, and the sync's own reads (NEO4J_WRITE_TIMEOUT_MS). */
  writeTimeoutMs?: number;
  /** How long a loading sync counts as alive without renewing its lease (default 60 s; tests shorten it). */
  leaseMs?: number;
}

/** What a statement is for, which decides its deadline. */
export type StatementKind = 'query' | 'sync-read' | 'write';

export function wrap(error: unknown, uri: string | undefined): Error {
  if (error instanceof StoreError) return error;
  const e = error as { code?: string; message?: string; name?: string };
  if (e?.name === 'Neo4jError' || e?.code) {
    // Codes the server sends start with "Neo."; the driver's own (ServiceUnavailable, SessionExpired, and "N/A" for a
    // connection acquisition that timed out) mean it never got an answer: the server is unreachable.
    const unreachable = !String(e.code ?? '').startsWith('Neo.');
    return new StoreError(
      unreachable ? 'unreachable' : 'query-failed',
      `Neo4j at ${uri ?? '(no NEO4J_URI)'} ${unreachable ? 'is unreachable' : 'failed'}: ${e.code ?? ''} ${e.message ?? ''}`.trim(),
      { cause: error },
    );
  }
  return error as Error;
}

function isTransient(error: unknown): boolean {
  return String((error as { code?: unknown })?.code ?? '').startsWith('Neo.TransientError');
}

export class Neo4jConnection {
  readonly driver: Driver;
  readonly database: string;
  readonly batchSize: number;
  readonly uri: string;
  readonly timeouts: { connectTimeoutMs: number; queryTimeoutMs: number; retryMs: number; writeTimeoutMs: number };

  constructor(protected readonly options: Neo4jStoreOptions) {
    if (!options.uri)
      throw new StoreError(
        'misconfigured',
        'the neo4j store needs NEO4J_URI (e.g. bolt://127.0.0.1:7687 or neo4j+s://…)',
      );
    if (!options.password)
      throw new StoreError('misconfigured', 'the neo4j store needs NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)');
    this.timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? NEO4J_TIMEOUT_DEFAULTS.connectTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs ?? NEO4J_TIMEOUT_DEFAULTS.queryTimeoutMs,
      retryMs: options.retryMs ?? NEO4J_TIMEOUT_DEFAULTS.retryMs,
      writeTimeoutMs: options.writeTimeoutMs ?? NEO4J_TIMEOUT_DEFAULTS.writeTimeoutMs,
    };
    this.driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      disableLosslessIntegers: true,
      // The driver's defaults (30 s connect, 60 s acquisition, 30 s of retries) made a request wait up to a minute
      // for a Neo4j that was down. A frozen server (the socket open, nothing coming back) is bounded by deadline().
      connectionTimeout: this.timeouts.connectTimeoutMs,
      connectionAcquisitionTimeout: this.timeouts.connectTimeoutMs,
      maxTransactionRetryTime: this.timeouts.retryMs,
      // Logs go nowhere by default; the driver never sees our own secrets but keeps its chatter off stderr.
    });
    this.database = options.database;
    this.uri = options.uri;
    this.batchSize = options.batchSize ?? 5000;
  }

  /** The client-side deadline of a statement of this kind, and the setting that sets it (for the error). */
  private limit(kind: StatementKind): { ms: number; setting: string } {
    return kind === 'query'
      ? { ms: this.timeouts.queryTimeoutMs, setting: 'NEO4J_QUERY_TIMEOUT_MS' }
      : { ms: this.timeouts.writeTimeoutMs, setting: 'NEO4J_WRITE_TIMEOUT_MS' };
  }

  /**
   * `work`, or an 'unreachable' StoreError once `kind`'s deadline has passed. The driver has no client-side read
   * timeout: a query on a connection to a frozen server waits forever, and neither the server-side transaction
   * timeout nor the connect timeouts can end it. The abandoned work keeps its connection until the server answers or
   * the socket closes (`onAbandon` releases what it can, e.g. closes its session).
   */
  deadline<T>(work: Promise<T>, kind: StatementKind, onAbandon?: () => void): Promise<T> {
    const { ms, setting } = this.limit(kind);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new StoreError('unreachable', `Neo4j at ${this.uri} did not answer within ${ms} ms (${setting})`));
        onAbandon?.();
      }, ms);
      timer.unref();
      work.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(wrap(e, this.uri));
        },
      );
    });
  }

  /**
   * One statement in a managed transaction routed for a cluster: a 'query' (what a request reads) within
   * queryTimeoutMs, a 'sync-read' (what a sync reads, such as the whole access graph) or a 'write' within
   * writeTimeoutMs. The same limit goes to the server as the transaction timeout, so that it also ends work whose
   * answer nobody waits for any more.
   */
  async run<R extends RecordShape = RecordShape>(
    query: string,
    params: Record<string, unknown> = {},
    kind: StatementKind = 'query',
  ): Promise<QueryResult<R>> {
    const { ms } = this.limit(kind);
    return this.deadline(
      this.driver.executeQuery<QueryResult<R>>(query, params, {
        database: this.database,
        routing: kind === 'write' ? neo4j.routing.WRITE : neo4j.routing.READ,
        transactionConfig: { timeout: ms },
      }),
      kind,
    );
  }

  /** Auto-commit query, needed for CALL … IN TRANSACTIONS; within writeTimeoutMs. */
  async runAutoCommit(query: string, params: Record<string, unknown>): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    const close = () => void session.close().catch(() => {});
    try {
      await this.deadline(Promise.resolve(session.run(query, params)), 'write', close);
    } finally {
      close();
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
    const txConfig = { timeout: this.timeouts.writeTimeoutMs };
    const worker = async () => {
      const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
      const close = () => void session.close().catch(() => {});
      try {
        for (;;) {
          const start = next;
          next += this.batchSize;
          if (start >= count) return;
          const batch = batchOf(start, Math.min(count, start + this.batchSize));
          await this.retryingTransient(() =>
            this.deadline(
              session.executeWrite((tx) => tx.run(query, { rows: batch }), txConfig),
              'write',
              close,
            ),
          );
        }
      } finally {
        close();
      }
    };
    const workers = Math.max(1, Math.min(parallel, Math.ceil(count / this.batchSize)));
    const results = await Promise.allSettled(Array.from({ length: workers }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw wrap(failed.reason, this.options.uri);
  }

  /**
   * Retries `attempt` after a transient server error (a deadlock) the driver gave up on within retryMs, until
   * WRITE_RETRY_BUDGET_MS: only writes, whose batches are idempotent (MERGE, or CREATE of a transaction that rolled
   * back). A lost connection is not retried here: the driver has, for retryMs.
   */
  private async retryingTransient<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
      try {
        return await attempt();
      } catch (error) {
        const cause = error instanceof StoreError ? error.cause : error;
        if (!isTransient(cause) || Date.now() - started + delay > WRITE_RETRY_BUDGET_MS) throw error;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
