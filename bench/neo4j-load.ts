/**
 * Neo4j load: rows per second through the real writer (Neo4jStore.beginSync().upsert, then writeEffective for the
 * computed edges), per batch size, on an emptied database; and in the same run a naive baseline on a sample — one
 * auto-commit MERGE query per row — reported as a ratio.
 *
 *   BENCH_NEO4J_URI=bolt://127.0.0.1:7688 BENCH_NEO4J_PASSWORD=… \
 *   node --max-old-space-size=8192 --import tsx bench/neo4j-load.ts [--scale large] [--batch 1000,5000,10000,20000]
 *        [--naive 2000] [--no-effective]
 */
import neo4j from 'neo4j-driver';
import { acceptsEffectiveSet, computeEffectiveSet } from '../src/effective/compute.js';
import type { EffectiveSet } from '../src/effective/effective-set.js';
import type { GraphEdge, GraphNode } from '../src/graph/schema.js';
import { edgeRow, nodeRow } from '../src/store/neo4j/statements.js';
import type { Neo4jStore } from '../src/store/neo4j/store.js';
import type { Scale } from '../src/tenant/generate/index.js';
import { BENCH_SEED, isMain, listArg, numberArg, parseArgs } from './lib/cli.js';
import { localNeo4jPid, NO_NEO4J, neo4jInfo, neo4jTarget, openNeo4jStore, wipe } from './lib/neo4j.js';
import { accessGraphOf, extractAndTransform } from './lib/pipeline.js';
import { processCpuMs } from './lib/proc.js';
import { startSimulatorProcess } from './lib/processes.js';
import { procLoad, Recorder, target } from './lib/results.js';
import { round } from './lib/stats.js';

export const LOAD_TARGET = target('>=', 150_000, 'Neo4j load ≥ 150k rows/s');

/** One row per auto-commit query: the same MERGE as the batched statements, without UNWIND. */
async function naive(
  store: Neo4jStore,
  nodes: GraphNode[],
  edges: GraphEdge[],
  syncId: string,
): Promise<{ nodesPerS: number; edgesPerS: number }> {
  const session = store.driver.session({ database: store.database, defaultAccessMode: neo4j.session.WRITE });
  try {
    let start = performance.now();
    for (const n of nodes) {
      const row = nodeRow(n, syncId);
      await session.run(`MERGE (n:ArkNode {ark_key: $key}) SET n:\`${n.kind}\` SET n += $props`, row);
    }
    const nodesPerS = nodes.length / ((performance.now() - start) / 1000);
    start = performance.now();
    for (const e of edges) {
      const row = edgeRow(e, syncId);
      await session.run(
        `MATCH (a:ArkNode {ark_key: $from}) MATCH (b:ArkNode {ark_key: $to}) MERGE (a)-[r:\`${e.kind}\`]->(b) SET r += $props`,
        row,
      );
    }
    const edgesPerS = edges.length / ((performance.now() - start) / 1000);
    return { nodesPerS, edgesPerS };
  } finally {
    await session.close();
  }
}

/** A spread sample: every k-th row. */
function sample<T>(rows: T[], n: number): T[] {
  if (rows.length <= n) return rows;
  const step = rows.length / n;
  return Array.from({ length: n }, (_, i) => rows[Math.floor(i * step)]!);
}

export interface LoadOptions {
  scale: Scale;
  batchSizes: number[];
  naiveRows: number;
  effective: boolean;
  quick: boolean;
}

export async function runNeo4jLoad(opts: LoadOptions): Promise<string> {
  const rec = new Recorder('neo4j-load', opts.quick);
  const t = neo4jTarget();
  if (!t) {
    rec.skip(NO_NEO4J);
    return rec.write();
  }
  const pid = localNeo4jPid(t);
  const sim = await startSimulatorProcess(opts.scale, BENCH_SEED, 0);
  let extracted: Awaited<ReturnType<typeof extractAndTransform>>;
  try {
    extracted = await extractAndTransform(sim);
  } finally {
    await sim.close();
  }
  const { outputs } = extracted;
  const nodes = outputs.flatMap((o) => o.nodes);
  const edges = outputs.flatMap((o) => o.edges);
  const effective: EffectiveSet | undefined = opts.effective ? computeEffectiveSet(accessGraphOf(outputs)) : undefined;
  const effectiveRows = effective?.size ?? 0;
  rec.note(
    `scale ${opts.scale} (seed ${BENCH_SEED}): ${nodes.length.toLocaleString('en-US')} nodes, ${edges.length.toLocaleString('en-US')} edges` +
      (effective ? `, ${effectiveRows.toLocaleString('en-US')} effective edges (writeEffectiveSet, as runSync)` : '') +
      `; database emptied before every batch size; naive baseline: ${opts.naiveRows} nodes and ${opts.naiveRows} edges, one auto-commit query per row, on the empty database before the first batched load`,
  );

  const rows: (string | number | null)[][] = [];
  let naiveRates: { nodesPerS: number; edgesPerS: number } | undefined;
  let best = { nodes: 0, edges: 0, effective: 0, batch: 0 };
  for (const batchSize of opts.batchSizes) {
    const store = openNeo4jStore(t, batchSize);
    try {
      if (!rec.machine.neo4j) {
        const info = await neo4jInfo(store.driver, t.database);
        rec.machine.neo4j = info.version;
        rec.machine.neo4jSettings = info.settings;
      }
      await wipe(store.driver, t.database);
      await store.open();
      const syncId = `bench-load-${batchSize}`;
      if (!naiveRates && opts.naiveRows > 0) {
        const sampleNodes = sample(
          nodes.filter((n) => n.kind === 'CyberArkUser'),
          opts.naiveRows,
        );
        // Edges need their endpoints: load every node first (batched), then the naive edges, then wipe again.
        const nodesOnly = await naive(store, sampleNodes, [], syncId);
        const w = await store.beginSync(syncId);
        await w.upsert(nodes, []);
        const edgeSample = sample(
          edges.filter((e) => e.kind === 'SAFE_MEMBER'),
          opts.naiveRows,
        );
        const edgesOnly = await naive(store, [], edgeSample, syncId);
        naiveRates = { nodesPerS: nodesOnly.nodesPerS, edgesPerS: edgesOnly.edgesPerS };
        await wipe(store.driver, t.database);
      }
      const load = procLoad()[0]!;
      const writer = await store.beginSync(syncId);
      // CPU per row on each side (µs): the server's from /proc when it runs here, this process's (the driver
      // encoding the rows) from process.cpuUsage. Less disturbed by other processes than rows per second.
      const cpu: { server: number[]; client: number[] } = { server: [], client: [] };
      const phase = async (rowCount: number, write: () => Promise<void>): Promise<number> => {
        const server0 = pid === undefined ? Number.NaN : await processCpuMs(pid);
        const client0 = process.cpuUsage();
        const t0 = performance.now();
        await write();
        const ms = performance.now() - t0;
        const server1 = pid === undefined ? Number.NaN : await processCpuMs(pid);
        const client = process.cpuUsage(client0);
        cpu.server.push(((server1 - server0) * 1000) / Math.max(1, rowCount));
        cpu.client.push((client.user + client.system) / Math.max(1, rowCount));
        return ms;
      };
      const nodeMs = await phase(nodes.length, () => writer.upsert(nodes, []));
      const edgeMs = await phase(edges.length, () => writer.upsert([], edges));
      let effMs = 0;
      if (effective && acceptsEffectiveSet(writer)) {
        effMs = await phase(effectiveRows, () => writer.writeEffectiveSet(effective));
      }
      const perRow = (list: number[]) => list.map((x) => (Number.isFinite(x) ? Math.round(x) : '—')).join(' / ');
      const nodesPerS = nodes.length / (nodeMs / 1000);
      const edgesPerS = edges.length / (edgeMs / 1000);
      const effPerS = effMs > 0 ? effectiveRows / (effMs / 1000) : null;
      const allPerS =
        (nodes.length + edges.length + (effMs > 0 ? effectiveRows : 0)) / ((nodeMs + edgeMs + effMs) / 1000);
      rows.push([
        batchSize,
        Math.round(nodesPerS),
        Math.round(edgesPerS),
        effPerS === null ? null : Math.round(effPerS),
        Math.round(allPerS),
        round((nodeMs + edgeMs + effMs) / 1000, 1),
        perRow(cpu.server),
        perRow(cpu.client),
        load,
      ]);
      rec.figure({
        metric: `Neo4j load rows/s, all rows, batch ${batchSize}`,
        scale: opts.scale,
        value: Math.round(allPerS),
        unit: 'rows/s',
        target: LOAD_TARGET,
        load1: load,
        note: `nodes ${Math.round(nodesPerS)}/s, edges ${Math.round(edgesPerS)}/s${effPerS === null ? '' : `, effective ${Math.round(effPerS)}/s`}; server CPU µs/row ${perRow(cpu.server)}; client CPU µs/row ${perRow(cpu.client)}`,
      });
      if (allPerS > (best.nodes + best.edges + best.effective) / 3 || best.batch === 0) {
        best = { nodes: nodesPerS, edges: edgesPerS, effective: effPerS ?? 0, batch: batchSize };
      }
    } finally {
      await store.close();
    }
  }
  rec.table(
    `Neo4j load through Neo4jStore (scale ${opts.scale})`,
    [
      'batch',
      'nodes/s',
      'edges/s',
      'effective/s',
      'all rows/s',
      'total s',
      'server CPU µs/row (nodes / edges / effective)',
      'client CPU µs/row (nodes / edges / effective)',
      'load1',
    ],
    rows,
  );
  if (naiveRates) {
    rec.figure({
      metric: 'naive per-row MERGE nodes/s',
      scale: opts.scale,
      value: Math.round(naiveRates.nodesPerS),
      unit: 'rows/s',
    });
    rec.figure({
      metric: 'naive per-row MERGE edges/s',
      scale: opts.scale,
      value: Math.round(naiveRates.edgesPerS),
      unit: 'rows/s',
    });
    rec.figure({
      metric: `batched ÷ naive, nodes (batch ${best.batch})`,
      scale: opts.scale,
      value: round(best.nodes / naiveRates.nodesPerS, 1),
      unit: '×',
    });
    rec.figure({
      metric: `batched ÷ naive, edges (batch ${best.batch})`,
      scale: opts.scale,
      value: round(best.edges / naiveRates.edgesPerS, 1),
      unit: '×',
    });
  }
  return rec.write();
}

if (isMain(import.meta.url)) {
  const args = parseArgs();
  await runNeo4jLoad({
    scale: (typeof args.scale === 'string' ? args.scale : 'large') as Scale,
    batchSizes: listArg(args, 'batch', ['1000', '5000', '10000', '20000']).map(Number),
    naiveRows: numberArg(args, 'naive', 2000),
    effective: args['no-effective'] !== true,
    quick: args.quick === true,
  });
}
