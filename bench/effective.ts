/**
 * Effective permissions: time and memory of the computation (src/effective/compute.ts) on each scale. The access
 * graph comes from the real extractors and transforms (simulator process, no latency); it is handed to a fresh
 * process (v8-serialized file) so that the peak RSS there is the graph plus the computation and nothing else.
 * Timed: computeEffectiveSet, which is what runSync runs (both stores take the compact set); then, where asked,
 * materializing every edge as a GraphEdge (what computeEffective returns), for comparison.
 *
 *   node --max-old-space-size=8192 --import tsx bench/effective.ts [--scales small,medium,large] [--runs 2]
 *        [--materialize small,medium]
 */
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { computeEffectiveSet } from '../src/effective/compute.js';
import type { EffectiveSet } from '../src/effective/effective-set.js';
import type { AccessGraph } from '../src/graph/access-graph.js';
import type { Scale } from '../src/tenant/generate/index.js';
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
  fragments: number;
  chains: number;
  paths: number;
  ms: number[];
  load1: number[];
  rssBeforeMiB: number;
  /** Peak RSS of the process once the set runs are done (graph + set). */
  peakRssMiB: number;
  heapBeforeMiB: number;
  /** heapUsed after a run, the set still referenced. */
  heapAfterMiB: number;
  /** Materializing every edge (computeEffective's result), when asked. */
  materialized?: { ms: number; pathsJsonMiB: number; heapAfterMiB: number; peakRssMiB: number };
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

/** Worker: loads the graph, runs computeEffectiveSet `runs` times, then optionally materializes every edge. */
async function worker(file: string, scale: string, runs: number, materialize: boolean): Promise<EffectiveRun> {
  const { readFile } = await import('node:fs/promises');
  const graph = v8.deserialize(await readFile(file)) as AccessGraph;
  gc();
  const before = process.memoryUsage();
  const ms: number[] = [];
  const load1: number[] = [];
  let set: EffectiveSet | undefined;
  let heapAfter = 0;
  for (let i = 0; i < runs; i++) {
    set = undefined;
    gc();
    load1.push(procLoad()[0]!);
    const start = performance.now();
    set = computeEffectiveSet(graph);
    ms.push(performance.now() - start);
    heapAfter = Math.max(heapAfter, process.memoryUsage().heapUsed);
  }
  const result: EffectiveRun = {
    scale,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
    effectiveEdges: set!.size,
    fragments: set!.fragments.length,
    chains: set!.chainPrefix.length,
    paths: set!.pathChain.length,
    ms,
    load1,
    rssBeforeMiB: round(before.rss / MiB),
    peakRssMiB: maxRssMiB(),
    heapBeforeMiB: round(before.heapUsed / MiB),
    heapAfterMiB: round(heapAfter / MiB),
  };
  if (materialize) {
    const start = performance.now();
    const edges = set!.toEdges();
    const took = performance.now() - start;
    let pathsJson = 0;
    for (const e of edges) pathsJson += String(e.props.paths_json).length;
    result.materialized = {
      ms: took,
      pathsJsonMiB: round(pathsJson / MiB),
      heapAfterMiB: round(process.memoryUsage().heapUsed / MiB),
      peakRssMiB: maxRssMiB(),
    };
  }
  return result;
}

export async function runEffective(opts: {
  scales: Scale[];
  runs: number;
  materialize: Scale[];
  quick: boolean;
}): Promise<string> {
  const rec = new Recorder('effective', opts.quick);
  rec.note(
    `scales ${opts.scales.join(', ')} (seed ${BENCH_SEED}); access graph from the real extractors and transforms; ` +
      `computeEffectiveSet (what runSync runs) timed ${opts.runs}× per scale in a fresh process (node --expose-gc --max-old-space-size=8192), best run reported; ` +
      'peak RSS is getrusage maxRSS of that process (graph + computation), heap is heapUsed after the run with the result still referenced; ' +
      `then every edge materialized as a GraphEdge (computeEffective's result) on ${opts.materialize.join(', ') || 'no scale'}`,
  );
  const rows: (string | number | null)[][] = [];
  const runs: EffectiveRun[] = [];
  for (const scale of opts.scales) {
    const prepared = await prepareGraph(scale);
    try {
      const r = await runInChild<EffectiveRun>(
        SELF,
        [
          '--graph',
          prepared.file,
          '--scale',
          scale,
          '--runs',
          String(opts.runs),
          ...(opts.materialize.includes(scale) ? ['--materialize'] : []),
        ],
        ['--expose-gc', '--max-old-space-size=8192'],
      );
      runs.push(r);
      const best = Math.min(...r.ms);
      rec.figure({
        metric: 'effective permissions: computeEffectiveSet (best run)',
        scale,
        value: round(best / 1000, 2),
        unit: 's',
        ...(scale === 'large' ? { target: EFFECTIVE_TARGET } : {}),
        load1: r.load1[r.ms.indexOf(best)]!,
        note: `${r.effectiveEdges.toLocaleString('en-US')} effective edges; runs ${r.ms.map((m) => round(m / 1000, 2)).join(', ')} s`,
      });
      rec.figure({ metric: 'effective permissions: peak RSS (graph + set)', scale, value: r.peakRssMiB, unit: 'MiB' });
      rec.figure({ metric: 'effective permissions: heap used, set held', scale, value: r.heapAfterMiB, unit: 'MiB' });
      if (r.materialized) {
        rec.figure({
          metric: 'materializing every edge afterwards (computeEffective)',
          scale,
          value: round(r.materialized.ms / 1000, 2),
          unit: 's',
          note: `${r.materialized.pathsJsonMiB} MiB of paths_json; heap ${r.materialized.heapAfterMiB} MiB; peak RSS ${r.materialized.peakRssMiB} MiB`,
        });
      }
      rows.push([
        scale,
        r.nodes,
        r.edges,
        r.effectiveEdges,
        r.paths,
        round(best / 1000, 2),
        r.rssBeforeMiB,
        r.peakRssMiB,
        r.heapBeforeMiB,
        r.heapAfterMiB,
        r.materialized ? round(r.materialized.ms / 1000, 2) : null,
        r.materialized ? r.materialized.heapAfterMiB : null,
        r.load1[0]!,
      ]);
    } finally {
      await rm(prepared.file, { force: true });
    }
  }
  rec.table(
    'effective permissions on the access graph (computeEffectiveSet; then every edge materialized)',
    [
      'scale',
      'graph nodes',
      'graph edges',
      'effective edges',
      'distinct paths',
      'set s',
      'RSS before MiB',
      'peak RSS MiB',
      'heap before MiB',
      'heap set MiB',
      'materialize s',
      'heap edges MiB',
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
    await sendResult(() =>
      worker(String(args.graph), String(args.scale), numberArg(args, 'runs', 1), args.materialize === true),
    );
  } else {
    await runEffective({
      scales: listArg(args, 'scales', ['small', 'medium', 'large']) as Scale[],
      runs: numberArg(args, 'runs', 2),
      materialize: listArg(args, 'materialize', ['small', 'medium']) as Scale[],
      quick: args.quick === true,
    });
  }
}
