/**
 * `npm run bench`: every benchmark, one fresh Node process each (peak-memory figures are per process), in an order
 * where each can reuse what the previous left (the Neo4j load benchmark wipes the database; the full sync then leaves
 * the large tenant in it for the query benchmark). Then bench/results/summary.json: every figure that has a target.
 *
 *   npm run bench                                   # everything (long: large tenant; see docs/benchmarks.md)
 *   npm run bench -- --only effective,queries       # a subset
 *   BENCH_NEO4J_URI=bolt://127.0.0.1:7688 BENCH_NEO4J_PASSWORD=… npm run bench   # with Neo4j (else skipped)
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, listArg, parseArgs } from './lib/cli.js';
import { type BenchResult, RESULTS_DIR, Recorder, resultSchema } from './lib/results.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Name, script, arguments. */
export const BENCHMARKS: [string, string, string[]][] = [
  ['extraction', 'extraction.ts', []],
  ['effective', 'effective.ts', []],
  ['embedded-store', 'embedded-store.ts', []],
  // The batch-size sweep on medium (four loads of 480k rows); the large tenant goes into Neo4j in full-sync.
  ['neo4j-load', 'neo4j-load.ts', ['--scale', 'medium']],
  ['full-sync', 'full-sync.ts', ['--resync']],
  ['queries', 'queries.ts', []],
  // Reuses the medium memory data dir queries left.
  ['export', 'export.ts', []],
];

function run(script: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=8192', '--import', 'tsx', path.join(HERE, script), ...args],
      { stdio: 'inherit' },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const args = parseArgs();
  const only = listArg(
    args,
    'only',
    BENCHMARKS.map(([name]) => name),
  );
  const failed: string[] = [];
  for (const [name, script, extra] of BENCHMARKS) {
    if (!only.includes(name)) continue;
    process.stderr.write(`\n=== ${name} (load ${(await readFile('/proc/loadavg', 'utf8')).split(' ')[0]}) ===\n`);
    const code = await run(script, extra);
    if (code !== 0) failed.push(name);
  }

  // The summary: every figure with a target, from the results files present.
  const summary = new Recorder('summary', false);
  summary.note('figures with a target, collected from the results files of this directory');
  for (const [name] of BENCHMARKS) {
    let result: BenchResult;
    try {
      result = resultSchema.parse(JSON.parse(await readFile(path.join(RESULTS_DIR, `${name}.json`), 'utf8')));
    } catch {
      summary.skip(`${name}: no results file`);
      continue;
    }
    for (const f of result.figures) {
      if (f.target) summary.figure({ ...f, metric: `${name}: ${f.metric}` });
    }
    for (const s of result.skipped) summary.skip(`${name}: ${s}`);
  }
  if (failed.length) summary.note(`failed: ${failed.join(', ')}`);
  await summary.write();
  if (failed.length) process.exitCode = 1;
}

if (isMain(import.meta.url)) await main();
