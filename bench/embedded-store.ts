/**
 * Embedded store: a full sync into a MemoryStore data directory (its peak RSS and phases), the snapshot's size, and
 * in a fresh process the snapshot load time and the peak RSS of a process that loads it and answers queries (who-can
 * as the API pages it, user access, paths — the serving footprint the 2 GiB target is about).
 *
 *   node --max-old-space-size=8192 --import tsx bench/embedded-store.ts [--scales small,medium,large] [--fresh]
 */

import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueryEngine } from '../src/queries/engine.js';
import { SNAPSHOT_FILE } from '../src/store/memory/snapshot.js';
import { MemoryStore } from '../src/store/memory/store.js';
import { generateTenant, type Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, parseArgs } from './lib/cli.js';
import { ensureMemoryData } from './lib/datasets.js';
import { runInChild, sendResult } from './lib/processes.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { gc, MiB, maxRssMiB, round } from './lib/stats.js';

export const EMBEDDED_RSS_TARGET = target('<=', 2048, 'embedded peak RSS ≤ 2 GiB on large');
const SELF = fileURLToPath(import.meta.url);

interface LoadResult {
  loadMs: number;
  rssAfterLoadMiB: number;
  heapAfterLoadMiB: number;
  queries: number;
  queryMs: number;
  peakRssMiB: number;
  load1: number;
}

/** Worker: opens the store, loads the snapshot (first query), then answers a few queries of each kind. */
async function worker(dir: string, namesFile: string): Promise<LoadResult> {
  const { safes, users } = JSON.parse(await readFile(namesFile, 'utf8')) as { safes: string[]; users: string[] };
  gc();
  const load1 = procLoad()[0]!;
  const store = new MemoryStore({ dataDir: dir });
  let start = performance.now();
  if (!(await store.hasData())) throw new Error(`no snapshot in ${dir}`);
  const loadMs = performance.now() - start;
  gc();
  const after = process.memoryUsage();
  start = performance.now();
  let queries = 0;
  for (let i = 0; i < safes.length; i++) {
    // As `arkgraph serve` answers who-can: the first page of principals (src/api/routes/safes.ts).
    await new QueryEngine(store).whoCan('retrieveAccounts', safes[i]!, { offset: 0, limit: 100 });
    const access = await new QueryEngine(store).userAccess(users[i]!);
    const first = access.safes[0];
    if (first) await new QueryEngine(store).paths(users[i]!, first.safe.name);
    queries += first ? 3 : 2;
  }
  const queryMs = performance.now() - start;
  await store.close();
  return {
    loadMs,
    rssAfterLoadMiB: round(after.rss / MiB),
    heapAfterLoadMiB: round(after.heapUsed / MiB),
    queries,
    queryMs,
    peakRssMiB: maxRssMiB(),
    load1,
  };
}

export async function runEmbeddedStore(opts: { scales: Scale[]; fresh: boolean; quick: boolean }): Promise<string> {
  const rec = new Recorder('embedded-store', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}); sync: runSync into a MemoryStore data dir in a fresh process (simulator in its own process, no latency), peak RSS = max(getrusage maxRSS, sampled RSS); ` +
      'load: a fresh process (node --expose-gc --max-old-space-size=8192) opens the store, loads the snapshot, answers 50 who-can (the first page of 100 principals, as the API answers), 50 user access and up to 50 paths; its peak RSS is getrusage maxRSS',
  );
  const rows: (string | number | null)[][] = [];
  for (const scale of opts.scales) {
    const load1 = procLoad()[0]!;
    const data = await ensureMemoryData(scale, opts.fresh || !opts.quick);
    const synced = data.synced ?? data.marker.result;
    const size = (await stat(path.join(data.dir, SNAPSHOT_FILE))).size;
    // The names queried come from the tenant, generated here: the measured process holds only the store.
    const tenant = generateTenant(scale, BENCH_SEED);
    const namesFile = path.join(os.tmpdir(), `arkgraph-bench-names-${process.pid}.json`);
    await writeFile(
      namesFile,
      JSON.stringify({
        safes: tenant.privilegeCloud.safes.slice(0, 50).map((s) => s.name),
        users: tenant.identity.users.slice(0, 50).map((u) => u.username),
      }),
    );
    const r = await runInChild<LoadResult>(
      SELF,
      ['--dir', data.dir, '--names', namesFile],
      ['--expose-gc', '--max-old-space-size=8192'],
    ).finally(() => rm(namesFile, { force: true }));
    rows.push([
      scale,
      synced.run.counts.effective?.HAS_EFFECTIVE_PERMISSION ?? null,
      round(synced.wallMs / 1000, 1),
      synced.peakRssMiB,
      round(size / MiB, 1),
      round(r.loadMs / 1000, 2),
      r.rssAfterLoadMiB,
      r.heapAfterLoadMiB,
      r.peakRssMiB,
      round(r.queryMs / r.queries, 2),
      load1,
    ]);
    rec.figure({
      metric: 'embedded peak RSS (load snapshot + queries)',
      scale,
      value: r.peakRssMiB,
      unit: 'MiB',
      ...(scale === 'large' ? { target: EMBEDDED_RSS_TARGET } : {}),
      load1: r.load1,
    });
    rec.figure({ metric: 'embedded sync peak RSS', scale, value: synced.peakRssMiB, unit: 'MiB', load1 });
    rec.figure({ metric: 'snapshot size', scale, value: round(size / MiB, 1), unit: 'MiB', load1 });
    rec.figure({ metric: 'snapshot load time', scale, value: round(r.loadMs / 1000, 2), unit: 's', load1: r.load1 });
    rec.details[scale] = { sync: synced, load: r, snapshotBytes: size };
  }
  rec.table(
    'embedded store (MemoryStore on a data dir)',
    [
      'scale',
      'effective edges',
      'sync s',
      'sync peak RSS MiB',
      'snapshot MiB',
      'load s',
      'RSS after load MiB',
      'heap after load MiB',
      'serving peak RSS MiB',
      'ms/query',
      'load1',
    ],
    rows,
  );
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  if (args.worker) {
    await sendResult(() => worker(String(args.dir), String(args.names)));
  } else {
    await runEmbeddedStore({
      scales: listArg(args, 'scales', ['small', 'medium', 'large']) as Scale[],
      fresh: args.fresh === true,
      quick: args.quick === true,
    });
  }
}
