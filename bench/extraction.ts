/**
 * Extraction: the real extractors (src/sources/identity, src/sources/privilegecloud) over HTTP against the simulator
 * (in its own process) with 20 ms of latency on every request, per source and per client concurrency, against
 * the ideal bound (requests × latency ÷ concurrency) and a dependency-aware bound (sequential paging chains cannot
 * overlap: each sequential request costs a full latency, each fan-out costs ⌈n ÷ concurrency⌉ latencies).
 *
 *   node --import tsx bench/extraction.ts [--scales medium,large] [--concurrency 4,8,16,32] [--latency 20]
 */
import { createIdentityClient, extractIdentity, identityAuth } from '../src/sources/identity/extract.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud } from '../src/sources/privilegecloud/extract.js';
import type { Scale } from '../src/tenant/generate.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { BENCH_HTTP, identityConfig } from './lib/pipeline.js';
import { type SimulatorProcess, startSimulatorProcess } from './lib/processes.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { round } from './lib/stats.js';

export const EXTRACTION_TARGET = target(
  '<=',
  1.2,
  'extraction ≤ 1.2× the ideal bound (requests × latency ÷ concurrency)',
);

/** How a request is scheduled by the extractor: one after another (paging) or fanned out under the limiter. */
type Shape = 'sequential' | 'fanout';

interface RouteClass {
  route: string;
  shape: Shape;
}

/** Groups the simulator's per-path counters into endpoints, and says how the extractor issues each. */
export function classify(key: string): RouteClass {
  const [method, path = ''] = key.split(' ');
  const p = path.toLowerCase();
  if (/^\/passwordvault\/api\/safes\/[^/]+\/members$/.test(p)) {
    return { route: `${method} /PasswordVault/API/Safes/{safeUrlId}/Members`, shape: 'fanout' };
  }
  if (p === '/roles/getrolemembers' || p === '/core/getassignedadministrativerights' || p === '/acl/getrowaces') {
    return { route: `${method} ${path}`, shape: 'fanout' };
  }
  return { route: `${method} ${path}`, shape: 'sequential' };
}

export interface RequestBreakdown {
  total: number;
  byRoute: Record<string, number>;
  sequential: number;
  /** Fan-out groups that run one after another (role members + admin rights together, ACEs, safe members). */
  fanouts: number[];
}

export function breakdown(counters: Record<string, number>): RequestBreakdown {
  const byRoute: Record<string, number> = {};
  let sequential = 0;
  const fan = { roles: 0, aces: 0, members: 0 };
  let total = 0;
  for (const [key, n] of Object.entries(counters)) {
    const c = classify(key);
    byRoute[c.route] = (byRoute[c.route] ?? 0) + n;
    total += n;
    if (c.shape === 'sequential') sequential += n;
    else if (/getrolemembers|getassignedadministrativerights/i.test(c.route)) fan.roles += n;
    else if (/getrowaces/i.test(c.route)) fan.aces += n;
    else fan.members += n;
  }
  return { total, byRoute, sequential, fanouts: [fan.roles, fan.aces, fan.members].filter((n) => n > 0) };
}

export function idealMs(requests: number, latencyMs: number, concurrency: number): number {
  return (requests * latencyMs) / concurrency;
}

export function dependencyBoundMs(b: RequestBreakdown, latencyMs: number, concurrency: number): number {
  return (b.sequential + b.fanouts.reduce((n, f) => n + Math.ceil(f / concurrency), 0)) * latencyMs;
}

async function extractOne(
  sim: SimulatorProcess,
  source: 'identity' | 'privilegecloud',
  concurrency: number,
): Promise<{ ms: number; requests: RequestBreakdown }> {
  await sim.reset();
  const config = identityConfig(sim);
  const auth = identityAuth(config);
  const http = { ...BENCH_HTTP, concurrency };
  const start = performance.now();
  if (source === 'identity') {
    await extractIdentity(createIdentityClient(config, auth, http), sim.identityUrl);
  } else {
    await extractPrivilegeCloud(createPrivilegeCloudClient(sim.pcloudUrl, auth, http), sim.pcloudUrl, 'privilegecloud');
  }
  const ms = performance.now() - start;
  await auth.close?.();
  const counters = await sim.counters();
  return { ms, requests: breakdown(counters.byRoute) };
}

export interface ExtractionOptions {
  scales: Scale[];
  concurrency: number[];
  latencyMs: number;
  quick: boolean;
}

export async function runExtraction(opts: ExtractionOptions): Promise<string> {
  const rec = new Recorder('extraction', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}), every concurrency ${opts.concurrency.join(', ')} at every scale; ` +
      `simulator in its own process with ${opts.latencyMs} ms fixed latency per request; ` +
      'each source extracted on its own (one client, the given concurrency), token request included',
  );
  const rows: (string | number | null)[][] = [];
  const perRoute: Record<string, Record<string, number>> = {};
  for (const scale of opts.scales) {
    const sim = await startSimulatorProcess(scale, BENCH_SEED, opts.latencyMs);
    try {
      for (const concurrency of opts.concurrency) {
        for (const source of ['identity', 'privilegecloud'] as const) {
          const load = procLoad()[0]!;
          const { ms, requests } = await extractOne(sim, source, concurrency);
          const ideal = idealMs(requests.total, opts.latencyMs, concurrency);
          const dep = dependencyBoundMs(requests, opts.latencyMs, concurrency);
          const ratio = ms / ideal;
          rec.figure({
            metric: `extraction ${source} wall ÷ ideal bound, concurrency ${concurrency}`,
            scale,
            value: round(ratio, 2),
            unit: '×',
            target: EXTRACTION_TARGET,
            load1: load,
            note: `${round(ms / 1000, 2)} s for ${requests.total} requests; ideal ${round(ideal / 1000, 2)} s; dependency-aware bound ${round(dep / 1000, 2)} s (${round(ms / dep, 2)}×)`,
          });
          rows.push([
            scale,
            source,
            concurrency,
            requests.total,
            requests.sequential,
            round(ms / 1000, 2),
            round(ideal / 1000, 2),
            round(ratio, 2),
            round(dep / 1000, 2),
            round(ms / dep, 2),
            load,
          ]);
          perRoute[`${scale}/${source}`] = requests.byRoute;
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
      'sequential',
      'wall s',
      'ideal s',
      'wall/ideal',
      'dep. bound s',
      'wall/dep',
      'load1',
    ],
    rows,
  );
  for (const [key, byRoute] of Object.entries(perRoute)) {
    rec.table(
      `requests per endpoint: ${key}`,
      ['endpoint', 'requests', 'shape'],
      Object.entries(byRoute)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([route, n]) => [route, n, classify(route).shape]),
    );
  }
  rec.details.requestsPerEndpoint = perRoute;
  rec.details.latencyMs = opts.latencyMs;
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runExtraction({
    scales: listArg(args, 'scales', ['medium', 'large']) as Scale[],
    concurrency: listArg(args, 'concurrency', ['4', '8', '16', '32']).map(Number),
    latencyMs: numberArg(args, 'latency', 20),
    quick: args.quick === true,
  });
}
