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
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GraphReader } from '../../queries/reader.js';
import type { SyncRunRecord, SyncWriter } from '../../sync/types.js';
import { StoreError } from '../errors.js';
import type { GraphStore, StoreStats } from '../types.js';
import { isAlive, removeLeftovers, setAside, writeFileAtomic } from './files.js';
import { type G, type Loaded, loadGraph, newGraph } from './graph.js';
import { LookupIndex } from './lookup-index.js';
import { MemoryReader } from './reader.js';
import { appendRun, readRuns, repairRuns, SYNC_RUNS_FILE } from './runs.js';
import { SNAPSHOT_FILE, writeSnapshot } from './snapshot.js';
import { UnusableSnapshot } from './snapshot-read.js';
import { MemorySyncWriter, type Repairs } from './writer.js';

const LOCK_FILE = 'sync.lock';

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
      throw new StoreError(
        'no-graph',
        `no graph in ${this.dir} yet: run "arkgraph sync" first (arkgraph demo syncs into a temporary store of its own, not this one)`,
      );
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

  /**
   * Takes the lock, removes what killed writes left, sets an unreadable run history aside, and loads the last good
   * graph as the sync's working copy. An unusable snapshot does not stop the sync: it starts from an empty graph and
   * the file is set aside when the sync commits (left in place if it fails), so a sync is how a damaged store is
   * rebuilt, as the error that reports it says.
   */
  async beginSync(syncId: string): Promise<SyncWriter> {
    const repairs: Repairs = { notes: await this.acquireLock() };
    try {
      const history = await repairRuns(this.dir);
      if (history) repairs.notes.push(history);
      let working: Loaded | undefined;
      try {
        working = await loadGraph(this.dir);
      } catch (error) {
        if (!(error instanceof UnusableSnapshot)) throw error;
        repairs.unusable = error;
      }
      return new MemorySyncWriter(this, working ?? { g: newGraph(), effective: undefined }, syncId, repairs);
    } catch (error) {
      await this.releaseLock();
      throw error;
    }
  }

  /** Takes the data directory's lock; returns notes on the leftovers of killed writes it removed. */
  private async acquireLock(): Promise<string[]> {
    const lock = path.join(this.dir, LOCK_FILE);
    await writeFileAtomic(path.join(this.dir, '.probe'), async () => {}).catch((error: Error) => {
      throw new StoreError('locked', `data directory ${this.dir} is not writable: ${error.message}`);
    });
    await rm(path.join(this.dir, '.probe'), { force: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!(await this.createLock(lock))) {
        await this.clearStaleLock(lock);
        continue;
      }
      try {
        const removed = await removeLeftovers(this.dir, [SNAPSHOT_FILE]);
        if (removed.files === 0) return [];
        const files = removed.files === 1 ? '1 temporary file' : `${removed.files} temporary files`;
        return [`removed ${files} left by interrupted writes (${(removed.bytes / 1e6).toFixed(1)} MB)`];
      } catch (error) {
        await this.releaseLock();
        throw error;
      }
    }
    throw new StoreError('locked', `cannot lock ${this.dir} for the sync`);
  }

  /**
   * Creates the lock with this process's pid in one step: the pid goes into a file of its own, which is then linked
   * to the lock's name (link fails if the lock exists). A lock created empty and written afterwards could be read
   * empty by a second process in between, taken for stale, and removed: two syncs would hold it.
   */
  private async createLock(lock: string): Promise<boolean> {
    const mine = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeFile(mine, String(process.pid), { mode: 0o600 });
    try {
      await link(mine, lock);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    } finally {
      await rm(mine, { force: true });
    }
  }

  /**
   * Removes a lock whose process is gone; throws `locked` while its process lives. The lock is first renamed aside
   * (atomic) and its pid read again there: if another process took the lock in between, it is put back.
   */
  private async clearStaleLock(lock: string): Promise<void> {
    const held = (text: string) => {
      const pid = Number(text.trim());
      return pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined;
    };
    const live = held(await readFile(lock, 'utf8').catch(() => ''));
    if (live) throw new StoreError('locked', `another sync (pid ${live}) is writing ${this.dir}`);
    const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(lock, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else cleared it
      throw error;
    }
    const taken = held(await readFile(aside, 'utf8').catch(() => ''));
    if (taken) {
      await link(aside, lock).catch(() => {});
      await rm(aside, { force: true });
      throw new StoreError('locked', `another sync (pid ${taken}) is writing ${this.dir}`);
    }
    await rm(aside, { force: true });
  }

  async releaseLock(): Promise<void> {
    await rm(path.join(this.dir, LOCK_FILE), { force: true });
  }

  /**
   * Called by the writer when a sync committed: the working graph becomes the current one, an unusable snapshot is
   * set aside as it is replaced, and the run is recorded with a note of every repair.
   */
  async install(graph: Loaded, syncId: string, run: SyncRunRecord, repairs: Repairs): Promise<void> {
    const unusable = repairs.unusable;
    let aside: string | undefined;
    await writeSnapshot(
      this.dir,
      syncId,
      graph.g.mapNodes((_, a) => a),
      graph.g.mapEdges((_, a) => a),
      graph.effective?.stored,
      {
        // Set aside once the new snapshot is on disk: a sync that fails before leaves the store as it found it.
        ...(unusable
          ? {
              beforeRename: async () => {
                aside = await setAside(path.join(this.dir, SNAPSHOT_FILE), unusable.label);
              },
            }
          : {}),
      },
    );
    this.graph = graph;
    this.loaded = true;
    const notes = [...repairs.notes];
    if (unusable) {
      const kept = run.partialSources.length
        ? `; the last good data of ${run.partialSources.join(', ')} was in it, so this graph has none of theirs yet`
        : '';
      notes.push(
        `${SNAPSHOT_FILE} ${unusable.problem}: ${aside ? `kept as ${aside}` : 'it was gone before it could be kept'}, and the graph rebuilt from this sync's sources${kept}`,
      );
    }
    for (const message of notes) run.errors.push({ source: 'store', message });
    try {
      await this.recordSyncRun(run);
    } catch (error) {
      // The new graph is in place: failing now would report the sync as failed with "the previous graph unchanged".
      run.errors.push({
        source: 'store',
        message: `the new graph is installed, but this run could not be recorded in ${SYNC_RUNS_FILE}: ${(error as Error).message}`,
      });
    }
  }

  /** Called by the writer when a sync failed after beginSync: the run is recorded with what it found. */
  async recordAborted(run: SyncRunRecord, repairs: Repairs): Promise<void> {
    const notes = [...repairs.notes];
    if (repairs.unusable) {
      notes.push(
        `${SNAPSHOT_FILE} ${repairs.unusable.problem}: left as it is; the next sync that completes rebuilds it`,
      );
    }
    for (const message of notes) run.errors.push({ source: 'store', message });
    await this.recordSyncRun(run);
  }

  async syncRuns(limit = 50): Promise<SyncRunRecord[]> {
    return (await readRuns(this.dir)).slice(-limit).reverse();
  }

  async syncRun(id: string): Promise<SyncRunRecord | undefined> {
    return (await readRuns(this.dir)).find((r) => r.id === id);
  }

  /** Records a run; an unreadable history is set aside first, and the run says so. */
  async recordSyncRun(run: SyncRunRecord): Promise<void> {
    const repaired = await repairRuns(this.dir);
    if (repaired) run.errors.push({ source: 'store', message: repaired });
    await appendRun(this.dir, run);
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
