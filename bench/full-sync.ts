/**
 * Full sync: runSync end to end (real extractors over HTTP against the simulator in its own process, no injected
 * latency; transforms; load; effective permissions; commit with stale cleanup) into Neo4j on an emptied database,
 * with run.durationsMs per phase. A second sync on top of the first (everything already present: MERGE updates and
 * the cleanup of the previous sync's rows) is measured too, since that is what every scheduled sync does.
 *
 *   BENCH_NEO4J_URI=… node --max-old-space-size=8192 --import tsx bench/full-sync.ts [--scales large] [--store neo4j]
 *        [--resync]
 */
import type { Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, parseArgs } from './lib/cli.js';
import { recordNeo4jData } from './lib/datasets.js';
import { NO_NEO4J, neo4jInfo, neo4jTarget, openNeo4jStore, wipe } from './lib/neo4j.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { round } from './lib/stats.js';
import { runSyncInChild, type SyncWorkerResult } from './lib/sync-worker.js';

export const FULL_SYNC_TARGET = target('<=', 180, 'full large sync into Neo4j ≤ 3 min');
const PHASES = ['extract.identity', 'extract.privilegecloud', 'load', 'effective', 'commit'];

export async function runFullSync(opts: { scales: Scale[]; resync: boolean; quick: boolean }): Promise<string> {
  const rec = new Recorder('full-sync', opts.quick);
  const t = neo4jTarget();
  if (!t) {
    rec.skip(NO_NEO4J);
    return rec.write();
  }
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}); runSync (identity + privilegecloud, default HTTP concurrency 8 per source, Neo4jStore default batch size) in a fresh process; ` +
      'first sync on an emptied database' +
      (opts.resync ? '; then a second sync over it (every row exists: updates plus stale cleanup)' : ''),
  );
  const rows: (string | number | null)[][] = [];
  const record = (scale: Scale, label: string, r: SyncWorkerResult, load: number) => {
    const d = r.run.durationsMs;
    const extract = Math.max(d['extract.identity'] ?? 0, d['extract.privilegecloud'] ?? 0);
    rows.push([
      scale,
      label,
      round(r.wallMs / 1000, 1),
      ...PHASES.map((p) => (d[p] === undefined ? null : round(d[p] / 1000, 1))),
      round(extract / 1000, 1),
      r.run.counts.effective?.HAS_EFFECTIVE_PERMISSION ?? null,
      r.requests,
      r.peakRssMiB,
      load,
    ]);
    rec.figure({
      metric: `full sync into Neo4j (${label})`,
      scale,
      value: round(r.wallMs / 1000, 1),
      unit: 's',
      ...(scale === 'large' && label === 'first' ? { target: FULL_SYNC_TARGET } : {}),
      load1: load,
      note: PHASES.map((p) => `${p} ${round((d[p] ?? 0) / 1000, 1)} s`).join(', '),
    });
  };
  for (const scale of opts.scales) {
    const store = openNeo4jStore(t);
    try {
      const info = await neo4jInfo(store.driver, t.database);
      rec.machine.neo4j = info.version;
      rec.machine.neo4jSettings = info.settings;
      await wipe(store.driver, t.database);
    } finally {
      await store.close();
    }
    let load = procLoad()[0]!;
    const first = await runSyncInChild({ scale, store: 'neo4j' });
    if (first.run.status !== 'completed') throw new Error(`sync ${first.run.id} ended ${first.run.status}`);
    record(scale, 'first', first, load);
    rec.details[`${scale}-first`] = first;
    let last = first;
    if (opts.resync) {
      load = procLoad()[0]!;
      last = await runSyncInChild({ scale, store: 'neo4j' });
      record(scale, 'second', last, load);
      rec.details[`${scale}-second`] = last;
    }
    // The database now holds this scale: the query benchmark reuses it.
    await recordNeo4jData(scale, last);
  }
  rec.table(
    'full sync into Neo4j: wall time and run.durationsMs per phase (s)',
    [
      'scale',
      'sync',
      'wall s',
      ...PHASES,
      'extract (parallel)',
      'effective edges',
      'requests',
      'peak RSS MiB',
      'load1',
    ],
    rows,
  );
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runFullSync({
    scales: listArg(args, 'scales', ['large']) as Scale[],
    resync: args.resync === true,
    quick: args.quick === true,
  });
}
