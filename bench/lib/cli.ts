/** Argument parsing shared by the bench scripts. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every generated tenant in the rig uses this seed. */
export const BENCH_SEED = 1;

export type Args = Record<string, string | boolean | undefined>;

/** `--name value`, `--name=value` and bare `--flag` (true). */
export function parseArgs(argv = process.argv.slice(2)): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq !== -1) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      out[a.slice(2)] = argv[++i]!;
    } else {
      out[a.slice(2)] = true;
    }
  }
  return out;
}

export function listArg(args: Args, name: string, fallback: string[]): string[] {
  const v = args[name];
  return typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()) : fallback;
}

export function numberArg(args: Args, name: string, fallback: number): number {
  const v = args[name];
  const n = typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** Whether the module is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && path.resolve(entry) === fileURLToPath(metaUrl);
}
