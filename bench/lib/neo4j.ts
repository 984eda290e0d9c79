/**
 * The Neo4j the rig writes to. The rig WIPES that database, so it is never taken from NEO4J_URI implicitly: set
 * BENCH_NEO4J_URI (and BENCH_NEO4J_PASSWORD, else NEO4J_PASSWORD is used) to a server of its own, e.g.
 * `NEO4J_HOME_DIR=/tmp/arkgraph-bench-neo4j NEO4J_BOLT_PORT=7688 npm run neo4j:start`. Never point it at a database
 * others use at the same time (the conformance tests clear ArkNode too).
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { localPaths, readPidFile } from '../../scripts/neo4j-local.js';
import { Neo4jStore } from '../../src/store/neo4j/store.js';

export interface Neo4jTarget {
  uri: string;
  user: string;
  password: string;
  database: string;
}

export function neo4jTarget(): Neo4jTarget | undefined {
  const env = process.env;
  const uri = env.BENCH_NEO4J_URI;
  if (!uri) return undefined;
  return {
    uri,
    user: env.BENCH_NEO4J_USER || 'neo4j',
    password: env.BENCH_NEO4J_PASSWORD || env.NEO4J_PASSWORD || 'arkgraph-dev-password',
    database: env.BENCH_NEO4J_DATABASE || 'neo4j',
  };
}

export const NO_NEO4J =
  'no Neo4j for the rig: set BENCH_NEO4J_URI (and BENCH_NEO4J_PASSWORD) to a server whose database it may wipe';

export function openNeo4jStore(t: Neo4jTarget, batchSize?: number): Neo4jStore {
  return new Neo4jStore({
    uri: t.uri,
    user: t.user,
    password: t.password,
    database: t.database,
    ...(batchSize ? { batchSize } : {}),
  });
}

/** Deletes every arkgraph node and relationship (relationships first, in bounded transactions). */
export async function wipe(driver: Driver, database: string): Promise<void> {
  const session = driver.session({ database });
  try {
    await session.run('MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS');
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS');
  } finally {
    await session.close();
  }
}

/** Version and memory settings of the server, read from it. */
export async function neo4jInfo(driver: Driver, database: string): Promise<{ version: string; settings: string }> {
  const r = await driver.executeQuery(
    'CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition',
    {},
    { database, routing: neo4j.routing.READ },
  );
  const rec = r.records[0];
  const version = rec ? `${rec.get('name')} ${rec.get('version')} ${rec.get('edition')}` : 'unknown';
  let settings = '';
  try {
    const s = await driver.executeQuery(
      "SHOW SETTINGS YIELD name, value WHERE name IN ['server.memory.heap.max_size', 'server.memory.pagecache.size', 'dbms.memory.transaction.total.max'] RETURN name, value",
      {},
      { database: 'system', routing: neo4j.routing.READ },
    );
    settings = s.records.map((x) => `${x.get('name')}=${x.get('value')}`).join(', ');
  } catch (error) {
    settings = `(settings not readable: ${(error as Error).message.split('\n')[0]})`;
  }
  return { version, settings };
}

/**
 * The PID of the Neo4j server, when it runs on this machine: BENCH_NEO4J_PID, else the local launcher's pid file
 * (`npm run neo4j:start`, NEO4J_HOME_DIR) when the rig's URI is on loopback. Lets a benchmark report the server's CPU.
 */
export function localNeo4jPid(t: Neo4jTarget): number | undefined {
  const fromEnv = Number(process.env.BENCH_NEO4J_PID);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  const host = /^[a-z+]+:\/\/([^:/]+)/i.exec(t.uri)?.[1];
  if (host !== '127.0.0.1' && host !== 'localhost') return undefined;
  return readPidFile(localPaths().pidFile) ?? undefined;
}
