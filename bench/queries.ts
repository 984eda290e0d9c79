/**
 * Queries: p50/p95/p99 of who-can, user access and paths on both stores, in process (the GraphStore methods) and
 * over HTTP (autocannon against `arkgraph serve`, one connection, so a latency is one request's), and the API's
 * throughput on who-can against a trivial route of the same server in the same run, as a ratio. On the embedded store
 * the trivial route is GET /ready (a small constant body; the store check is an in-memory flag) with the same reader
 * token, so it pays for everything who-can pays for but the query and its answer: token check, rate limit,
 * authorization, request-scoped logger, Helmet headers and the zod-validated response. GET /health is public and
 * skips the authorization, so it is recorded for reference; on Neo4j it stays the trivial route, because /ready
 * queries the database there.
 *
 *   node --max-old-space-size=8192 --import tsx bench/queries.ts [--scales medium,large] [--stores memory,neo4j]
 *        [--samples 200] [--repeat 3] [--duration 10] [--connections 8]
 */

import autocannon from 'autocannon';
import { QueryEngine } from '../src/queries/engine.js';
import { MemoryStore } from '../src/store/memory/store.js';
import type { GraphStore } from '../src/store/types.js';
import { generateTenant, type Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { ensureMemoryData, ensureNeo4jData } from './lib/datasets.js';
import { NO_NEO4J, neo4jInfo, neo4jTarget, openNeo4jStore } from './lib/neo4j.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { type ServeProcess, startServe } from './lib/serve.js';
import { round, summary } from './lib/stats.js';

export const WHO_CAN_P99_MEMORY = target('<=', 5, 'who-can p99 over HTTP ≤ 5 ms (embedded)');
export const WHO_CAN_P99_NEO4J = target('<=', 30, 'who-can p99 over HTTP ≤ 30 ms (Neo4j)');
export const THROUGHPUT_RATIO = target('>=', 0.5, 'who-can throughput ≥ 0.5× the trivial route');

const PERMISSION = 'retrieveAccounts';

/** A deterministic generator (mulberry32) for the samples. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickN<T>(items: readonly T[], n: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

interface Sample {
  safes: string[];
  users: string[];
  pairs: { user: string; safe: string }[];
  /** The safe with the most principals holding retrieveAccounts (the Everybody fan-out). */
  heaviest: { safe: string; permission: string; principals: number };
}

/** Safes and users picked uniformly (seeded); paths pairs are (user, one of the user's safes). */
async function chooseSample(scale: Scale, store: GraphStore, n: number): Promise<Sample> {
  const tenant = generateTenant(scale, BENCH_SEED);
  const random = rng(42);
  const safes = pickN(
    tenant.privilegeCloud.safes.map((s) => s.name),
    n,
    random,
  );
  const users = pickN(
    tenant.identity.users.map((u) => u.username),
    n,
    random,
  );
  const pairs: Sample['pairs'] = [];
  for (const user of users) {
    const access = await new QueryEngine(store).userAccess(user);
    const reachable = access.safes ?? [];
    if (reachable.length === 0) continue;
    const pick = reachable[Math.floor(random() * reachable.length)]!;
    pairs.push({ user, safe: pick.safe.name });
  }
  // The heaviest answer: the Everybody role's safes give every user an edge.
  let heaviest = { safe: safes[0]!, permission: PERMISSION, principals: -1 };
  const everybody = new Set(
    tenant.identity.roles.filter((r) => r.roleType === 'Everybody').map((r) => r.name.toLowerCase()),
  );
  let tried = 0;
  for (const s of tenant.privilegeCloud.safes) {
    const member = s.members.find((m) => everybody.has(m.memberName.toLowerCase()) && m.permissions.length > 0);
    if (!member) continue;
    const r = await new QueryEngine(store).whoCan(member.permissions[0]!, s.name, { offset: 0, limit: 1 });
    if (r.total > heaviest.principals) {
      heaviest = { safe: s.name, permission: member.permissions[0]!, principals: r.total };
    }
    if (++tried === 3) break;
  }
  return { safes, users, pairs, heaviest };
}

type QueryName = 'who-can' | 'user access' | 'paths';

/** What the API answers who-can with when no page is asked for (src/api/routes/safes.ts): in process, the same. */
const API_PAGE = { offset: 0, limit: 100 };

function calls(
  s: Sample,
): Record<QueryName, { label: string; run: (st: GraphStore) => Promise<unknown>; url: string }[]> {
  return {
    'who-can': s.safes.map((safe) => ({
      label: safe,
      run: (st) => new QueryEngine(st).whoCan(PERMISSION, safe, API_PAGE),
      url: `/api/v1/safes/${encodeURIComponent(safe)}/access?permission=${PERMISSION}`,
    })),
    'user access': s.users.map((user) => ({
      label: user,
      run: (st) => new QueryEngine(st).userAccess(user),
      url: `/api/v1/users/${encodeURIComponent(user)}/access`,
    })),
    paths: s.pairs.map((p) => ({
      label: `${p.user} → ${p.safe}`,
      run: (st) => new QueryEngine(st).paths(p.user, p.safe),
      url: `/api/v1/paths?from=${encodeURIComponent(p.user)}&safe=${encodeURIComponent(p.safe)}`,
    })),
  };
}

async function inProcess(store: GraphStore, list: { run: (st: GraphStore) => Promise<unknown> }[], repeat: number) {
  for (const c of list.slice(0, 20)) await c.run(store); // warm-up
  const ms: number[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const c of list) {
      const start = performance.now();
      await c.run(store);
      ms.push(performance.now() - start);
    }
  }
  return summary(ms);
}

/** autocannon with one connection over a cycle of URLs; every response time is recorded. */
async function overHttp(server: ServeProcess, urls: string[], amount: number, connections = 1) {
  let i = 0;
  const times: number[] = [];
  let non2xx = 0;
  const instance = autocannon({
    url: server.url,
    connections,
    amount,
    headers: { authorization: `Bearer ${server.token}` },
    requests: [
      { method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: urls[i++ % urls.length] }) },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
    if (status < 200 || status > 299) non2xx++;
  });
  await instance;
  if (non2xx > 0) throw new Error(`${non2xx} responses were not 2xx (first URL ${urls[0]})`);
  return summary(times);
}

/**
 * Requests per second over `durationS` with `connections` in flight, and the server's CPU time per request (which
 * other processes on the machine disturb less than the rate).
 */
async function throughput(server: ServeProcess, urls: string[], durationS: number, connections: number) {
  let i = 0;
  const cpuBefore = await server.cpuMs();
  const result = await autocannon({
    url: server.url,
    connections,
    duration: durationS,
    headers: { authorization: `Bearer ${server.token}` },
    requests: [
      { method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, path: urls[i++ % urls.length] }) },
    ],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} responses were not 2xx`);
  const cpuMs = (await server.cpuMs()) - cpuBefore;
  return {
    rps: result.requests.average as number,
    cpuUsPerRequest: (cpuMs * 1000) / Math.max(1, result.requests.total as number),
    total: result.requests.total as number,
    errors: result.errors as number,
  };
}

export interface QueriesOptions {
  scales: Scale[];
  stores: ('memory' | 'neo4j')[];
  samples: number;
  repeat: number;
  durationS: number;
  connections: number;
  quick: boolean;
}

/** One row of the latency table: percentiles in ms (rounded to 0.01), with the load average when taken. */
function latencyRow(
  scale: string,
  store: string,
  query: string,
  via: 'in process' | 'HTTP',
  s: { n: number; p50: number; p95: number; p99: number; max: number },
  load: number,
): (string | number | null)[] {
  return [scale, store, query, via, s.n, round(s.p50, 2), round(s.p95, 2), round(s.p99, 2), round(s.max, 2), load];
}

export async function runQueries(opts: QueriesOptions): Promise<string> {
  const rec = new Recorder('queries', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')}; ${opts.samples} safes and ${opts.samples} users picked uniformly (seeded), paths on (user, one safe the user reaches); ` +
      `who-can asks ${PERMISSION} and answers the first page of ${API_PAGE.limit} principals, as the API does by default; in process: each query ${opts.repeat}× after a warm-up, sequential; ` +
      `over HTTP: autocannon, 1 connection, ${opts.repeat}× the sample, against \`arkgraph serve\` (from source, --log-level warn, reader token, rate limit 1e6/min) in its own process; ` +
      `over HTTP, each route is warmed up (up to 20 URLs, twice) first; ` +
      `throughput: ${opts.connections} connections, ${opts.durationS} s per run, GET /health, the trivial route (embedded: GET /ready, same token and hooks as who-can; Neo4j: GET /health) and who-can alternated twice; autocannon runs in the bench process on the same machine`,
  );
  const latencyRows: (string | number | null)[][] = [];
  const tputRows: (string | number | null)[][] = [];
  const stores = [...opts.stores];
  if (stores.includes('neo4j') && !neo4jTarget()) {
    rec.skip(`Neo4j store: ${NO_NEO4J}`);
    stores.splice(stores.indexOf('neo4j'), 1);
  }
  for (const scale of opts.scales) {
    const mem = await ensureMemoryData(scale);
    if (mem.synced) rec.note(`${scale}: synced the memory data dir (${round(mem.synced.wallMs / 1000, 1)} s)`);
    const memory = new MemoryStore({ dataDir: mem.dir });
    let sample: Sample;
    try {
      sample = await chooseSample(scale, memory, opts.samples);
    } finally {
      await memory.close();
    }
    rec.details[`sample-${scale}`] = { heaviest: sample.heaviest, pairs: sample.pairs.length };
    rec.note(
      `${scale}: heaviest who-can: ${sample.heaviest.permission} on "${sample.heaviest.safe}", ${sample.heaviest.principals} principals (the Everybody role is a member)`,
    );
    for (const kind of stores) {
      let store: GraphStore;
      if (kind === 'neo4j') {
        const t = neo4jTarget()!;
        const n = await ensureNeo4jData(scale);
        if (n?.synced) rec.note(`${scale}: synced Neo4j (${round(n.synced.wallMs / 1000, 1)} s)`);
        store = openNeo4jStore(t);
        if (!rec.machine.neo4j) {
          const info = await neo4jInfo((store as ReturnType<typeof openNeo4jStore>).driver, t.database);
          rec.machine.neo4j = info.version;
          rec.machine.neo4jSettings = info.settings;
        }
      } else {
        store = new MemoryStore({ dataDir: mem.dir });
      }
      const list = calls(sample);
      try {
        for (const q of ['who-can', 'user access', 'paths'] as const) {
          const load = procLoad()[0]!;
          const s = await inProcess(store, list[q], opts.repeat);
          latencyRows.push(latencyRow(scale, kind, q, 'in process', s, load));
          rec.figure({
            metric: `${q} p99 in process (${kind})`,
            scale,
            value: round(s.p99, 2),
            unit: 'ms',
            load1: load,
          });
        }
        // The heavy tail: who-can on the Everybody safe, a page as the API answers and whole as the CLI does.
        const { safe: heavySafe, permission: heavyPermission } = sample.heaviest;
        const heavyPage = await inProcess(
          store,
          [{ run: (st) => new QueryEngine(st).whoCan(heavyPermission, heavySafe, API_PAGE) }],
          20,
        );
        latencyRows.push(
          latencyRow(scale, kind, 'who-can heaviest safe, first page', 'in process', heavyPage, procLoad()[0]!),
        );
        const heavy = await inProcess(
          store,
          [{ run: (st) => new QueryEngine(st).whoCan(heavyPermission, heavySafe) }],
          5,
        );
        latencyRows.push(
          latencyRow(scale, kind, 'who-can heaviest safe, whole answer', 'in process', heavy, procLoad()[0]!),
        );
      } finally {
        await store.close();
      }

      const server = await startServe(
        kind === 'memory' ? { kind: 'memory', dataDir: mem.dir } : { kind: 'neo4j', target: neo4jTarget()! },
        ['--max-old-space-size=8192'],
      );
      try {
        // Warm-up, as in process: loads the graph (embedded) and the indexes, and runs each route (JIT, response
        // schemas) before its latencies are recorded.
        for (const q of ['who-can', 'user access', 'paths'] as const) {
          const urls = list[q].slice(0, 20).map((c) => c.url);
          if (urls.length) await overHttp(server, urls, urls.length * 2);
        }
        for (const q of ['who-can', 'user access', 'paths'] as const) {
          const urls = list[q].map((c) => c.url);
          const load = procLoad()[0]!;
          const s = await overHttp(server, urls, urls.length * opts.repeat);
          latencyRows.push(latencyRow(scale, kind, q, 'HTTP', s, load));
          rec.figure({
            metric: `${q} p99 over HTTP (${kind})`,
            scale,
            value: s.p99,
            unit: 'ms',
            load1: load,
            ...(q === 'who-can' ? { target: kind === 'memory' ? WHO_CAN_P99_MEMORY : WHO_CAN_P99_NEO4J } : {}),
            note: `p50 ${s.p50} ms, p95 ${s.p95} ms`,
          });
        }
        const heavy = await overHttp(
          server,
          [`/api/v1/safes/${encodeURIComponent(sample.heaviest.safe)}/access?permission=${sample.heaviest.permission}`],
          20,
        );
        latencyRows.push(latencyRow(scale, kind, 'who-can heaviest safe, first page', 'HTTP', heavy, procLoad()[0]!));

        const whoUrls = list['who-can'].map((c) => c.url);
        const trivialRoute = kind === 'memory' ? '/ready' : '/health';
        const runs: {
          who: number;
          trivial: number;
          health: number;
          whoCpu: number;
          trivialCpu: number;
          load: number;
        }[] = [];
        for (let r = 0; r < 2; r++) {
          const load = procLoad()[0]!;
          const health = await throughput(server, ['/health'], opts.durationS, opts.connections);
          const trivial =
            trivialRoute === '/health'
              ? health
              : await throughput(server, [trivialRoute], opts.durationS, opts.connections);
          const who = await throughput(server, whoUrls, opts.durationS, opts.connections);
          runs.push({
            who: who.rps,
            trivial: trivial.rps,
            health: health.rps,
            whoCpu: who.cpuUsPerRequest,
            trivialCpu: trivial.cpuUsPerRequest,
            load,
          });
        }
        const mean = (pick: (r: (typeof runs)[number]) => number) =>
          runs.reduce((n, r) => n + pick(r), 0) / runs.length;
        const who = mean((r) => r.who);
        const trivial = mean((r) => r.trivial);
        const health = mean((r) => r.health);
        const whoCpu = mean((r) => r.whoCpu);
        const trivialCpu = mean((r) => r.trivialCpu);
        const rss = await server.rssMiB();
        tputRows.push([
          scale,
          kind,
          round(who, 0),
          `GET ${trivialRoute}`,
          round(trivial, 0),
          round(who / trivial, 3),
          round(health, 0),
          round(whoCpu, 0),
          round(trivialCpu, 0),
          rss,
          runs[0]!.load,
        ]);
        rec.figure({
          metric: `who-can throughput ÷ trivial route (${kind})`,
          scale,
          value: round(who / trivial, 3),
          unit: '×',
          target: THROUGHPUT_RATIO,
          load1: runs[0]!.load,
          note: `who-can ${round(who, 0)} req/s, GET ${trivialRoute} ${round(trivial, 0)} req/s (GET /health, public: ${round(health, 0)} req/s); server CPU per request: who-can ${round(whoCpu, 0)} µs, GET ${trivialRoute} ${round(trivialCpu, 0)} µs`,
        });
      } finally {
        await server.stop();
      }
    }
  }
  rec.table(
    'query latency (ms)',
    ['scale', 'store', 'query', 'via', 'n', 'p50', 'p95', 'p99', 'max', 'load1'],
    latencyRows,
  );
  rec.table(
    `API throughput (${opts.connections} connections, ${opts.durationS} s per run, mean of 2)`,
    [
      'scale',
      'store',
      'who-can req/s',
      'trivial route',
      'trivial req/s',
      'ratio',
      'GET /health req/s',
      'who-can server CPU µs/req',
      'trivial server CPU µs/req',
      'server RSS MiB',
      'load1',
    ],
    tputRows,
  );
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runQueries({
    scales: listArg(args, 'scales', ['medium', 'large']) as Scale[],
    stores: listArg(args, 'stores', ['memory', 'neo4j']) as ('memory' | 'neo4j')[],
    samples: numberArg(args, 'samples', 200),
    repeat: numberArg(args, 'repeat', 3),
    durationS: numberArg(args, 'duration', 10),
    connections: numberArg(args, 'connections', 8),
    quick: args.quick === true,
  });
}
