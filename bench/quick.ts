/**
 * `npm run bench:quick`: every benchmark on the small tenant with tiny parameters, to check that the rig works and
 * that each results file (bench/results/quick-<name>.json) is well-formed. It asserts NO timing: a figure only has
 * to be a finite number (or null where the benchmark says why). Neo4j parts run when BENCH_NEO4J_URI is set (the rig
 * wipes that database) and are recorded as skipped otherwise. CI runs it.
 */
import { readFile } from 'node:fs/promises';
import { runEffective } from './effective.js';
import { runEmbeddedStore } from './embedded-store.js';
import { runExport } from './export.js';
import { runExtraction } from './extraction.js';
import { runFullSync } from './full-sync.js';
import { neo4jTarget } from './lib/neo4j.js';
import { type BenchResult, resultSchema } from './lib/results.js';
import { runNeo4jLoad } from './neo4j-load.js';
import { runQueries } from './queries.js';

/** Checks one results file; returns the problems found. */
export function check(name: string, result: BenchResult, expectFigures: boolean): string[] {
  const problems: string[] = [];
  if (result.name !== name) problems.push(`name is "${result.name}", expected "${name}"`);
  if (!result.quick) problems.push('not marked quick');
  if (expectFigures && result.figures.length === 0) problems.push('no figures');
  if (!expectFigures && result.figures.length === 0 && result.skipped.length === 0) {
    problems.push('neither figures nor a reason for skipping');
  }
  for (const f of result.figures) {
    if (f.value !== null && !Number.isFinite(f.value)) problems.push(`figure "${f.metric}" is not a finite number`);
    if (f.target && f.met === undefined && f.value !== null) problems.push(`figure "${f.metric}" has no verdict`);
  }
  for (const t of result.tables) {
    for (const row of t.rows) {
      if (row.length !== t.columns.length) problems.push(`table "${t.title}" has a row of ${row.length} cells`);
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const started = performance.now();
  const neo4j = neo4jTarget() !== undefined;
  const small = ['small' as const];
  // Independent benchmarks run side by side (no timing is asserted); the Neo4j ones share a database: in sequence.
  const files: [name: string, file: string, expectFigures: boolean][] = [];
  await Promise.all([
    runExtraction({ scales: small, concurrency: [4, 8], latencyMs: 20, quick: true }).then((f) => {
      files.push(['extraction', f, true]);
    }),
    runEffective({ scales: small, runs: 1, materialize: small, quick: true }).then((f) => {
      files.push(['effective', f, true]);
    }),
    (async () => {
      // The embedded-store, query and export benchmarks share the small memory data dir: in sequence too.
      files.push(['embedded-store', await runEmbeddedStore({ scales: small, fresh: true, quick: true }), true]);
      const load = { scale: 'small' as const, batchSizes: [1000, 5000], naiveRows: 50, effective: true, quick: true };
      files.push(['neo4j-load', await runNeo4jLoad(load), neo4j]);
      files.push(['full-sync', await runFullSync({ scales: small, resync: true, quick: true }), neo4j]);
      const queries = { samples: 10, repeat: 1, durationS: 1, connections: 2, quick: true };
      files.push(['queries', await runQueries({ scales: small, stores: ['memory', 'neo4j'], ...queries }), true]);
      const exports = { scales: small, formats: ['csv' as const, 'json' as const], intervalMs: 10, quick: true };
      files.push(['export', await runExport(exports), true]);
    })(),
  ]);
  const problems: string[] = [];
  for (const [name, file, expectFigures] of files) {
    const parsed = resultSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) {
      problems.push(`${file}: ${parsed.error.message}`);
      continue;
    }
    for (const p of check(name, parsed.data, expectFigures)) problems.push(`${file}: ${p}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (problems.length) {
    process.stderr.write(`bench:quick FAILED (${seconds} s):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(
      `bench:quick ok: ${files.length} results files well-formed (${seconds} s${neo4j ? '' : '; Neo4j parts skipped: BENCH_NEO4J_URI is not set'})\n`,
    );
  }
}

await main();
