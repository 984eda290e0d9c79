/**
 * Local Neo4j without Docker: resolves the Neo4j Community jars with Maven into a cache and runs
 * tools/neo4j/Neo4jLauncher.java (embedded DBMS + Bolt on 127.0.0.1) with Java 17+.
 *
 * Shared by scripts/neo4j.ts (`npm run neo4j:start|stop`) and test/support/neo4j.ts.
 * See docs/neo4j-local.md.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = path.join(REPO_ROOT, 'tools', 'neo4j');
export const POM_PATH = path.join(TOOLS_DIR, 'pom.xml');
export const LAUNCHER_PATH = path.join(TOOLS_DIR, 'Neo4jLauncher.java');

export const BOLT_HOST = '127.0.0.1';
export const DEFAULT_BOLT_PORT = 7687;
/** Local-only development password, used when NEO4J_PASSWORD is unset. Not a secret: never use it beyond 127.0.0.1. */
export const DEV_PASSWORD = 'arkgraph-dev-password';
export const NEO4J_USER = 'neo4j';
export const NEO4J_DATABASE = 'neo4j';
export const DEFAULT_START_TIMEOUT_MS = 120_000;

const JAR_MARKER = '.arkgraph-jars.json';

export type Logger = (message: string) => void;
const silent: Logger = () => {};

/** JVM flags: heap from NEO4J_HEAP (default 1g); the --add-opens list is what Neo4j's own start scripts pass. */
export function jvmFlags(heap = process.env.NEO4J_HEAP || '1g'): string[] {
  return [
    '-Xms256m',
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+ExitOnOutOfMemoryError',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dlog4j2.disable.jmx=true',
    '-Dfile.encoding=UTF-8',
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

export interface LocalPaths {
  homeDir: string;
  libDir: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
}

/** Layout under NEO4J_HOME_DIR (default <repo>/.neo4j, git-ignored). A relative NEO4J_HOME_DIR is taken from the cwd. */
export function localPaths(homeDir = process.env.NEO4J_HOME_DIR || path.join(REPO_ROOT, '.neo4j')): LocalPaths {
  const home = path.resolve(homeDir);
  return {
    homeDir: home,
    libDir: path.join(home, 'lib'),
    dataDir: path.join(home, 'data'),
    logFile: path.join(home, 'neo4j.log'),
    pidFile: path.join(home, 'neo4j.pid'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Java and Maven

/** The pinned Neo4j version, read from tools/neo4j/pom.xml (the only place it is written down). */
export function pinnedNeo4jVersion(): string {
  const pom = fs.readFileSync(POM_PATH, 'utf8');
  const m = /<neo4j\.version>\s*([^<\s]+)\s*<\/neo4j\.version>/.exec(pom);
  if (!m?.[1]) throw new Error(`no <neo4j.version> in ${POM_PATH}`);
  return m[1];
}

export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'java';
}

/** Major version of the `java` that will run the launcher; throws a clear error when there is none or it is < 17. */
export function checkJava(): number {
  const java = javaCommand();
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) {
    throw new Error(`cannot run '${java}' (${r.error.message}); Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME)`);
  }
  const text = `${r.stderr}${r.stdout}`;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!m?.[1]) throw new Error(`cannot parse the output of '${java} -version': ${text.trim()}`);
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  if (major < 17) throw new Error(`'${java}' is Java ${major}; Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME)`);
  return major;
}

export interface JarSet {
  libDir: string;
  version: string;
  jarCount: number;
  bytes: number;
  /** true when Maven ran (the cache was missing or stale) */
  copied: boolean;
  ms: number;
}

interface JarMarker {
  version: string;
  pomSha256: string;
  jars: string[];
}

function pomHash(): string {
  return createHash('sha256').update(fs.readFileSync(POM_PATH)).digest('hex');
}

function jarBytes(dir: string, jars: string[]): number {
  return jars.reduce((sum, j) => sum + fs.statSync(path.join(dir, j)).size, 0);
}

/** Returns the marker when `libDir` holds exactly the jar set of the current pom.xml, else null. */
function validJarSet(libDir: string, version: string, hash: string): JarMarker | null {
  let marker: JarMarker;
  try {
    marker = JSON.parse(fs.readFileSync(path.join(libDir, JAR_MARKER), 'utf8')) as JarMarker;
  } catch {
    return null;
  }
  if (marker.version !== version || marker.pomSha256 !== hash || !Array.isArray(marker.jars)) return null;
  if (!marker.jars.includes(`neo4j-${version}.jar`)) return null;
  const present = fs.readdirSync(libDir).filter((f) => f.endsWith('.jar'));
  if (present.length !== marker.jars.length || !marker.jars.every((j) => present.includes(j))) return null;
  return marker;
}

/**
 * Makes sure `libDir` holds the runtime jars of org.neo4j:neo4j:<pinned version>. Skips Maven when the cache
 * matches the pinned version and the pom.xml hash; otherwise copies into a temporary directory and renames it
 * into place (so concurrent callers never see a half-written set).
 */
export async function ensureJars(libDir: string, log: Logger = silent): Promise<JarSet> {
  const started = Date.now();
  const version = pinnedNeo4jVersion();
  const hash = pomHash();
  const existing = validJarSet(libDir, version, hash);
  if (existing) {
    return {
      libDir,
      version,
      jarCount: existing.jars.length,
      bytes: jarBytes(libDir, existing.jars),
      copied: false,
      ms: Date.now() - started,
    };
  }

  log(`Resolving the Neo4j ${version} jars with Maven into ${libDir} (the first run downloads about 125 MB)...`);
  await fsp.mkdir(path.dirname(libDir), { recursive: true });
  const tmp = `${libDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const args = [
    '-B',
    '-q',
    '-f',
    POM_PATH,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${tmp}`,
    '-DincludeScope=runtime',
  ];
  const result = await run('mvn', args, REPO_ROOT);
  if (result.code !== 0) {
    await fsp.rm(tmp, { recursive: true, force: true });
    const output = tail(result.output, 40);
    throw new Error(`Maven could not resolve org.neo4j:neo4j:${version} (mvn ${args.join(' ')}):\n${output}`);
  }
  const jars = fs
    .readdirSync(tmp)
    .filter((f) => f.endsWith('.jar'))
    .sort();
  if (!jars.includes(`neo4j-${version}.jar`)) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new Error(`Maven ran but neo4j-${version}.jar is not among the ${jars.length} copied jars`);
  }
  const marker: JarMarker = { version, pomSha256: hash, jars };
  await fsp.writeFile(path.join(tmp, JAR_MARKER), `${JSON.stringify(marker, null, 2)}\n`);

  // Swap the new set in. If another process installed a valid set meanwhile, keep that one.
  if (validJarSet(libDir, version, hash)) {
    await fsp.rm(tmp, { recursive: true, force: true });
  } else {
    await fsp.rm(libDir, { recursive: true, force: true });
    try {
      await fsp.rename(tmp, libDir);
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      if (!validJarSet(libDir, version, hash)) throw e;
    }
  }
  return {
    libDir,
    version,
    jarCount: jars.length,
    bytes: jarBytes(libDir, jars),
    copied: true,
    ms: Date.now() - started,
  };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', (e) => resolve({ code: 127, output: `${output}\ncannot run '${cmd}': ${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Processes, ports, logs

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function tailFile(file: string, lines = 40): string {
  try {
    return tail(fs.readFileSync(file, 'utf8'), lines);
  } catch {
    return `(no log at ${file})`;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` runs our launcher (checked through /proc where it exists, so a reused PID is never signalled). */
export function isLauncherProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!fs.existsSync('/proc/self/cmdline')) return true; // no procfs: trust the PID file
  try {
    return fs.readFileSync(cmdline, 'utf8').includes('Neo4jLauncher');
  } catch {
    return false;
  }
}

export function readPidFile(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM, wait up to `timeoutMs` for the exit (the launcher's shutdown hook stops the DBMS), then SIGKILL. */
export async function stopPid(pid: number, timeoutMs = 30_000): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  const killDeadline = Date.now() + 10_000;
  while (Date.now() < killDeadline) {
    if (!isAlive(pid)) return 'killed';
    await sleep(100);
  }
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}

export function portInUse(port: number, host = BOLT_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port that was free a moment ago (listen on 0, read it, close). Callers retry on a bind race. */
export function freePort(host = BOLT_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Bolt checks

export type BoltCheck = { ok: true } | { ok: false; fatal: boolean; message: string };

/** One authenticated round trip over Bolt (`RETURN 1` on the given database). */
export async function checkBolt(
  uri: string,
  user: string,
  password: string,
  database = NEO4J_DATABASE,
): Promise<BoltCheck> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
    connectionTimeout: 5_000,
    maxTransactionRetryTime: 1_000,
    maxConnectionPoolSize: 1,
  });
  try {
    await driver.executeQuery('RETURN 1 AS ok', {}, { database });
    return { ok: true };
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const message = `${code ? `${code}: ` : ''}${(e as Error).message}`;
    return { ok: false, fatal: code.startsWith('Neo.ClientError.Security.'), message };
  } finally {
    await driver.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Starting and stopping the launcher

export interface StartOptions {
  libDir: string;
  /** DBMS home of the launcher (NEO4J_DATA_DIR): databases, transaction logs and Neo4j's own logs/debug.log */
  dataDir: string;
  /** launcher stdout/stderr (appended) */
  logFile: string;
  port: number;
  password: string;
  /** written right after spawning, removed again if the start fails */
  pidFile?: string;
  /** true: own process group, outlives this process (npm run neo4j:start) */
  detached: boolean;
  /** true: the launcher exits when this process dies (stdin EOF watchdog) and on this process' exit */
  exitWithParent?: boolean;
  heap?: string;
  timeoutMs?: number;
  log?: Logger;
}

export interface LocalNeo4jServer {
  pid: number;
  port: number;
  uri: string;
  user: string;
  version: string;
  /** milliseconds from spawn to the first authenticated Bolt query */
  startMs: number;
  stop(timeoutMs?: number): Promise<void>;
}

export class Neo4jStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- last lines of the launcher log ---\n${logTail}`);
    this.name = 'Neo4jStartError';
  }
}

/** Spawns the launcher and resolves once the driver can authenticate over Bolt. */
export async function startLocalNeo4j(opts: StartOptions): Promise<LocalNeo4jServer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const uri = `bolt://${BOLT_HOST}:${opts.port}`;
  if (opts.password.length < 8) {
    throw new Error('the Neo4j password must have at least 8 characters (Neo4j 5 minimum); check NEO4J_PASSWORD');
  }
  if (await portInUse(opts.port)) {
    throw new Error(`port ${BOLT_HOST}:${opts.port} is already in use (set NEO4J_BOLT_PORT to another port)`);
  }
  await fsp.mkdir(opts.dataDir, { recursive: true });
  await fsp.mkdir(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  const logOffset = fs.fstatSync(fd).size;
  fs.writeSync(fd, `\n=== ${new Date().toISOString()} starting Neo4j launcher on ${uri}, data ${opts.dataDir}\n`);

  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(javaCommand(), [...jvmFlags(opts.heap), '-cp', `${opts.libDir}${path.sep}*`, LAUNCHER_PATH], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NEO4J_DATA_DIR: opts.dataDir,
        NEO4J_BOLT_PORT: String(opts.port),
        NEO4J_PASSWORD: opts.password,
        NEO4J_EXIT_ON_STDIN_EOF: opts.exitWithParent ? '1' : '0',
      },
      stdio: [opts.exitWithParent ? 'pipe' : 'ignore', fd, fd],
      detached: opts.detached,
    });
  } finally {
    fs.closeSync(fd);
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.on('error', (e) => {
    spawnError = e;
  });
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(50);
    throw new Error(`could not start ${javaCommand()}: ${(spawnError as Error | null)?.message ?? 'no PID'}`);
  }
  if (opts.pidFile) await fsp.writeFile(opts.pidFile, `${pid}\n`);

  const onParentExit = () => {
    if (!exited) child.kill('SIGTERM');
  };
  if (opts.exitWithParent) process.once('exit', onParentExit);

  const stop = async (stopTimeoutMs = 30_000) => {
    if (opts.exitWithParent) process.removeListener('exit', onParentExit);
    if (!exited) await stopPid(pid, stopTimeoutMs);
    if (opts.pidFile && readPidFile(opts.pidFile) === pid) await fsp.rm(opts.pidFile, { force: true });
  };

  const fail = async (message: string): Promise<never> => {
    await stop(10_000).catch(() => {});
    const debugLog = path.join(opts.dataDir, 'logs', 'debug.log');
    throw new Neo4jStartError(
      `${message} (launcher log ${opts.logFile}, Neo4j log ${debugLog})`,
      tailFile(opts.logFile, 40),
    );
  };

  // 1) wait for the launcher's READY line (printed after the password is set and Bolt accepts connections)
  const deadline = started + timeoutMs;
  let version = 'unknown';
  for (;;) {
    const out = readFrom(opts.logFile, logOffset);
    const ready = /NEO4J_READY \S+ (\S+)/.exec(out);
    if (ready) {
      version = ready[1] ?? version;
      break;
    }
    if (/NEO4J_FAILED/.test(out)) return fail('the Neo4j launcher reported a start-up failure');
    if (exited) {
      const x = exited as { code: number | null; signal: NodeJS.Signals | null };
      return fail(`the Neo4j launcher exited during start-up (code ${x.code}, signal ${x.signal})`);
    }
    if (Date.now() > deadline) return fail(`Neo4j did not become ready within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }

  // 2) authenticate over Bolt with the driver
  for (;;) {
    const check = await checkBolt(uri, NEO4J_USER, opts.password);
    if (check.ok) break;
    if (check.fatal) return fail(`Bolt answers but authentication failed: ${check.message}`);
    if (exited) return fail('the Neo4j launcher exited after READY');
    if (Date.now() > deadline)
      return fail(`Bolt did not answer within ${Math.round(timeoutMs / 1000)} s: ${check.message}`);
    await sleep(250);
  }

  if (opts.detached) child.unref();
  else if (opts.exitWithParent) {
    // keep the stdin pipe open (the launcher exits on EOF) without keeping this process alive
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.unref();
  }
  (opts.log ?? silent)(`Neo4j ${version} ready on ${uri} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { pid, port: opts.port, uri, user: NEO4J_USER, version, startMs: Date.now() - started, stop };
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}
