/**
 * Extraction: the real extractors (src/sources/identity, src/sources/privilegecloud) over HTTP against the simulator
 * (in its own process) with 20 ms of latency on every request, per source and per client concurrency, against two
 * lower bounds:
 *
 * - the ideal bound of issue #7: requests × latency ÷ concurrency (the figure with the 1.2× target);
 * - the critical-path bound: the ideal bound made dependency-aware. Some requests cannot be sent before an answer
 *   arrives — the token before everything; a listing's later pages before its first page (only the first page says
 *   how many there are: Redrock FullCount, PCloud count / nextLink); a per-item request (role members, admin rights,
 *   application ACEs, safe members) before the page that lists the item; DirectoryServiceQuery before the directory
 *   services. So every request has a dependency level k (the token is level 0) and cannot start before k latencies
 *   have passed; with N(≥k) requests at level k or deeper and `concurrency` slots, the run lasts at least
 *   (k + ⌈N(≥k) ÷ concurrency⌉) latencies, for every k. The bound is the largest of these. The levels are computed
 *   from what was extracted (item counts) and the extractors' page sizes, and the model's request count is checked
 *   against the simulator's counters.
 *
 * Each scale starts with one untimed extraction per source (JIT and keep-alive connections warm: a cold first run
 * costs a few hundred ms of one-off work unrelated to latency or concurrency). With --runs N the median of N runs is
 * reported. Also recorded: the mean time of one request as the client saw it (latency + server and client work), and
 * per endpoint the requests, their mean time and the window in which they ran (at the first concurrency).
 *
 *   node --import tsx bench/extraction.ts [--scales medium,large] [--concurrency 4,8,16,32] [--latency 20] [--runs 1]
 */
import type { RequestEvent } from '../src/http/index.js';
import { createIdentityClient, identityAuth } from '../src/sources/identity/client.js';
import { extractIdentity } from '../src/sources/identity/extract.js';
import { DSQ_PAGE_SIZE, REDROCK_PAGE_SIZE } from '../src/sources/identity/paging.js';
import { isEverybodyRole } from '../src/sources/identity/predefined.js';
import type { IdentityRaw } from '../src/sources/identity/schemas.js';
import {
  createPrivilegeCloudClient,
  extractPrivilegeCloud,
  PAGE_SIZES,
} from '../src/sources/privilegecloud/extract.js';
import type { PrivilegeCloudRaw } from '../src/sources/privilegecloud/schemas.js';
import type { Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { BENCH_HTTP, identityConfig } from './lib/pipeline.js';
import { type SimulatorProcess, startSimulatorProcess } from './lib/processes.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { percentile, round } from './lib/stats.js';

export const EXTRACTION_TARGET = target(
  '<=',
  1.2,
  'extraction ≤ 1.2× the ideal bound (requests × latency ÷ concurrency)',
);

/** Groups the simulator's per-path counters into endpoints (safe members under one name). */
export function routeOf(key: string): string {
  const [method, path = ''] = key.split(' ');
  if (/^\/passwordvault\/api\/safes\/[^/]+\/members$/i.test(path)) {
    return `${method} /PasswordVault/API/Safes/{safeUrlId}/Members`;
  }
  return `${method} ${path}`;
}

export function byRoute(counters: Record<string, number>): { total: number; byRoute: Record<string, number> } {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [key, n] of Object.entries(counters)) {
    const route = routeOf(key);
    out[route] = (out[route] ?? 0) + n;
    total += n;
  }
  return { total, byRoute: out };
}

export function idealMs(requests: number, latencyMs: number, concurrency: number): number {
  return (requests * latencyMs) / concurrency;
}

/** Requests per dependency level: levels[k] = requests that need k earlier answers in a row (levels[0]: the token). */
export class DependencyLevels {
  readonly levels: number[] = [];

  add(level: number, n = 1): void {
    if (n <= 0) return;
    while (this.levels.length <= level) this.levels.push(0);
    this.levels[level]! += n;
  }

  /**
   * A paged listing of `items` items, `pageSize` per page, whose first page can be sent at `level`: its later pages
   * at level + 1 (sent together once the first page told the count). Returns the level at which item i is known.
   */
  listing(level: number, items: number, pageSize: number): (i: number) => number {
    const pages = Math.max(1, Math.ceil(items / pageSize));
    this.add(level);
    this.add(level + 1, pages - 1);
    return (i) => (i < pageSize ? level : level + 1);
  }

  get total(): number {
    return this.levels.reduce((a, b) => a + b, 0);
  }

  get depth(): number {
    return this.levels.length;
  }

  /** max over k of (k + ⌈N(≥k) ÷ concurrency⌉) × latency. */
  boundMs(latencyMs: number, concurrency: number): number {
    let atOrBelow = this.total;
    let slots = 0;
    for (let k = 0; k < this.levels.length; k++) {
      slots = Math.max(slots, k + Math.ceil(atOrBelow / concurrency));
      atOrBelow -= this.levels[k]!;
    }
    return slots * latencyMs;
  }
}

/** The dependency levels of an Identity extraction with the extractor's page sizes. */
export function identityLevels(raw: IdentityRaw): DependencyLevels {
  const d = new DependencyLevels();
  d.add(0); // token
  d.add(1); // Core/GetDirectoryServices
  d.listing(2, raw.directoryUsers.length, DSQ_PAGE_SIZE);
  d.listing(2, raw.directoryGroups.length, DSQ_PAGE_SIZE);
  d.listing(2, raw.directoryRoles.length, DSQ_PAGE_SIZE);
  const user = d.listing(1, raw.users.length, REDROCK_PAGE_SIZE);
  raw.users.forEach((u, i) => {
    if (typeof u.ServiceUser !== 'boolean') d.add(user(i) + 1); // UserMgmt/GetUserAttributes
  });
  const role = d.listing(1, raw.roles.length, REDROCK_PAGE_SIZE);
  raw.roles.forEach((r, i) => {
    d.add(role(i) + 1, isEverybodyRole(r) ? 1 : 2); // GetAssignedAdministrativeRights (+ GetRoleMembers)
  });
  const app = d.listing(1, raw.applications.length, REDROCK_PAGE_SIZE);
  raw.applications.forEach((_a, i) => {
    d.add(app(i) + 1); // Acl/GetRowAces
  });
  return d;
}

/** The dependency levels of a Privilege Cloud extraction with the extractor's page sizes. */
export function pcloudLevels(raw: PrivilegeCloudRaw): DependencyLevels {
  const d = new DependencyLevels();
  d.add(0); // token
  const safe = d.listing(1, raw.safes.length, PAGE_SIZES.safes);
  raw.safes.forEach((s, i) => {
    d.listing(safe(i) + 1, raw.members[s.safeName]?.length ?? 0, PAGE_SIZES.members);
  });
  d.listing(1, raw.accounts.length, PAGE_SIZES.accounts);
  d.add(1); // UserGroups (not paged)
  return d;
}

interface EndpointTiming {
  requests: number;
  meanMs: number;
  firstStartMs: number;
  lastEndMs: number;
}

interface Run {
  ms: number;
  total: number;
  byRoute: Record<string, number>;
  levels: DependencyLevels;
  /** Mean duration of one attempt as the client saw it. */
  meanRequestMs: number;
  timeline: Record<string, EndpointTiming>;
}

async function extractOne(
  sim: SimulatorProcess,
  source: 'identity' | 'privilegecloud',
  concurrency: number,
): Promise<Run> {
  await sim.reset();
  const config = identityConfig(sim);
  const auth = identityAuth(config);
  const events: { endpoint: string; start: number; end: number }[] = [];
  const onRequest = (e: RequestEvent) => {
    const end = performance.now();
    events.push({ endpoint: e.endpoint, start: end - e.ms, end });
  };
  const http = { ...BENCH_HTTP, concurrency, onRequest };
  const start = performance.now();
  let levels: DependencyLevels;
  if (source === 'identity') {
    levels = identityLevels(await extractIdentity(createIdentityClient(config, auth, http), sim.identityUrl));
  } else {
    const pcloud = createPrivilegeCloudClient(sim.pcloudUrl, auth, http);
    levels = pcloudLevels(await extractPrivilegeCloud(pcloud, sim.pcloudUrl, 'privilegecloud'));
  }
  const ms = performance.now() - start;
  await auth.close?.();
  const timeline: Record<string, EndpointTiming> = {};
  for (const e of events) {
    const t = timeline[e.endpoint] ?? { requests: 0, meanMs: 0, firstStartMs: Infinity, lastEndMs: 0 };
    timeline[e.endpoint] = t;
    t.requests++;
    t.meanMs += e.end - e.start;
    t.firstStartMs = Math.min(t.firstStartMs, e.start - start);
    t.lastEndMs = Math.max(t.lastEndMs, e.end - start);
  }
  for (const t of Object.values(timeline)) t.meanMs /= t.requests;
  const meanRequestMs = events.reduce((a, e) => a + (e.end - e.start), 0) / Math.max(1, events.length);
  return { ms, ...byRoute((await sim.counters()).byRoute), levels, meanRequestMs, timeline };
}

export interface ExtractionOptions {
  scales: Scale[];
  concurrency: number[];
  latencyMs: number;
  quick: boolean;
  /** Timed runs per point; the median is reported (default 1). */
  runs?: number;
}

export async function runExtraction(opts: ExtractionOptions): Promise<string> {
  const runs = Math.max(1, opts.runs ?? 1);
  const rec = new Recorder('extraction', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}), every concurrency ${opts.concurrency.join(', ')} at every scale; ` +
      `simulator in its own process with ${opts.latencyMs} ms fixed latency per request; ` +
      'each source extracted on its own (one client, the given concurrency), token request included; ' +
      `one untimed warm-up extraction per source and scale, then ${runs === 1 ? 'one timed run' : `the median of ${runs} timed runs`} per point`,
  );
  rec.note(
    'critical-path bound: max over dependency levels k of (k + ⌈requests at level ≥ k ÷ concurrency⌉) × latency; ' +
      'level 0 = token, 1 = first pages of the listings (and directory services), 2 = later pages and per-item ' +
      'requests of first-page items, 3 = per-item requests of later-page items (see bench/extraction.ts)',
  );
  const rows: (string | number | null)[][] = [];
  const perRoute: Record<string, Record<string, number>> = {};
  const timelines: Record<string, Record<string, EndpointTiming>> = {};
  for (const scale of opts.scales) {
    const sim = await startSimulatorProcess(scale, BENCH_SEED, opts.latencyMs);
    try {
      for (const source of ['identity', 'privilegecloud'] as const) await extractOne(sim, source, opts.concurrency[0]!);
      for (const concurrency of opts.concurrency) {
        for (const source of ['identity', 'privilegecloud'] as const) {
          const load = procLoad()[0]!;
          const measured: Run[] = [];
          for (let i = 0; i < runs; i++) measured.push(await extractOne(sim, source, concurrency));
          const ms = percentile(
            measured.map((r) => r.ms),
            50,
          );
          const run = measured[0]!;
          const ideal = idealMs(run.total, opts.latencyMs, concurrency);
          const critical = run.levels.boundMs(opts.latencyMs, concurrency);
          const modelNote =
            run.levels.total === run.total
              ? ''
              : `; the dependency model counts ${run.levels.total} requests, the simulator ${run.total}`;
          rec.figure({
            metric: `extraction ${source} wall ÷ ideal bound, concurrency ${concurrency}`,
            scale,
            value: round(ms / ideal, 2),
            unit: '×',
            target: EXTRACTION_TARGET,
            load1: load,
            note:
              `${round(ms / 1000, 2)} s for ${run.total} requests; ideal ${round(ideal / 1000, 2)} s; ` +
              `critical-path bound ${round(critical / 1000, 2)} s (${round(ms / critical, 2)}×, ${run.levels.depth} dependency levels); ` +
              `mean request ${round(run.meanRequestMs, 1)} ms${modelNote}`,
          });
          rec.figure({
            metric: `extraction ${source} wall ÷ critical-path bound, concurrency ${concurrency}`,
            scale,
            value: round(ms / critical, 2),
            unit: '×',
            load1: load,
          });
          rows.push([
            scale,
            source,
            concurrency,
            run.total,
            run.levels.levels.join('/'),
            round(ms / 1000, 2),
            round(ideal / 1000, 2),
            round(ms / ideal, 2),
            round(critical / 1000, 2),
            round(ms / critical, 2),
            round(run.meanRequestMs, 1),
            load,
          ]);
          perRoute[`${scale}/${source}`] = run.byRoute;
          if (concurrency === opts.concurrency[0])
            timelines[`${scale}/${source}/concurrency ${concurrency}`] = run.timeline;
        }
      }
    } finally {
      await sim.close();
    }
  }
  rec.table(
    `extraction: wall time against the bounds (latency ${opts.latencyMs} ms)`,
    [
      'scale',
      'source',
      'concurrency',
      'requests',
      'per level',
      'wall s',
      'ideal s',
      'wall/ideal',
      'crit. path s',
      'wall/crit',
      'mean req ms',
      'load1',
    ],
    rows,
  );
  for (const [key, counts] of Object.entries(perRoute)) {
    rec.table(
      `requests per endpoint: ${key}`,
      ['endpoint', 'requests'],
      Object.entries(counts)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([route, n]) => [route, n]),
    );
  }
  for (const [key, timeline] of Object.entries(timelines)) {
    rec.table(
      `timeline: ${key} (ms from the start of the extraction)`,
      ['endpoint', 'requests', 'mean ms', 'first start', 'last end'],
      Object.entries(timeline)
        .sort(([, a], [, b]) => a.firstStartMs - b.firstStartMs)
        .map(([endpoint, t]) => [endpoint, t.requests, round(t.meanMs, 1), round(t.firstStartMs), round(t.lastEndMs)]),
    );
  }
  rec.details.requestsPerEndpoint = perRoute;
  rec.details.timelines = timelines;
  rec.details.latencyMs = opts.latencyMs;
  rec.details.runs = runs;
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runExtraction({
    scales: listArg(args, 'scales', ['medium', 'large']) as Scale[],
    concurrency: listArg(args, 'concurrency', ['4', '8', '16', '32']).map(Number),
    latencyMs: numberArg(args, 'latency', 20),
    runs: numberArg(args, 'runs', 1),
    quick: args.quick === true,
  });
}
