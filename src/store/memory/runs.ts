/**
 * The embedded store's run history, sync-runs.json: the last runs, oldest first. Read strictly: listing runs from an
 * unreadable history is a store error naming the file. A sync that finds it unreadable sets it aside (kept, not
 * deleted), carries over the runs it could read, and says so in its run; it never fails on it, since by then it may
 * have replaced the graph, and a failure would report the graph as unchanged.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SyncRunRecord } from '../../sync/types.js';
import { StoreError } from '../errors.js';
import { setAside, writeFileAtomic } from './files.js';

export const SYNC_RUNS_FILE = 'sync-runs.json';
const MAX_SYNC_RUNS_KEPT = 200;
const STATUSES: ReadonlySet<unknown> = new Set(['running', 'completed', 'partial', 'failed']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape the API answers runs in (src/api/schemas.ts): an entry without it would fail there as a 500. */
function isRunRecord(v: unknown): v is SyncRunRecord {
  if (!isObject(v)) return false;
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  const numbers = (o: unknown) => isObject(o) && Object.values(o).every((n) => typeof n === 'number');
  return (
    typeof v.id === 'string' &&
    STATUSES.has(v.status) &&
    typeof v.startedAt === 'string' &&
    (v.finishedAt === null || typeof v.finishedAt === 'string') &&
    strings(v.sources) &&
    strings(v.partialSources) &&
    isObject(v.counts) &&
    Object.values(v.counts).every(numbers) &&
    numbers(v.durationsMs) &&
    Array.isArray(v.errors) &&
    v.errors.every(
      (e) =>
        isObject(e) &&
        typeof e.source === 'string' &&
        typeof e.message === 'string' &&
        (e.endpoint === undefined || typeof e.endpoint === 'string'),
    )
  );
}

/** The runs the file holds (those it could read), and what is wrong with it, if anything. */
async function parseRuns(file: string): Promise<{ runs: SyncRunRecord[]; problem?: string }> {
  let text: string;
  try {
    if (!(await stat(file)).isFile()) return { runs: [], problem: 'it is a directory, not a file' };
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [] };
    throw new StoreError('io', `cannot read the sync run history ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { runs: [], problem: `not JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(value)) return { runs: [], problem: 'not a list of sync runs' };
  const runs = value.filter(isRunRecord);
  if (runs.length < value.length) {
    return { runs, problem: `${value.length - runs.length} of its ${value.length} entries are not sync runs` };
  }
  return { runs };
}

/** The recorded runs, oldest first; a StoreError ('corrupt') naming the file when it cannot be used. */
export async function readRuns(dir: string): Promise<SyncRunRecord[]> {
  const file = path.join(dir, SYNC_RUNS_FILE);
  const { runs, problem } = await parseRuns(file);
  if (problem) {
    throw new StoreError(
      'corrupt',
      `the sync run history ${file} is corrupt (${problem}); the next sync keeps it aside and starts a new one`,
    );
  }
  return runs;
}

/**
 * When the history cannot be used: replaces it with the runs it could read, the unreadable file kept aside (renamed
 * in the same atomic write, so there is always one history), and returns a note saying so for the run record.
 */
export async function repairRuns(dir: string): Promise<string | undefined> {
  const file = path.join(dir, SYNC_RUNS_FILE);
  const { runs, problem } = await parseRuns(file);
  if (!problem) return undefined;
  let aside: string | undefined;
  await writeFileAtomic(file, (append) => append(`${JSON.stringify(runs, null, 1)}\n`), {
    beforeRename: async () => {
      aside = await setAside(file, 'corrupt');
    },
  });
  const kept = runs.length > 0 ? `, with the ${runs.length} runs it could read` : '';
  return `the sync run history ${SYNC_RUNS_FILE} could not be used (${problem}): kept as ${aside}; a new history starts${kept}`;
}

/** Adds the run to the history (replacing a record of the same id), keeping the last 200. */
export async function appendRun(dir: string, run: SyncRunRecord): Promise<void> {
  const runs = (await readRuns(dir)).filter((r) => r.id !== run.id);
  runs.push(run);
  const kept = runs.slice(-MAX_SYNC_RUNS_KEPT);
  await writeFileAtomic(path.join(dir, SYNC_RUNS_FILE), (append) => append(`${JSON.stringify(kept, null, 1)}\n`));
}
