/**
 * The embedded store: a graphology MultiDirectedGraph in memory, persisted as an atomic NDJSON snapshot under the
 * data directory. Needs nothing installed. Its read primitives (reader.ts) are the embedded implementations of the
 * cypher/ files.
 *
 * Computed HAS_EFFECTIVE_PERMISSION edges written by runSync (writeEffectiveSet) are not graphology edges: they stay
 * in the compact EffectiveSet the computation produced (effective-table.ts) and are materialized as edges only when a
 * query reads them. Millions of them (every user × every safe the Everybody role is a member of) then fit in memory
 * and in the snapshot.
 */
import { open as openFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GraphReader } from '../../queries/reader.js';
import type { SyncRunRecord, SyncWriter } from '../../sync/types.js';
import { StoreError } from '../errors.js';
import type { GraphStore, StoreStats } from '../types.js';
import { type G, type Loaded, loadGraph, newGraph } from './graph.js';
import { LookupIndex } from './lookup-index.js';
import { MemoryReader } from './reader.js';
import { readJsonFile, writeFileAtomic, writeSnapshot } from './snapshot.js';
import { MemorySyncWriter } from './writer.js';

const SYNC_RUNS_FILE = 'sync-runs.json';
const LOCK_FILE = 'sync.lock';
const MAX_SYNC_RUNS_KEPT = 200;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface MemoryStoreOptions {
  dataDir: string;
  /** Called after each load of the snapshot from disk, with its duration (for logs and tests). */
  onSnapshotLoaded?: (info: { ms: number }) => void;
}

export class MemoryStore implements GraphStore {
  readonly kind = 'memory' as const;
  private graph: Loaded | undefined;
  private loaded = false;
  /**
   * The snapshot load in progress, shared by every request that arrives meanwhile. Without it, each request reaching
   * a server before the first load ended started a load of its own: on the large tenant (a 30 s load) a client's
   * retries made the server hold several 2 GB graphs at once.
   */
  private loading: Promise<Loaded | undefined> | undefined;
  private readonly dir: string;
  private readonly onSnapshotLoaded: MemoryStoreOptions['onSnapshotLoaded'];

  constructor(options: MemoryStoreOptions) {
    this.dir = path.resolve(options.dataDir);
    this.onSnapshotLoaded = options.onSnapshotLoaded;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.graph = undefined;
    this.loaded = false;
    this.loading = undefined;
  }

  /** The last good graph; loaded lazily so that commands that do not query do not pay for it. */
  private async current(): Promise<Loaded> {
    if (!this.loaded) {
      this.loading ??= this.loadSnapshot();
      const graph = await this.loading;
      // A sync may have installed a newer graph while the snapshot was being read: that one wins.
      if (!this.loaded) {
        this.graph = graph;
        this.loaded = true;
      }
    }
    if (!this.graph) {
      throw new StoreError('no-graph', `no graph in ${this.dir} yet: run "arkgraph sync" first (or "arkgraph demo")`);
    }
    return this.graph;
  }

  private async loadSnapshot(): Promise<Loaded | undefined> {
    const start = performance.now();
    try {
      const graph = await loadGraph(this.dir);
      if (graph) this.onSnapshotLoaded?.({ ms: performance.now() - start });
      return graph;
    } finally {
      this.loading = undefined;
    }
  }

  async hasData(): Promise<boolean> {
    try {
      await this.current();
      return true;
    } catch (error) {
      if (error instanceof StoreError && error.reason === 'no-graph') return false;
      throw error;
    }
  }

  async beginSync(syncId: string): Promise<SyncWriter> {
    await this.acquireLock();
    try {
      const working = (await loadGraph(this.dir)) ?? { g: newGraph(), effective: undefined };
      return new MemorySyncWriter(this, working, syncId);
    } catch (error) {
      await this.releaseLock();
      throw error;
    }
  }

  private async acquireLock(): Promise<void> {
    const lock = path.join(this.dir, LOCK_FILE);
    await writeFileAtomic(path.join(this.dir, '.probe'), async () => {}).catch((error: Error) => {
      throw new StoreError('locked', `data directory ${this.dir} is not writable: ${error.message}`);
    });
    await rm(path.join(this.dir, '.probe'), { force: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await openFile(lock, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (pid && isAlive(pid) && pid !== process.pid) {
          throw new StoreError('locked', `another sync (pid ${pid}) is writing ${this.dir}`);
        }
        await rm(lock, { force: true });
      }
    }
    throw new StoreError('locked', `cannot lock ${this.dir} for the sync`);
  }

  async releaseLock(): Promise<void> {
    await rm(path.join(this.dir, LOCK_FILE), { force: true });
  }

  /** Called by the writer when a sync committed: the working graph becomes the current one. */
  async install(graph: Loaded, syncId: string, run: SyncRunRecord): Promise<void> {
    await writeSnapshot(
      this.dir,
      syncId,
      graph.g.mapNodes((_, a) => a),
      graph.g.mapEdges((_, a) => a),
      graph.effective?.stored,
    );
    this.graph = graph;
    this.loaded = true;
    await this.recordSyncRun(run);
  }

  async syncRuns(limit = 50): Promise<SyncRunRecord[]> {
    const runs = await readJsonFile<SyncRunRecord[]>(path.join(this.dir, SYNC_RUNS_FILE), []);
    return runs.slice(-limit).reverse();
  }

  async syncRun(id: string): Promise<SyncRunRecord | undefined> {
    const runs = await readJsonFile<SyncRunRecord[]>(path.join(this.dir, SYNC_RUNS_FILE), []);
    return runs.find((r) => r.id === id);
  }

  async recordSyncRun(run: SyncRunRecord): Promise<void> {
    const file = path.join(this.dir, SYNC_RUNS_FILE);
    const runs = (await readJsonFile<SyncRunRecord[]>(file, [])).filter((r) => r.id !== run.id);
    runs.push(run);
    const kept = runs.slice(-MAX_SYNC_RUNS_KEPT);
    await writeFileAtomic(file, async (append) => append(`${JSON.stringify(kept, null, 1)}\n`));
  }

  async stats(): Promise<StoreStats> {
    const { g, effective } = await this.current();
    const nodes: StoreStats['nodes'] = {};
    const edges: Record<string, number> = {};
    g.forEachNode((_, a) => {
      nodes[a.kind] = (nodes[a.kind] ?? 0) + 1;
    });
    g.forEachEdge((_, a) => {
      edges[a.kind] = (edges[a.kind] ?? 0) + 1;
    });
    if (effective?.size) {
      edges.HAS_EFFECTIVE_PERMISSION = (edges.HAS_EFFECTIVE_PERMISSION ?? 0) + effective.size;
    }
    return { nodes, edges };
  }

  // ---------------------------------------------------------------- lookups

  private readonly indexes = new WeakMap<G, LookupIndex>();

  /** Per-graph lookup tables, built once per loaded graph (the graph does not change between syncs). */
  private index(g: G): LookupIndex {
    let idx = this.indexes.get(g);
    if (!idx) {
      idx = new LookupIndex(g);
      this.indexes.set(g, idx);
    }
    return idx;
  }

  private readonly readers = new WeakMap<Loaded, MemoryReader>();

  /** The current graph's reader; one per loaded graph, so its caches (answer ranks, totals) last until the next sync. */
  async reader(): Promise<GraphReader> {
    const loaded = await this.current();
    let reader = this.readers.get(loaded);
    if (!reader) {
      reader = new MemoryReader(loaded.g, this.index(loaded.g), loaded.effective);
      this.readers.set(loaded, reader);
    }
    return reader;
  }
}
