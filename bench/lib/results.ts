/**
 * The results file every benchmark writes (bench/results/<name>.json) and its zod schema, which bench:quick checks.
 * A figure is one measured number with its unit, the scale it ran at, the load average when it was taken and, when
 * the issue sets one, the target and whether it was met. Tables are free-form rows for the printed report.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type MachineInfo, machineInfo } from './machine.js';

export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR
  ? path.resolve(process.env.BENCH_RESULTS_DIR)
  : fileURLToPath(new URL('../results/', import.meta.url));

export const targetSchema = z.object({
  op: z.enum(['<=', '>=']),
  value: z.number(),
  text: z.string(),
});

export const figureSchema = z.object({
  metric: z.string().min(1),
  scale: z.string().optional(),
  value: z.number().nullable(),
  unit: z.string(),
  /** 1-minute load average when the figure was taken. */
  load1: z.number(),
  target: targetSchema.optional(),
  met: z.boolean().optional(),
  note: z.string().optional(),
});

export const tableSchema = z.object({
  title: z.string(),
  columns: z.array(z.string()).min(1),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
});

export const machineSchema = z.object({
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  memoryGiB: z.number().positive(),
  node: z.string(),
  v8: z.string(),
  platform: z.string(),
  kernel: z.string(),
  neo4j: z.string().optional(),
  neo4jSettings: z.string().optional(),
});

export const resultSchema = z.object({
  format: z.literal('arkgraph-bench'),
  version: z.literal(1),
  name: z.string().min(1),
  command: z.string().min(1),
  quick: z.boolean(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  machine: machineSchema,
  loadavg: z.object({ start: z.array(z.number()).length(3), end: z.array(z.number()).length(3) }),
  /** What ran, in words (scales per sweep point, what was skipped and why). */
  notes: z.array(z.string()),
  skipped: z.array(z.string()),
  figures: z.array(figureSchema),
  tables: z.array(tableSchema),
  details: z.record(z.string(), z.unknown()),
});

export type Target = z.infer<typeof targetSchema>;
export type Figure = z.infer<typeof figureSchema>;
export type Table = z.infer<typeof tableSchema>;
export type BenchResult = z.infer<typeof resultSchema>;

function osLoad(): number[] {
  return os.loadavg().map((v) => Number(v.toFixed(2)));
}

export function target(op: '<=' | '>=', value: number, text: string): Target {
  return { op, value, text };
}

export function meets(t: Target, value: number | null): boolean | undefined {
  if (value === null || !Number.isFinite(value)) return undefined;
  return t.op === '<=' ? value <= t.value : value >= t.value;
}

/** Collects one benchmark's figures, notes and tables, then writes and prints them. */
export class Recorder {
  readonly figures: Figure[] = [];
  readonly tables: Table[] = [];
  readonly notes: string[] = [];
  readonly skipped: string[] = [];
  readonly details: Record<string, unknown> = {};
  private readonly started = new Date();
  private readonly startLoad = procLoad();
  machine: MachineInfo = machineInfo();

  constructor(
    readonly name: string,
    readonly quick: boolean,
  ) {}

  figure(f: Omit<Figure, 'load1' | 'met'> & { load1?: number }): Figure {
    const full: Figure = { ...f, load1: f.load1 ?? procLoad()[0]! };
    // A measurement that produced no number (NaN: nothing completed) is recorded as null and said so, never dropped
    // and never allowed to lose the rest of the run's results.
    if (typeof full.value === 'number' && !Number.isFinite(full.value)) {
      full.value = null;
      full.note = [full.note, 'no value measured (NaN)'].filter(Boolean).join('; ');
    }
    if (f.target) {
      const met = meets(f.target, full.value);
      if (met !== undefined) full.met = met;
    }
    this.figures.push(full);
    return full;
  }

  table(title: string, columns: string[], rows: Table['rows']): void {
    const clean = rows.map((row) =>
      row.map((cell) => (typeof cell === 'number' && !Number.isFinite(cell) ? null : cell)),
    );
    this.tables.push({ title, columns, rows: clean });
  }

  note(text: string): void {
    this.notes.push(text);
    process.stderr.write(`[${this.name}] ${text}\n`);
  }

  skip(text: string): void {
    this.skipped.push(text);
    process.stderr.write(`[${this.name}] skipped: ${text}\n`);
  }

  result(): BenchResult {
    const finished = new Date();
    return {
      format: 'arkgraph-bench',
      version: 1,
      name: this.name,
      command: commandLine(),
      quick: this.quick,
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - this.started.getTime(),
      machine: this.machine,
      loadavg: { start: this.startLoad, end: procLoad() },
      notes: this.notes,
      skipped: this.skipped,
      figures: this.figures,
      tables: this.tables,
      details: this.details,
    };
  }

  /** Validates, writes bench/results/<file>.json and prints the tables. Returns the file written. */
  async write(fileName = this.quick ? `quick-${this.name}` : this.name): Promise<string> {
    const result = resultSchema.parse(this.result());
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${fileName}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 1)}\n`);
    process.stdout.write(render(result));
    process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}\n`);
    return file;
  }
}

export function procLoad(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return osLoad();
  }
}

function commandLine(): string {
  const script = path.relative(process.cwd(), process.argv[1] ?? '');
  const args = process.argv.slice(2).join(' ');
  const flags = process.execArgv.filter((a) => a !== '--import' && a !== 'tsx').join(' ');
  return `node ${flags ? `${flags} ` : ''}--import tsx ${script}${args ? ` ${args}` : ''}`.replace(/\s+/g, ' ').trim();
}

function fmt(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3)));
  }
  return v;
}

export function renderTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(fmt))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `\n${t.title}`,
    line(t.columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map((r) => line(r as string[])),
  ].join('\n');
}

export function render(r: BenchResult): string {
  const figures: Table = {
    title: `${r.name}${r.quick ? ' (quick)' : ''}: figures`,
    columns: ['metric', 'scale', 'value', 'unit', 'target', 'met', 'load1'],
    rows: r.figures.map((f) => [
      f.metric,
      f.scale ?? '',
      f.value,
      f.unit,
      f.target ? `${f.target.op} ${f.target.value}` : '',
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
      f.load1,
    ]),
  };
  const parts = [renderTable(figures), ...r.tables.map(renderTable)];
  if (r.skipped.length) parts.push(`\nskipped:\n${r.skipped.map((s) => `  - ${s}`).join('\n')}`);
  if (r.notes.length) parts.push(`\nnotes:\n${r.notes.map((s) => `  - ${s}`).join('\n')}`);
  return `${parts.join('\n')}\n`;
}
