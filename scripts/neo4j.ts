/**
 * Local Neo4j for development and CI, without Docker:
 *   npm run neo4j:start   resolve the jars (cached), start the launcher detached, wait for an authenticated Bolt query
 *   npm run neo4j:stop    SIGTERM the recorded PID (SIGKILL after 30 s), remove the PID file
 *   node --import tsx scripts/neo4j.ts status   exit 0 running and answering, 3 not running, 1 running but failing
 *   node --import tsx scripts/neo4j.ts jars     only resolve/copy the jar set into the cache (CI install step)
 *
 * Env: NEO4J_BOLT_PORT (7687), NEO4J_PASSWORD (local-only default 'arkgraph-dev-password'), NEO4J_HOME_DIR (.neo4j),
 * NEO4J_HEAP (1g), NEO4J_PAGECACHE (256m), NEO4J_TX_MEMORY_MAX (512m), NEO4J_TX_LOG_RETENTION (2 files), NEO4J_START_TIMEOUT_MS (120000).
 * See docs/neo4j-local.md.
 */
import fsp from 'node:fs/promises';
import {
  BOLT_HOST,
  checkBolt,
  checkJava,
  DEFAULT_BOLT_PORT,
  DEFAULT_START_TIMEOUT_MS,
  DEV_PASSWORD,
  ensureJars,
  isAlive,
  isLauncherProcess,
  localPaths,
  NEO4J_USER,
  Neo4jStartError,
  readPidFile,
  startLocalNeo4j,
  stopPid,
  tailFile,
} from './neo4j-local.js';

const log = (message: string) => console.log(`[neo4j] ${message}`);

function settings() {
  const port = Number.parseInt(process.env.NEO4J_BOLT_PORT || String(DEFAULT_BOLT_PORT), 10);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`NEO4J_BOLT_PORT must be a TCP port, got '${process.env.NEO4J_BOLT_PORT}'`);
  }
  const fromEnv = Boolean(process.env.NEO4J_PASSWORD);
  const password = process.env.NEO4J_PASSWORD || DEV_PASSWORD;
  const timeoutMs = Number.parseInt(process.env.NEO4J_START_TIMEOUT_MS || String(DEFAULT_START_TIMEOUT_MS), 10);
  return {
    port,
    password,
    passwordSource: fromEnv ? 'from NEO4J_PASSWORD' : 'the local-only dev default, see docs/neo4j-local.md',
    timeoutMs,
    uri: `bolt://${BOLT_HOST}:${port}`,
    paths: localPaths(),
  };
}

/** Waits until an already running launcher answers over Bolt (it may still be starting). */
async function waitForRunning(uri: string, password: string, pid: number, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && isAlive(pid)) {
    const check = await checkBolt(uri, NEO4J_USER, password);
    if (check.ok) return null;
    last = check.message;
    if (check.fatal) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return isAlive(pid) ? last || 'no answer' : `process ${pid} exited`;
}

async function start(): Promise<number> {
  const s = settings();
  const { paths } = s;
  const recorded = readPidFile(paths.pidFile);
  if (recorded !== null) {
    if (isLauncherProcess(recorded)) {
      const problem = await waitForRunning(s.uri, s.password, recorded, s.timeoutMs);
      if (problem === null) {
        log(`already running (pid ${recorded}): ${s.uri} user ${NEO4J_USER}, password ${s.passwordSource}`);
        return 0;
      }
      console.error(
        `[neo4j] process ${recorded} from ${paths.pidFile} is running but ${s.uri} does not work: ${problem}\n` +
          `[neo4j] (a different NEO4J_BOLT_PORT or NEO4J_PASSWORD than at start?) Run 'npm run neo4j:stop' first.\n` +
          tailFile(paths.logFile, 20),
      );
      return 1;
    }
    log(`removing stale PID file (process ${recorded} is not running)`);
    await fsp.rm(paths.pidFile, { force: true });
  }

  const java = checkJava();
  await jars();
  log(`starting on ${s.uri} with Java ${java}, data in ${paths.dataDir}, log ${paths.logFile}`);
  const server = await startLocalNeo4j({
    libDir: paths.libDir,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    port: s.port,
    password: s.password,
    detached: true,
    timeoutMs: s.timeoutMs,
  });
  log(
    `Neo4j ${server.version} ready in ${(server.startMs / 1000).toFixed(1)} s (pid ${server.pid}): ` +
      `${server.uri} user ${server.user}, password ${s.passwordSource}`,
  );
  return 0;
}

async function stop(): Promise<number> {
  const { paths } = settings();
  const pid = readPidFile(paths.pidFile);
  if (pid === null) {
    log(`not running (no PID file at ${paths.pidFile})`);
    return 0;
  }
  if (!isLauncherProcess(pid)) {
    log(`not running (process ${pid} is gone); removing the stale PID file`);
    await fsp.rm(paths.pidFile, { force: true });
    return 0;
  }
  const started = Date.now();
  const how = await stopPid(pid, 30_000);
  await fsp.rm(paths.pidFile, { force: true });
  if (how === 'killed') {
    console.error(`[neo4j] process ${pid} ignored SIGTERM for 30 s and was killed (SIGKILL)`);
    return 1;
  }
  log(`stopped (pid ${pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** Resolves/copies the jar set only (for CI's install step); prints what is in the cache. */
async function jars(): Promise<number> {
  const { paths } = settings();
  const set = await ensureJars(paths.libDir, log);
  log(
    `Neo4j ${set.version}: ${set.jarCount} jars, ${(set.bytes / 1024 / 1024).toFixed(0)} MiB in ${paths.libDir}` +
      (set.copied ? ` (resolved in ${(set.ms / 1000).toFixed(1)} s)` : ' (cached)'),
  );
  return 0;
}

async function status(): Promise<number> {
  const s = settings();
  const pid = readPidFile(s.paths.pidFile);
  if (pid === null || !isLauncherProcess(pid)) {
    log('not running');
    return 3;
  }
  const check = await checkBolt(s.uri, NEO4J_USER, s.password);
  log(check.ok ? `running (pid ${pid}): ${s.uri}` : `process ${pid} is running but ${s.uri} fails: ${check.message}`);
  return check.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const command = process.argv[2];
  switch (command) {
    case 'start':
      return start();
    case 'stop':
      return stop();
    case 'status':
      return status();
    case 'jars':
      return jars();
    default:
      console.error('usage: node --import tsx scripts/neo4j.ts start|stop|status|jars');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof Neo4jStartError) console.error(`[neo4j] ${e.message}`);
    else console.error(`[neo4j] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
