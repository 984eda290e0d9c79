/**
 * A Neo4j for tests. Order of preference:
 *   (a) NEO4J_URI is set: use that server (NEO4J_USER default neo4j, NEO4J_PASSWORD, NEO4J_DATABASE default neo4j);
 *       this is what CI does after `npm run neo4j:start`.
 *   (b) a container runtime answers and `@testcontainers/neo4j` can be imported: a `neo4j:5.26` container;
 *   (c) Java 17+ and Maven: the embedded launcher (scripts/neo4j-local.ts) on a free port with a temporary data
 *       directory, stopped by release().
 * If none works, `neo4jAvailability()` throws when CI or REQUIRE_NEO4J=1 is set and otherwise returns
 * `{ available: false, reason }` (printed) for `describe.skipIf(!availability.available)`.
 *
 * Usage:
 *   const availability = await neo4jAvailability();
 *   describe.skipIf(!availability.available)('...', () => {
 *     let db: Neo4jConnection;
 *     beforeAll(async () => { db = await acquireNeo4j(); });
 *     afterAll(async () => { await db?.release(); });
 *   });
 *
 * Within one test process all acquireNeo4j() calls share one server (reference counted). A server from NEO4J_URI is
 * shared by all test files, which vitest may run in parallel: scope test data by label (clearDatabase's `label`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Driver } from 'neo4j-driver';
import {
  checkBolt,
  checkJava,
  ensureJars,
  freePort,
  localPaths,
  NEO4J_DATABASE,
  NEO4J_USER,
  startLocalNeo4j,
} from '../../scripts/neo4j-local.js';

export type Neo4jSource = 'env' | 'testcontainers' | 'local';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database: string;
  source: Neo4jSource;
  /** Drops this handle; the last release of a server this module started stops it. Idempotent. */
  release(): Promise<void>;
}

export type Neo4jAvailability =
  | { available: true; sources: Neo4jSource[]; reason: string }
  | { available: false; reason: string };

export class Neo4jUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Neo4jUnavailableError';
  }
}

/** True when a missing Neo4j must fail the run instead of skipping: CI (set, not '0'/'false') or REQUIRE_NEO4J=1. */
export function neo4jRequired(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return (ci !== '' && ci !== '0' && ci !== 'false') || process.env.REQUIRE_NEO4J === '1';
}

const TESTCONTAINERS_IMAGE = 'neo4j:5.26';
const CONTAINER_PASSWORD = 'arkgraph-test-password';

// ---------------------------------------------------------------------------------------------------------------
// Probing

let availabilityPromise: Promise<Neo4jAvailability> | null = null;

/**
 * Which sources can provide a Neo4j, checked without starting a server: NEO4J_URI answers an authenticated query;
 * or a container runtime answers /_ping and @testcontainers/neo4j imports; or Java >= 17 runs and the Neo4j jars
 * are resolved (this runs Maven on the first call). Memoized. Throws Neo4jUnavailableError when nothing is available
 * and neo4jRequired(); otherwise prints the reason.
 */
export function neo4jAvailability(): Promise<Neo4jAvailability> {
  availabilityPromise ??= probe().then((result) => {
    if (!result.available) {
      if (neo4jRequired()) {
        throw new Neo4jUnavailableError(
          `Neo4j is required (CI or REQUIRE_NEO4J=1) but unavailable: ${result.reason}. ` +
            `Start one with 'npm run neo4j:start' and export NEO4J_URI/NEO4J_PASSWORD; see docs/neo4j-local.md.`,
        );
      }
      console.warn(`[neo4j] skipping Neo4j tests: ${result.reason}`);
    }
    return result;
  });
  return availabilityPromise;
}

async function probe(): Promise<Neo4jAvailability> {
  const envUri = process.env.NEO4J_URI;
  if (envUri) {
    const check = await checkBolt(envUri, envUser(), envPassword(), envDatabase());
    return check.ok
      ? { available: true, sources: ['env'], reason: `NEO4J_URI=${envUri}` }
      : { available: false, reason: `NEO4J_URI=${envUri} does not work: ${check.message}` };
  }
  const sources: Neo4jSource[] = [];
  const reasons: string[] = [];

  const runtime = await containerRuntime();
  if (runtime.ok) {
    if (await loadTestcontainers()) sources.push('testcontainers');
    else reasons.push(`container runtime at ${runtime.where}, but @testcontainers/neo4j is not installed`);
  } else {
    reasons.push(`no container runtime (${runtime.why})`);
  }

  try {
    checkJava();
    await ensureJars(localPaths().libDir, (m) => console.log(`[neo4j] ${m}`));
    sources.push('local');
  } catch (e) {
    reasons.push(`no local launcher: ${(e as Error).message}`);
  }

  return sources.length > 0
    ? { available: true, sources, reason: `sources: ${sources.join(', ')}` }
    : { available: false, reason: reasons.join('; ') };
}

function envUser(): string {
  return process.env.NEO4J_USER || NEO4J_USER;
}
function envPassword(): string {
  return process.env.NEO4J_PASSWORD ?? '';
}
function envDatabase(): string {
  return process.env.NEO4J_DATABASE || NEO4J_DATABASE;
}

type RuntimeProbe = { ok: true; where: string } | { ok: false; why: string };

/** A Docker-compatible runtime that answers GET /_ping: DOCKER_HOST, else /var/run/docker.sock or a rootless socket. */
async function containerRuntime(): Promise<RuntimeProbe> {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) {
      const socketPath = dockerHost.slice('unix://'.length);
      return (await ping({ socketPath }))
        ? { ok: true, where: dockerHost }
        : { ok: false, why: `${dockerHost} silent` };
    }
    if (dockerHost.startsWith('tcp://') && !process.env.DOCKER_TLS_VERIFY) {
      const url = new URL(dockerHost);
      const ok = await ping({ host: url.hostname, port: Number(url.port || 2375) });
      return ok ? { ok: true, where: dockerHost } : { ok: false, why: `${dockerHost} silent` };
    }
    // TLS or another scheme: let testcontainers decide.
    return { ok: true, where: dockerHost };
  }
  const candidates = ['/var/run/docker.sock'];
  if (process.env.XDG_RUNTIME_DIR) candidates.push(path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  for (const socketPath of candidates) {
    let isSocket = false;
    try {
      isSocket = fs.statSync(socketPath).isSocket();
    } catch {
      continue;
    }
    if (isSocket && (await ping({ socketPath }))) return { ok: true, where: socketPath };
  }
  return { ok: false, why: `DOCKER_HOST unset and no answering socket at ${candidates.join(', ')}` };
}

function ping(target: { socketPath: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ ...target, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// @testcontainers/neo4j (optional, not a dependency): the few members used here

interface StartedNeo4jContainer {
  getBoltUri(): string;
  getUsername(): string;
  getPassword(): string;
  stop(): Promise<unknown>;
}
interface Neo4jContainerBuilder {
  withPassword(password: string): Neo4jContainerBuilder;
  start(): Promise<StartedNeo4jContainer>;
}
interface TestcontainersNeo4jModule {
  Neo4jContainer: new (image: string) => Neo4jContainerBuilder;
}

async function loadTestcontainers(): Promise<TestcontainersNeo4jModule | null> {
  const specifier = '@testcontainers/neo4j'; // a variable, so TypeScript and vite do not resolve it statically
  try {
    const mod = (await import(specifier)) as Partial<TestcontainersNeo4jModule>;
    return typeof mod.Neo4jContainer === 'function' ? (mod as TestcontainersNeo4jModule) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Acquiring

interface Instance {
  uri: string;
  user: string;
  password: string;
  database: string;
  source: Neo4jSource;
  stop(): Promise<void>;
}

let instancePromise: Promise<Instance> | null = null;
let refs = 0;

/**
 * A Neo4j for the calling test file (see the module comment). Throws Neo4jUnavailableError when no source works.
 * Starting the local launcher takes about 10-25 s on a 2-core machine; call it in beforeAll (hookTimeout 180 s).
 */
export async function acquireNeo4j(): Promise<Neo4jConnection> {
  refs++;
  let instance: Instance;
  try {
    instancePromise ??= startInstance();
    instance = await instancePromise;
  } catch (e) {
    refs--;
    instancePromise = null;
    throw e;
  }
  let released = false;
  return {
    uri: instance.uri,
    user: instance.user,
    password: instance.password,
    database: instance.database,
    source: instance.source,
    async release() {
      if (released) return;
      released = true;
      refs--;
      if (refs === 0 && instancePromise) {
        instancePromise = null;
        await instance.stop();
      }
    },
  };
}

async function startInstance(): Promise<Instance> {
  const availability = await neo4jAvailability().catch((e: Error) => ({
    available: false as const,
    reason: e.message,
  }));
  if (!availability.available) throw new Neo4jUnavailableError(`no Neo4j available: ${availability.reason}`);

  const failures: string[] = [];
  for (const source of availability.sources) {
    try {
      if (source === 'env') {
        return {
          uri: process.env.NEO4J_URI ?? '',
          user: envUser(),
          password: envPassword(),
          database: envDatabase(),
          source,
          stop: async () => {},
        };
      }
      if (source === 'testcontainers') return await startContainer();
      return await startLocal();
    } catch (e) {
      failures.push(`${source}: ${(e as Error).message}`);
      console.warn(`[neo4j] ${source} failed, trying the next source: ${(e as Error).message}`);
    }
  }
  throw new Neo4jUnavailableError(`every Neo4j source failed:\n${failures.join('\n')}`);
}

async function startContainer(): Promise<Instance> {
  const mod = await loadTestcontainers();
  if (!mod) throw new Error('@testcontainers/neo4j cannot be imported');
  const container = await new mod.Neo4jContainer(TESTCONTAINERS_IMAGE).withPassword(CONTAINER_PASSWORD).start();
  return {
    uri: container.getBoltUri(),
    user: container.getUsername(),
    password: container.getPassword(),
    database: NEO4J_DATABASE,
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function startLocal(): Promise<Instance> {
  const { libDir } = localPaths();
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'arkgraph-neo4j-'));
  const password = `test-${randomBytes(12).toString('hex')}`;
  const removeTmp = () => fsp.rm(tmp, { recursive: true, force: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    try {
      const server = await startLocalNeo4j({
        libDir,
        dataDir: path.join(tmp, `data-${attempt}`),
        logFile: path.join(tmp, 'neo4j.log'),
        port,
        password,
        detached: false,
        exitWithParent: true,
      });
      return {
        uri: server.uri,
        user: server.user,
        password,
        database: NEO4J_DATABASE,
        source: 'local',
        stop: async () => {
          await server.stop();
          await removeTmp();
        },
      };
    } catch (e) {
      lastError = e;
      // Only a lost race for the port is worth another try.
      if (!/already in use|BindException|Address already in use/.test(String((e as Error).message))) break;
    }
  }
  await removeTmp();
  throw lastError;
}

// ---------------------------------------------------------------------------------------------------------------
// Cleaning

export interface ClearOptions {
  database?: string;
  /** only nodes with this label (use it on a shared server); default: every node */
  label?: string;
  /** also drop every constraint and index (except the built-in token lookup indexes); default false */
  dropSchema?: boolean;
  /** rows per inner transaction; default 10000 */
  batchSize?: number;
}

/**
 * Deletes nodes (and their relationships) in bounded batches with `CALL { ... } IN TRANSACTIONS`, which only runs in
 * an auto-commit transaction, hence `session.run`. Needs Neo4j 5.23+ (scoped `CALL (n) { ... }`).
 */
export async function clearDatabase(driver: Driver, options: ClearOptions = {}): Promise<void> {
  const database = options.database ?? NEO4J_DATABASE;
  const batch = Math.max(1, Math.floor(options.batchSize ?? 10_000));
  const label = options.label === undefined ? '' : `:${quoteIdentifier(options.label)}`;
  const session = driver.session({ database });
  try {
    // Relationships first, in their own bounded batches: DETACH DELETE of 10k dense nodes (a role every user holds,
    // a safe with thousands of effective permissions) can exceed the transaction memory limit on its own.
    await session.run(`MATCH (n${label})-[r]-() CALL (r) { DELETE r } IN TRANSACTIONS OF ${batch} ROWS`);
    await session.run(`MATCH (n${label}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF ${batch} ROWS`);
    if (options.dropSchema) {
      const constraints = await session.run('SHOW CONSTRAINTS YIELD name RETURN name');
      for (const r of constraints.records) {
        await session.run(`DROP CONSTRAINT ${quoteIdentifier(r.get('name') as string)} IF EXISTS`);
      }
      const indexes = await session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name");
      for (const r of indexes.records) {
        await session.run(`DROP INDEX ${quoteIdentifier(r.get('name') as string)} IF EXISTS`);
      }
    }
  } finally {
    await session.close();
  }
}

function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
