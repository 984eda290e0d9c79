/**
 * The embedded store's lock between processes: of several processes that begin a sync at the same moment exactly one
 * holds the lock (it used to be created empty and written afterwards, so a second process could read it empty, take
 * it for stale and remove it), a lock left by a dead process is taken over, and a live one is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function child(holdMs: number): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'test/store/lock-child.ts', dir, String(holdMs)],
    { cwd: ROOT },
  );
  return stdout.trim();
}

describe('the data directory lock', () => {
  it('of four processes beginning a sync at once, exactly one holds the lock', async () => {
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all([child(1500), child(1500), child(1500), child(1500)]);
      expect(
        outcomes.filter((o) => o === 'acquired'),
        outcomes.join(', '),
      ).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'locked')).toHaveLength(3);
    }
    // Nothing of the lock's making is left behind.
    expect((await readdir(dir)).filter((f) => f.startsWith('sync.lock'))).toEqual([]);
  }, 120_000);

  it('a lock whose process is gone is taken over; a live one is refused', async () => {
    await writeFile(path.join(dir, 'sync.lock'), '999999999');
    expect(await child(0)).toBe('acquired');
    const holder = child(3000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await child(0)).toBe('locked');
    expect(await holder).toBe('acquired');
  }, 60_000);
});
