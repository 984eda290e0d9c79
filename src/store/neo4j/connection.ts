/**
 * A Neo4j connection (neo4j-driver 6) and the ways arkgraph talks through it: read or write queries routed for a
 * cluster, auto-commit queries for CALL … IN TRANSACTIONS, and batched writes in managed transactions. Every driver
 * error leaves here as a StoreError naming the server. Works with bolt:// and neo4j:// (cluster, Aura).
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

export interface Neo4jStoreOptions {
  uri?: string;
  user: string;
  password?: string;
  database: string;
  /** Rows per UNWIND batch (default 5000). */
  batchSize?: number;
}

export function wrap(error: unknown, uri: string | undefined): Error {
  if (error instanceof StoreError) return error;
  const e = error as { code?: string; message?: string; name?: string };
  if (e?.name === 'Neo4jError' || e?.code) {
    const what = e.code === 'ServiceUnavailable' || e.code === 'SessionExpired' ? 'is unreachable' : 'failed';
    return new StoreError(
      what === 'is unreachable' ? 'unreachable' : 'query-failed',
      `Neo4j at ${uri ?? '(no NEO4J_URI)'} ${what}: ${e.code ?? ''} ${e.message ?? ''}`.trim(),
      {
        cause: error,
      },
    );
  }
  return error as Error;
}

export class Neo4jConnection {
  readonly driver: Driver;
  readonly database: string;
  readonly batchSize: number;
  readonly uri: string;

  constructor(protected readonly options: Neo4jStoreOptions) {
    if (!options.uri)
      throw new StoreError(
        'misconfigured',
        'the neo4j store needs NEO4J_URI (e.g. bolt://127.0.0.1:7687 or neo4j+s://…)',
      );
    if (!options.password)
      throw new StoreError('misconfigured', 'the neo4j store needs NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)');
    this.driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      disableLosslessIntegers: true,
      // Logs go nowhere by default; the driver never sees our own secrets but keeps its chatter off stderr.
    });
    this.database = options.database;
    this.uri = options.uri;
    this.batchSize = options.batchSize ?? 5000;
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
}
