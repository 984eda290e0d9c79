/**
 * The embedded store answers pages from either form of computed edges it can hold: the compact set runSync writes,
 * and plain graph edges (writeEffective, what any other writer gets). Both must give the same pages, in the same
 * order, with the same totals and warnings as the whole answer.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import type { GraphStore } from '../../src/store/types.js';
import type { SyncConfig } from '../../src/sync/config.js';
import { runSync } from '../../src/sync/run.js';
import type { SyncWriter } from '../../src/sync/types.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { FAST_HTTP } from './helpers.js';

/** The same store, but its writer offers only writeEffective, so runSync hands it graph edges. */
function edgesOnly(store: MemoryStore): GraphStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'beginSync') return Reflect.get(target, prop, receiver);
      return async (syncId: string): Promise<SyncWriter> => {
        const writer = await target.beginSync(syncId);
        return {
          syncId: writer.syncId,
          upsert: (n, e) => writer.upsert(n, e),
          readAccessGraph: (c) => writer.readAccessGraph(c),
          writeEffective: (e) => writer.writeEffective(e),
          commit: (c, r) => writer.commit(c, r),
          abort: (r) => writer.abort(r),
        };
      };
    },
  });
}

describe('embedded store pages: compact computed edges and graph edges answer alike', () => {
  const tenant = generateTenant('small', 41);
  const now = Date.now();
  let sim: Simulator;
  let dirs: string[] = [];
  let compact: MemoryStore;
  let plain: MemoryStore;

  beforeAll(async () => {
    sim = await startSimulator({ tenant });
    dirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(os.tmpdir(), 'arkgraph-paging-'))));
    compact = new MemoryStore({ dataDir: dirs[0]! });
    plain = new MemoryStore({ dataDir: dirs[1]! });
    const config: SyncConfig = {
      ...sim.syncSettings(),
      http: FAST_HTTP,
    };
    expect((await runSync(compact, config, { now: () => now })).status).toBe('completed');
    expect((await runSync(edgesOnly(plain), config, { now: () => now })).status).toBe('completed');
  }, 120_000);
  afterAll(async () => {
    await compact?.close();
    await plain?.close();
    await sim?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('every safe: whole answers equal, and pages of 3 put together are the whole answer', async () => {
    let principals = 0;
    for (const safe of tenant.privilegeCloud.safes) {
      const whole = await new QueryEngine(compact).safeAccess(safe.name);
      expect(JSON.parse(JSON.stringify(await new QueryEngine(plain).safeAccess(safe.name)))).toEqual(
        JSON.parse(JSON.stringify(whole)),
      );
      for (const store of [compact, plain]) {
        const seen = [];
        for (let offset = 0; offset < whole.total; offset += 3) {
          const page = await new QueryEngine(store).safeAccess(safe.name, { offset, limit: 3 });
          expect(page).toMatchObject({ total: whole.total, offset, limit: 3, warnings: whole.warnings });
          seen.push(...page.principals);
        }
        expect(seen).toEqual(whole.principals);
      }
      const who = await new QueryEngine(compact).whoCan('retrieveAccounts', safe.name, { offset: 1, limit: 2 });
      expect(await new QueryEngine(plain).whoCan('retrieveAccounts', safe.name, { offset: 1, limit: 2 })).toEqual(who);
      // Asked twice (the second time the embedded store knows the total and stops at the page's end): the same.
      expect(await new QueryEngine(compact).whoCan('retrieveAccounts', safe.name, { offset: 1, limit: 2 })).toEqual(
        who,
      );
      principals += whole.total;
    }
    expect(principals).toBeGreaterThan(0);
  });

  it('requests that arrive while the snapshot loads share one load', async () => {
    let loads = 0;
    const fresh = new MemoryStore({ dataDir: dirs[0]!, onSnapshotLoaded: () => loads++ });
    const safe = tenant.privilegeCloud.safes[0]!.name;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => new QueryEngine(fresh).whoCan('retrieveAccounts', safe, { offset: 0, limit: 5 })),
    );
    expect(loads).toBe(1);
    for (const a of answers) expect(a).toEqual(answers[0]);
    await new QueryEngine(fresh).whoCan('retrieveAccounts', safe);
    expect(loads).toBe(1);
    await fresh.close();
  });
});
