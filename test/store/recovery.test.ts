/**
 * How the embedded store recovers its data directory, on real files: a sync rebuilds an unusable snapshot and keeps
 * it aside (a failed sync leaves it as it was), an unreadable run history is set aside with the runs it could read
 * carried over, and taking the lock removes what killed writes left, and only that.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { SNAPSHOT_FILE, writeSnapshot } from '../../src/store/memory/snapshot.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import type { SyncRunRecord } from '../../src/sync/types.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-recovery-'));
  dirs.push(dir);
  return dir;
}

const RUNS = 'sync-runs.json';
/** A pid no process has (above Linux's largest pid_max). */
const DEAD_PID = 999_999_999;

function runRecord(id: string, status: SyncRunRecord['status'] = 'completed'): SyncRunRecord {
  return {
    id,
    status,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    sources: ['privilegecloud'],
    partialSources: [],
    counts: {},
    durationsMs: {},
    errors: [],
  };
}

const SAFE = {
  kind: 'Safe' as const,
  id: 'T:safe',
  nativeId: 'safe',
  tenantId: 'T',
  source: 'privilegecloud' as const,
  props: { name: 'Safe' },
};

/** One sync through the store's port: begin, one safe, commit (or abort). */
async function sync(dir: string, id: string, end: 'commit' | 'abort' = 'commit'): Promise<SyncRunRecord> {
  const store = new MemoryStore({ dataDir: dir });
  const writer = await store.beginSync(id);
  await writer.upsert([SAFE], []);
  const run = runRecord(id, end === 'commit' ? 'completed' : 'failed');
  if (end === 'commit') await writer.commit([{ source: 'privilegecloud', tenantId: 'T' }], run);
  else await writer.abort(run);
  return run;
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const storeNotes = (run: SyncRunRecord) => run.errors.filter((e) => e.source === 'store').map((e) => e.message);

describe('an unusable snapshot', () => {
  it('a sync that commits rebuilds it and keeps the damaged file aside, byte for byte', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, SNAPSHOT_FILE), 'garbage\n');
    const run = await sync(dir, 'sync-1');
    const aside = (await readdir(dir)).filter((f) => f.startsWith(`${SNAPSHOT_FILE}.corrupt-`));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(dir, aside[0]!), 'utf8')).toBe('garbage\n');
    expect(storeNotes(run)).toEqual([
      `${SNAPSHOT_FILE} is corrupt at line 1 (not JSON): kept as ${aside[0]}, and the graph rebuilt from this sync's sources`,
    ]);
    const fresh = new MemoryStore({ dataDir: dir });
    expect((await fresh.stats()).nodes).toEqual({ Safe: 1 });
    expect((await fresh.syncRuns())[0]!.errors).toEqual(run.errors);
  });

  it('a sync that fails leaves it as it is, and says so', async () => {
    const dir = await tempDir();
    const file = path.join(dir, SNAPSHOT_FILE);
    await writeFile(file, 'garbage\n');
    const before = await sha256(file);
    const run = await sync(dir, 'sync-1', 'abort');
    expect(await sha256(file)).toBe(before);
    expect((await readdir(dir)).sort()).toEqual([SNAPSHOT_FILE, RUNS]);
    expect(storeNotes(run)).toEqual([
      `${SNAPSHOT_FILE} is corrupt at line 1 (not JSON): left as it is; the next sync that completes rebuilds it`,
    ]);
    await expect(new MemoryStore({ dataDir: dir }).stats()).rejects.toThrow(/is corrupt at line 1/);
  });

  it('a snapshot of an older format is kept aside under its version', async () => {
    const dir = await tempDir();
    const v2 = JSON.stringify({ format: 'arkgraph-snapshot', version: 2, createdAt: 'c', syncId: 's' });
    await writeFile(path.join(dir, SNAPSHOT_FILE), `${v2}\n{"end":true,"nodes":0,"edges":0,"effective":0}\n`);
    const run = await sync(dir, 'sync-1');
    expect((await readdir(dir)).filter((f) => f.startsWith(`${SNAPSHOT_FILE}.v2-`))).toHaveLength(1);
    expect(storeNotes(run)[0]).toMatch(/^graph\.ndjson has format version 2, which carries no checksum: kept as /);
  });

  it('a directory in its place is moved aside whole', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, SNAPSHOT_FILE, 'inside'), { recursive: true });
    await sync(dir, 'sync-1');
    expect((await stat(path.join(dir, SNAPSHOT_FILE))).isFile()).toBe(true);
    const aside = (await readdir(dir)).filter((f) => f.startsWith(`${SNAPSHOT_FILE}.corrupt-`));
    expect(await readdir(path.join(dir, aside[0]!))).toEqual(['inside']);
  });

  it('a commit that fails before its snapshot is written is recorded as failed by abort', async () => {
    const dir = await tempDir();
    const store = new MemoryStore({ dataDir: dir });
    const writer = await store.beginSync('sync-1');
    // A line longer than a snapshot may hold: the write is refused.
    await writer.upsert([{ ...SAFE, props: { name: 'Safe', description: 'x'.repeat(64 << 20) } }], []);
    const run = runRecord('sync-1');
    await expect(writer.commit([{ source: 'privilegecloud', tenantId: 'T' }], run)).rejects.toThrow(StoreError);
    await writer.abort({ ...run, status: 'failed' });
    expect((await store.syncRuns()).map((r) => r.status)).toEqual(['failed']);
    expect(await readdir(dir)).toEqual([RUNS]);
  });
});

describe('an unreadable run history', () => {
  it('listing runs is a store error naming the file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, RUNS), '[{"id":');
    const store = new MemoryStore({ dataDir: dir });
    const error = await store.syncRuns().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('corrupt');
    expect((error as Error).message).toContain(path.join(dir, RUNS));
    await expect(store.syncRun('x')).rejects.toThrow(/not JSON/);
  });

  it('recording a run sets it aside and carries over the runs it could read', async () => {
    const dir = await tempDir();
    const text = JSON.stringify([runRecord('sync-0'), { id: 1 }, runRecord('sync-00')]);
    await writeFile(path.join(dir, RUNS), text);
    const store = new MemoryStore({ dataDir: dir });
    const run = runRecord('sync-1', 'failed');
    await store.recordSyncRun(run);
    const aside = (await readdir(dir)).filter((f) => f.startsWith(`${RUNS}.corrupt-`));
    expect(await readFile(path.join(dir, aside[0]!), 'utf8')).toBe(text);
    expect(storeNotes(run)).toEqual([
      `the sync run history ${RUNS} could not be used (1 of its 3 entries are not sync runs): kept as ${aside[0]}; a new history starts, with the 2 runs it could read`,
    ]);
    expect((await store.syncRuns()).map((r) => r.id)).toEqual(['sync-1', 'sync-00', 'sync-0']);
  });

  it('a sync sets it aside when it begins, so the run it records says so', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, RUNS));
    const run = await sync(dir, 'sync-1');
    expect(storeNotes(run)[0]).toMatch(/^the sync run history sync-runs\.json could not be used \(it is a directory/);
    expect((await new MemoryStore({ dataDir: dir }).syncRuns()).map((r) => r.id)).toEqual(['sync-1']);
  });
});

describe('leftovers of killed writes', () => {
  it('taking the lock removes every temporary snapshot and the temporary files of dead processes', async () => {
    const dir = await tempDir();
    await sync(dir, 'sync-0');
    const leftovers = [
      `${SNAPSHOT_FILE}.tmp-${DEAD_PID}-1700000000000`,
      // A snapshot is written only under the lock: a live pid on one is a reused pid.
      `${SNAPSHOT_FILE}.tmp-${process.ppid}-1700000000000-a1b2c3`,
      `${RUNS}.tmp-${DEAD_PID}-1700000000000-a1b2c3`,
      `.probe.tmp-${DEAD_PID}-1700000000000-a1b2c3`,
    ];
    // The run history is written without the lock (a sync that failed before loading): a live writer's stays.
    const kept = [`${RUNS}.tmp-${process.ppid}-1700000000000-a1b2c3`, 'graph.ndjson.tmp-notes.txt'];
    for (const f of [...leftovers, ...kept]) await writeFile(path.join(dir, f), 'x'.repeat(500_000));
    const run = await sync(dir, 'sync-1');
    expect(storeNotes(run)).toEqual(['removed 4 temporary files left by interrupted writes (2.0 MB)']);
    const left = await readdir(dir);
    for (const f of leftovers) expect(left).not.toContain(f);
    for (const f of kept) expect(left).toContain(f);
    expect(left).not.toContain('sync.lock');
  });

  it('a killed sync’s lock is taken over, and its write removed', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sync.lock'), String(DEAD_PID));
    await writeFile(path.join(dir, `${SNAPSHOT_FILE}.tmp-${DEAD_PID}-1700000000000`), 'partial');
    const run = await sync(dir, 'sync-1');
    expect(storeNotes(run)).toEqual(['removed 1 temporary file left by interrupted writes (0.0 MB)']);
    expect((await readdir(dir)).sort()).toEqual([SNAPSHOT_FILE, RUNS]);
  });

  it('a write that fails removes its own temporary file', async () => {
    const dir = await tempDir();
    const error = await writeSnapshot(
      dir,
      's',
      [{ ...SAFE, syncId: 's', props: { d: 'x'.repeat(64 << 20) } }],
      [],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(await readdir(dir)).toEqual([]);
  });
});
