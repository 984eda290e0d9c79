/**
 * Synced stores the query and embedded-store benchmarks share. A memory data directory (or the Neo4j database) is
 * reused only when a marker says it was synced from the same scale, seed and source code (a hash of src/), or, with
 * BENCH_REUSE=1, from the same scale and seed whatever the code (a large Neo4j sync takes minutes).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scale } from '../../src/tenant/generate/index.js';
import { BENCH_SEED } from './cli.js';
import { neo4jTarget, openNeo4jStore, wipe } from './neo4j.js';
import { runSyncInChild, type SyncWorkerResult } from './sync-worker.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
export const DATA_ROOT = process.env.BENCH_DATA_DIR
  ? path.resolve(process.env.BENCH_DATA_DIR)
  : path.join(os.tmpdir(), 'arkgraph-bench-data');

let hash: string | undefined;
/** A hash of the files under src/ a sync depends on: data synced by other code is not reused. */
export async function sourceHash(): Promise<string> {
  if (hash) return hash;
  const h = createHash('sha256');
  // The API and the CLI do not change what a sync writes.
  const files = (await readdir(SRC, { recursive: true }))
    .filter((f) => f.endsWith('.ts') && !/^(api|cli)[\\/]/.test(f))
    .sort();
  for (const f of files) {
    h.update(f);
    h.update(await readFile(path.join(SRC, f)));
  }
  hash = h.digest('hex').slice(0, 16);
  return hash;
}

interface Marker {
  scale: string;
  seed: number;
  source: string;
  syncId: string;
  result: SyncWorkerResult;
}

async function readMarker(file: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

export function memoryDataDir(scale: Scale): string {
  return path.join(DATA_ROOT, `${scale}-s${BENCH_SEED}`, 'memory');
}

/** A memory data dir synced at the scale; `fresh` forces a new sync. Returns the sync's figures when it ran one. */
export async function ensureMemoryData(
  scale: Scale,
  fresh = false,
): Promise<{ dir: string; synced?: SyncWorkerResult; marker: Marker }> {
  const dir = memoryDataDir(scale);
  const markerFile = path.join(dir, '..', 'memory-marker.json');
  const source = await sourceHash();
  const marker = await readMarker(markerFile);
  if (!fresh && reusable(marker, scale, source)) return { dir, marker };
  await rm(dir, { recursive: true, force: true });
  const synced = await runSyncInChild({ scale, store: 'memory', dataDir: dir });
  const next: Marker = { scale, seed: BENCH_SEED, source, syncId: synced.run.id, result: synced };
  await writeFile(markerFile, JSON.stringify(next));
  return { dir, synced, marker: next };
}

function reusable(marker: Marker | undefined, scale: Scale, source: string): marker is Marker {
  if (!marker || marker.scale !== scale || marker.seed !== BENCH_SEED) return false;
  return marker.source === source || process.env.BENCH_REUSE === '1';
}

function neo4jMarkerFile(uri: string): string {
  return path.join(DATA_ROOT, `neo4j-${createHash('sha256').update(uri).digest('hex').slice(0, 8)}.json`);
}

/** Records that the bench Neo4j now holds `scale`, synced by `result` (the full-sync benchmark's last sync). */
export async function recordNeo4jData(scale: Scale, result: SyncWorkerResult): Promise<void> {
  const t = neo4jTarget();
  if (!t) return;
  const marker: Marker = { scale, seed: BENCH_SEED, source: await sourceHash(), syncId: result.run.id, result };
  await mkdir(DATA_ROOT, { recursive: true });
  await writeFile(neo4jMarkerFile(t.uri), JSON.stringify(marker));
}

/** The bench Neo4j holds the scale (its last sync run is the one the marker recorded); else syncs it. */
export async function ensureNeo4jData(
  scale: Scale,
  fresh = false,
): Promise<{ synced?: SyncWorkerResult; marker: Marker } | undefined> {
  const t = neo4jTarget();
  if (!t) return undefined;
  const markerFile = neo4jMarkerFile(t.uri);
  const source = await sourceHash();
  const marker = await readMarker(markerFile);
  if (!fresh && reusable(marker, scale, source)) {
    const store = openNeo4jStore(t);
    try {
      const [last] = await store.syncRuns(1);
      if (last?.id === marker.syncId) return { marker };
    } finally {
      await store.close();
    }
  }
  const store = openNeo4jStore(t);
  try {
    await wipe(store.driver, t.database);
  } finally {
    await store.close();
  }
  const synced = await runSyncInChild({ scale, store: 'neo4j' });
  const next: Marker = { scale, seed: BENCH_SEED, source, syncId: synced.run.id, result: synced };
  await mkdir(DATA_ROOT, { recursive: true });
  await writeFile(markerFile, JSON.stringify(next));
  return { synced, marker: next };
}
