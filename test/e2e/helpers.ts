/** Shared set-up for end-to-end tests: a simulator on loopback, a temporary embedded store, a sync over HTTP. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import type { SyncConfig } from '../../src/sync/config.js';
import { runSync } from '../../src/sync/run.js';
import type { Tenant } from '../../src/tenant/format/index.js';

export interface Harness {
  sim: Simulator;
  store: MemoryStore;
  dataDir: string;
  config: SyncConfig;
  sync(overrides?: Partial<SyncConfig>, now?: number): ReturnType<typeof runSync>;
  close(): Promise<void>;
}

/** Fast retries: the simulator's faults should not make tests wait for real backoff. */
export const FAST_HTTP = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 } as const;

export async function startHarness(tenant: Tenant, options: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const sim = await startSimulator({ tenant, ...options });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-test-'));
  const store = new MemoryStore({ dataDir });
  const config: SyncConfig = {
    ...sim.syncSettings(),
    http: FAST_HTTP,
  };
  return {
    sim,
    store,
    dataDir,
    config,
    sync: (overrides = {}, now) => runSync(store, { ...config, ...overrides }, now ? { now: () => now } : {}),
    async close() {
      await store.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
