/**
 * The access-review export and the server around it: while `GET /api/v1/exports/access-review?scope=all` streams the
 * whole estate to a client that reads as fast as it can, how long do GET /health and a who-can request wait? The
 * export must not hold the event loop (issue 15, item 2): before the fix, /health waited for the whole export.
 * Figures per format: GET /health p50/p99/max while idle and during the export, who-can p99/max during the export,
 * the export's duration and size.
 *
 *   node --max-old-space-size=8192 --import tsx bench/export.ts [--scales medium] [--formats csv,json]
 *        [--interval 50]
 */

import { generateTenant, type Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { ensureMemoryData } from './lib/datasets.js';
import { procLoad, Recorder } from './lib/results.js';
import { type ServeProcess, startServe } from './lib/serve.js';
import { MiB, round, summary } from './lib/stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request, its latency in ms (until the whole body has arrived). */
async function timed(server: ServeProcess, path: string): Promise<number> {
  const start = performance.now();
  const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return performance.now() - start;
}

/** Requests `path` every `intervalMs` (after the previous answer) until `stop` resolves; their latencies. */
async function probe(
  server: ServeProcess,
  path: string,
  intervalMs: number,
  stop: Promise<unknown>,
): Promise<number[]> {
  let done = false;
  const end = () => {
    done = true;
  };
  stop.then(end, end);
  const ms: number[] = [];
  while (!done) {
    ms.push(await timed(server, path));
    await Promise.race([sleep(intervalMs), stop.catch(() => {})]);
  }
  return ms;
}

/** The export read to its end as fast as the client can: bytes and wall time. */
async function exportAll(server: ServeProcess, format: string): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  const r = await fetch(`${server.url}/api/v1/exports/access-review?scope=all&format=${format}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (!r.ok || !r.body) throw new Error(`export: HTTP ${r.status}`);
  let bytes = 0;
  for await (const chunk of r.body) bytes += (chunk as Uint8Array).byteLength;
  return { bytes, ms: performance.now() - start };
}

export interface ExportOptions {
  scales: Scale[];
  formats: ('csv' | 'json')[];
  intervalMs: number;
  quick: boolean;
}

export async function runExport(opts: ExportOptions): Promise<string> {
  const rec = new Recorder('export', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')}; \`arkgraph serve\` (from source, embedded store, --log-level warn, reviewer token) in its own process; ` +
      `the export (scope=all) is read by fetch in the bench process as fast as it arrives; meanwhile GET /health and GET /api/v1/safes/{safe}/access?permission=retrieveAccounts (first page) ` +
      `are each requested ${opts.intervalMs} ms after their previous answer; idle: the same /health probe for 2 s before any export`,
  );
  const rows: (string | number | null)[][] = [];
  for (const scale of opts.scales) {
    const mem = await ensureMemoryData(scale);
    if (mem.synced) rec.note(`${scale}: synced the memory data dir (${round(mem.synced.wallMs / 1000, 1)} s)`);
    const safe = generateTenant(scale, BENCH_SEED).privilegeCloud.safes[0]!.name;
    const whoCan = `/api/v1/safes/${encodeURIComponent(safe)}/access?permission=retrieveAccounts`;
    const server = await startServe({ kind: 'memory', dataDir: mem.dir }, ['--max-old-space-size=8192'], 'reviewer');
    try {
      // Warm-up: loads the snapshot and runs each route once.
      await timed(server, '/health');
      await timed(server, whoCan);
      const idle = summary(await probe(server, '/health', opts.intervalMs, sleep(2000)));
      rec.figure({
        metric: 'GET /health latency while idle, p99',
        scale,
        value: round(idle.p99, 2),
        unit: 'ms',
        note: `p50 ${round(idle.p50, 2)} ms, max ${round(idle.max, 2)} ms, n ${idle.n}`,
      });
      for (const format of opts.formats) {
        const load = procLoad()[0]!;
        const exported = exportAll(server, format);
        const [health, who, result] = await Promise.all([
          probe(server, '/health', opts.intervalMs, exported),
          probe(server, whoCan, opts.intervalMs, exported),
          exported,
        ]);
        const h = summary(health);
        const w = summary(who);
        rec.figure({
          metric: `GET /health latency during a ${format.toUpperCase()} export, max`,
          scale,
          value: round(h.max, 1),
          unit: 'ms',
          load1: load,
          note: `p50 ${round(h.p50, 2)} ms, p99 ${round(h.p99, 2)} ms, n ${h.n}`,
        });
        rec.figure({
          metric: `who-can latency during a ${format.toUpperCase()} export, p99`,
          scale,
          value: round(w.p99, 1),
          unit: 'ms',
          load1: load,
          note: `p50 ${round(w.p50, 2)} ms, max ${round(w.max, 2)} ms, n ${w.n}`,
        });
        rec.figure({
          metric: `${format.toUpperCase()} export (scope=all) duration`,
          scale,
          value: round(result.ms / 1000, 2),
          unit: 's',
          load1: load,
          note: `${round(result.bytes / MiB, 1)} MiB, ${round(result.bytes / MiB / (result.ms / 1000), 1)} MiB/s`,
        });
        rows.push([
          scale,
          format,
          round(result.bytes / MiB, 1),
          round(result.ms / 1000, 2),
          h.n,
          round(h.p50, 2),
          round(h.p99, 2),
          round(h.max, 1),
          w.n,
          round(w.p50, 2),
          round(w.p99, 2),
          round(w.max, 1),
          load,
        ]);
      }
    } finally {
      await server.stop();
    }
  }
  rec.table(
    'latency during an access-review export (scope=all), ms',
    [
      'scale',
      'format',
      'MiB',
      'export s',
      'health n',
      'health p50',
      'health p99',
      'health max',
      'who-can n',
      'who-can p50',
      'who-can p99',
      'who-can max',
      'load1',
    ],
    rows,
  );
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runExport({
    scales: listArg(args, 'scales', ['medium']) as Scale[],
    formats: listArg(args, 'formats', ['csv', 'json']) as ('csv' | 'json')[],
    intervalMs: numberArg(args, 'interval', 50),
    quick: args.quick === true,
  });
}
