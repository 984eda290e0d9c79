/**
 * One full sync (runSync: real extractors over HTTP against a simulator process, transforms, load, effective
 * permissions, commit) in a fresh process, so its peak RSS is its own. Run through runSyncInChild().
 */
import { fileURLToPath } from 'node:url';
import { MemoryStore } from '../../src/store/memory/store.js';
import type { GraphStore } from '../../src/store/types.js';
import { runSync } from '../../src/sync/run.js';
import type { SyncRunRecord } from '../../src/sync/types.js';
import type { Scale } from '../../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, numberArg, parseArgs } from './cli.js';
import { neo4jTarget, openNeo4jStore } from './neo4j.js';
import { syncConfig } from './pipeline.js';
import { runInChild, STORE_PORTS, sendResult, startSimulatorProcess } from './processes.js';
import { MemorySampler, maxRssMiB, round } from './stats.js';

export interface SyncWorkerResult {
  run: SyncRunRecord;
  wallMs: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  requests: number;
  phases: { at: number; source: string; phase: string }[];
}

const SELF = fileURLToPath(import.meta.url);

export function runSyncInChild(opts: {
  scale: Scale;
  store: 'memory' | 'neo4j';
  dataDir?: string;
  batchSize?: number;
}): Promise<SyncWorkerResult> {
  return runInChild<SyncWorkerResult>(
    SELF,
    [
      '--scale',
      opts.scale,
      '--store',
      opts.store,
      ...(opts.dataDir ? ['--data-dir', opts.dataDir] : []),
      ...(opts.batchSize ? ['--batch', String(opts.batchSize)] : []),
    ],
    ['--max-old-space-size=8192'],
  );
}

async function worker(scale: Scale, storeKind: string, dataDir: string | undefined, batch: number) {
  const sim = await startSimulatorProcess(
    scale,
    BENCH_SEED,
    0,
    STORE_PORTS[storeKind === 'neo4j' ? 'neo4j' : 'memory'],
  );
  let store: GraphStore;
  if (storeKind === 'neo4j') {
    const t = neo4jTarget();
    if (!t) throw new Error('no Neo4j configured');
    store = openNeo4jStore(t, batch || undefined);
  } else {
    if (!dataDir) throw new Error('--data-dir is required for the memory store');
    store = new MemoryStore({ dataDir });
  }
  const sampler = new MemorySampler(100).start();
  const phases: SyncWorkerResult['phases'] = [];
  try {
    await store.open();
    const start = performance.now();
    const run = await runSync(store, syncConfig(sim), {
      progress: (e) => {
        if (e.type === 'phase')
          phases.push({ at: Math.round(performance.now() - start), source: e.source, phase: e.phase });
        sampler.sample();
      },
    });
    const wallMs = performance.now() - start;
    const peak = sampler.stop();
    const requests = (await sim.counters()).total;
    return {
      run,
      wallMs,
      peakRssMiB: Math.max(maxRssMiB(), peak.rssMiB),
      peakHeapMiB: round(peak.heapUsedMiB),
      requests,
      phases,
    };
  } finally {
    await store.close();
    await sim.close();
  }
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await sendResult(() =>
    worker(
      String(args.scale) as Scale,
      String(args.store),
      typeof args['data-dir'] === 'string' ? args['data-dir'] : undefined,
      numberArg(args, 'batch', 0),
    ),
  );
}
