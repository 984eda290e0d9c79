/**
 * Dependencies point one way. Every file under src/ belongs to a layer; a file may import from its own folder and from
 * lower layers only, and no files import each other in a circle (type-only imports count: they tie modules together
 * for a reader just the same). docs/architecture.md draws the same table.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stronglyConnected } from '../support/graph.js';

const SRC = path.resolve(import.meta.dirname, '../../src');

/**
 * Lowest first. Folders on one rank are independent of each other (neither may import the other). A file that is in
 * no folder listed here fails the test: a new top-level folder takes its place in the table first.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['secrets.ts'],
  ['graph', 'log.ts', 'csv.ts'],
  ['config'],
  ['http'],
  ['sources'],
  ['correlation', 'effective', 'tenant'],
  ['sync', 'simulator'],
  ['queries'],
  ['store'],
  ['api'],
  ['cli'],
];

/** The layer entry of a file: its top-level folder under src/, or the file itself for a root file. */
function homeOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

function rankOf(home: string): number {
  return LAYERS.findIndex((layer) => layer.includes(home));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative module specifiers of static imports and re-exports, `import type` included, and of `import('…')`. */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith('.'));
}

function resolve(from: string, spec: string): string {
  const target = path.resolve(path.dirname(from), spec);
  return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target;
}

/** The import cycles: components of more than one file, and files that import themselves, each sorted. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  return stronglyConnected(graph)
    .filter((c) => c.length > 1 || (graph.get(c[0]!) ?? []).includes(c[0]!))
    .map((c) => c.sort());
}

describe('the import structure of src/', () => {
  const files = sourceFiles(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const rel = (f: string) => path.relative(SRC, f);
    graph.set(
      rel(file),
      importsOf(readFileSync(file, 'utf8')).map((spec) => rel(resolve(file, spec))),
    );
  }

  it('every file belongs to a layer', () => {
    const homeless = [...new Set(files.map(homeOf))].filter((home) => rankOf(home) === -1);
    expect(homeless, 'add these to LAYERS (and docs/architecture.md)').toEqual([]);
  });

  it('every relative import names a file that exists', () => {
    const known = new Set(graph.keys());
    const missing = [...graph].flatMap(([from, targets]) =>
      targets.filter((t) => !known.has(t)).map((t) => `${from} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('no import points to a higher layer or across folders of one layer', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const fromHome = from.split(path.sep)[0]!;
      for (const to of targets) {
        const toHome = to.split(path.sep)[0]!;
        if (toHome === fromHome) continue;
        if (rankOf(toHome) >= rankOf(fromHome)) wrong.push(`${from} -> ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no files import each other in a circle', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('the checks themselves see imports, upward arrows and circles', () => {
    expect(
      importsOf(
        "import type { A } from './a.js';\nimport { b,\n c } from '../b.js';\nexport { d } from './d.js';\n" +
          "import './side.js';\nconst e = await import('./e.js');\n// import { f } from './f.js';\nimport x from 'zod';",
      ),
    ).toEqual(['./a.js', '../b.js', './d.js', './side.js', './e.js']);
    const circle = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cyclesOf(circle)).toEqual([['a', 'b', 'c']]);
    expect(rankOf('cli')).toBeGreaterThan(rankOf('api'));
    expect(rankOf('secrets.ts')).toBe(0);
    expect(rankOf('graph')).toBe(1);
  });
});
