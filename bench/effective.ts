/**
 * Effective permissions: time and memory of computeEffective (src/effective/compute.ts) on each scale. The access
 * graph comes from the real extractors and transforms (simulator process, no latency); it is handed to a fresh
 * process (v8-serialized file) so that the peak RSS there is the graph plus the computation and nothing else.
 *
 *   node --max-old-space-size=8192 --import tsx bench/effective.ts [--scales small,medium,large] [--runs 1]
 */
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { computeEffective } from '../src/effective/compute.js';
import type { AccessGraph } from '../src/store/types.js';
import type { Scale } from '../src/tenant/generate.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { accessGraphOf, extractAndTransform } from './lib/pipeline.js';
import { runInChild, sendResult, startSimulatorProcess } from './lib/processes.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { gc, MiB, maxRssMiB, round } from './lib/stats.js';

export const EFFECTIVE_TARGET = target('<=', 10, 'effective permissions ≤ 10 s on large');
const SELF = fileURLToPath(import.meta.url);

export interface EffectiveRun {
  scale: string;
  nodes: number;
  edges: number;
  effectiveEdges: number;
  pathsJsonMiB: number;
  ms: number[];
  load1: number[];
  rssBeforeMiB: number;
  peakRssMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  heapTotalAfterMiB: number;
}

/** Serializes the access graph of a scale into a temporary file. */
export async function prepareGraph(scale: Scale): Promise<{ file: string; nodes: number; edges: number }> {
  const sim = await startSimulatorProcess(scale, BENCH_SEED, 0);
  let graph: AccessGraph;
  try {
    graph = accessGraphOf((await extractAndTransform(sim)).outputs);
  } finally {
    await sim.close();
  }
  const file = path.join(os.tmpdir(), `arkgraph-bench-graph-${scale}-${process.pid}.v8`);
  await writeFile(file, v8.serialize(graph));
  return { file, nodes: graph.nodes.length, edges: graph.edges.length };
}

/** Worker: loads the graph, runs computeEffective `runs` times, reports time and memory. */
async function worker(file: string, scale: string, runs: number): Promise<EffectiveRun> {
  const { readFile } = await import('node:fs/promises');
  const graph = v8.deserialize(await readFile(file)) as AccessGraph;
  gc();
  const before = process.memoryUsage();
  const ms: number[] = [];
  const load1: number[] = [];
  let edges = computeEffective({ nodes: [], edges: [] });
  let heapAfter = 0;
  let heapTotalAfter = 0;
  for (let i = 0; i < runs; i++) {
    edges = [];
    gc();
    load1.push(procLoad()[0]!);
    const start = performance.now();
    edges = computeEffective(graph);
    ms.push(performance.now() - start);
    const after = process.memoryUsage();
    heapAfter = Math.max(heapAfter, after.heapUsed);
    heapTotalAfter = Math.max(heapTotalAfter, after.heapTotal);
  }
  let pathsJson = 0;
  for (const e of edges) pathsJson += String(e.props.paths_json).length;
  return {
    scale,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
    effectiveEdges: edges.length,
    pathsJsonMiB: round(pathsJson / MiB),
    ms,
    load1,
    rssBeforeMiB: round(before.rss / MiB),
    peakRssMiB: maxRssMiB(),
    heapBeforeMiB: round(before.heapUsed / MiB),
    heapAfterMiB: round(heapAfter / MiB),
    heapTotalAfterMiB: round(heapTotalAfter / MiB),
  };
}

export async function runEffective(opts: { scales: Scale[]; runs: number; quick: boolean }): Promise<string> {
  const rec = new Recorder('effective', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}); access graph from the real extractors and transforms; ` +
      `computeEffective timed ${opts.runs}× per scale in a fresh process (node --expose-gc --max-old-space-size=8192); ` +
      'peak RSS is getrusage maxRSS of that process (graph + computation), heap is heapUsed after the run with the result still referenced',
  );
  const rows: (string | number | null)[][] = [];
  const runs: EffectiveRun[] = [];
  for (const scale of opts.scales) {
    const prepared = await prepareGraph(scale);
    try {
      const r = await runInChild<EffectiveRun>(
        SELF,
        ['--graph', prepared.file, '--scale', scale, '--runs', String(opts.runs)],
        ['--expose-gc', '--max-old-space-size=8192'],
      );
      runs.push(r);
      const best = Math.min(...r.ms);
      rec.figure({
        metric: 'computeEffective time (best run)',
        scale,
        value: round(best / 1000, 2),
        unit: 's',
        ...(scale === 'large' ? { target: EFFECTIVE_TARGET } : {}),
        load1: r.load1[r.ms.indexOf(best)]!,
        note: `${r.effectiveEdges.toLocaleString('en-US')} effective edges; runs ${r.ms.map((m) => round(m / 1000, 2)).join(', ')} s`,
      });
      rec.figure({ metric: 'computeEffective peak RSS (process)', scale, value: r.peakRssMiB, unit: 'MiB' });
      rec.figure({
        metric: 'computeEffective heap used after (result held)',
        scale,
        value: r.heapAfterMiB,
        unit: 'MiB',
      });
      rows.push([
        scale,
        r.nodes,
        r.edges,
        r.effectiveEdges,
        r.pathsJsonMiB,
        round(best / 1000, 2),
        r.rssBeforeMiB,
        r.peakRssMiB,
        r.heapBeforeMiB,
        r.heapAfterMiB,
        r.load1[0]!,
      ]);
    } finally {
      await rm(prepared.file, { force: true });
    }
  }
  rec.table(
    'effective permissions: computeEffective on the access graph',
    [
      'scale',
      'graph nodes',
      'graph edges',
      'effective edges',
      'paths_json MiB',
      'time s',
      'RSS before MiB',
      'peak RSS MiB',
      'heap before MiB',
      'heap after MiB',
      'load1',
    ],
    rows,
  );
  rec.details.runs = runs;
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  if (args.worker) {
    await sendResult(() => worker(String(args.graph), String(args.scale), numberArg(args, 'runs', 1)));
  } else {
    await runEffective({
      scales: listArg(args, 'scales', ['small', 'medium', 'large']) as Scale[],
      runs: numberArg(args, 'runs', 1),
      quick: args.quick === true,
    });
  }
}
