/**
 * Store conformance: the same tenants synced over HTTP into the embedded store and into a real Neo4j must give
 * identical answers to every query. Runs against NEO4J_URI (CI starts the local server) and never skips in CI.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { Neo4jStore } from '../../src/store/neo4j/store.js';
import type { GraphStore } from '../../src/store/types.js';
import type { SyncConfig } from '../../src/sync/config.js';
import { runSync } from '../../src/sync/run.js';
import type { Tenant } from '../../src/tenant/format/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { FAST_HTTP } from '../e2e/helpers.js';
import { CyberArkOracle } from '../oracle/cyberark.js';
import { acquireNeo4j, clearDatabase, type Neo4jConnection, neo4jAvailability } from '../support/neo4j.js';

const availability = await neo4jAvailability();

/** Runs a query on both stores; both must succeed with equal JSON, or fail with the same error. */
async function both<T>(stores: GraphStore[], fn: (s: GraphStore) => Promise<T>): Promise<T | undefined> {
  const results = await Promise.all(
    stores.map(async (s) => {
      try {
        return { ok: true as const, value: JSON.parse(JSON.stringify(await fn(s))) as T };
      } catch (error) {
        return { ok: false as const, error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }),
  );
  expect(results[1]).toEqual(results[0]);
  return results[0]!.ok ? results[0]!.value : undefined;
}

function pick<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

describe.skipIf(!availability.available)('store conformance: embedded and Neo4j answer identically', () => {
  let neo: Neo4jConnection;
  let neo4jStore: Neo4jStore;

  beforeAll(async () => {
    neo = await acquireNeo4j();
    neo4jStore = new Neo4jStore({ uri: neo.uri, user: neo.user, password: neo.password, database: neo.database });
    await clearDatabase(neo4jStore.driver, { database: neo.database, label: 'ArkNode' });
    await neo4jStore.open();
  });
  afterAll(async () => {
    await neo4jStore?.close();
    await neo?.release();
  });

  // The simulator's seeded variations are on in every configuration; seed 32 also answers in older versions' shapes
  // ({Safes, Total}, a User table without ServiceUser).
  for (const [scale, seed, options] of [
    ['small', 31, {}],
    ['small', 32, { legacySafes: true, legacyUserTable: true }],
    ['medium', 4, {}],
  ] as const) {
    describe(`${scale} tenant, seed ${seed}${options.legacySafes ? ', older shapes' : ''}`, () => {
      const tenant: Tenant = generateTenant(scale, seed);
      const now = Date.now();
      const oracle = new CyberArkOracle(tenant, now);
      let sim: Simulator;
      let memory: MemoryStore;
      let dataDir: string;
      let stores: GraphStore[];

      beforeAll(async () => {
        sim = await startSimulator({ tenant, ...options });
        dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-conf-'));
        memory = new MemoryStore({ dataDir });
        stores = [memory, neo4jStore];
        await clearDatabase(neo4jStore.driver, { database: neo.database, label: 'ArkNode' });
        const config: SyncConfig = {
          ...sim.syncSettings(),
          http: FAST_HTTP,
        };
        for (const store of stores) expect((await runSync(store, config, { now: () => now })).status).toBe('completed');
      }, 600_000);
      afterAll(async () => {
        await memory?.close();
        await sim?.close();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      });

      const safes = () => pick(tenant.privilegeCloud.safes, scale === 'medium' ? 60 : 1000).map((s) => s.name);
      const users = () => pick(tenant.identity.users, scale === 'medium' ? 25 : 1000).map((u) => u.username);

      it('who-can, for several permissions on every sampled safe', async () => {
        let principals = 0;
        for (const safe of safes()) {
          for (const permission of ['retrieveAccounts', 'Use Accounts', 'manageSafeMembers', 'viewAuditLog']) {
            principals +=
              (await both(stores, (s) => new QueryEngine(s).whoCan(permission, safe)))?.principals.length ?? 0;
          }
        }
        expect(principals).toBeGreaterThan(0);
      });

      it('who-can on Neo4j matches the brute-force oracle (service users outside Everybody included)', async () => {
        let compared = 0;
        for (const safe of safes()) {
          for (const permission of ['retrieveAccounts', 'manageSafeMembers']) {
            const answer = await new QueryEngine(neo4jStore).whoCan(permission, safe);
            const got = answer.principals.map((p) => `${p.type}:${p.type === 'CyberArkUser' ? p.login_name : p.name}`);
            expect(got.sort(), `${permission} on ${safe}`).toEqual([...oracle.whoCan(permission, safe)].sort());
            compared++;
          }
        }
        expect(compared).toBeGreaterThan(0);
      });

      it('pages of principals: identical on both stores, in answer order, and together the whole answer', async () => {
        const kindOrder = ['CyberArkUser', 'CyberArkGroup', 'CyberArkRole', 'VaultUser', 'VaultGroup'];
        let paged = 0;
        for (const safe of pick(safes(), 25)) {
          const whole = await both(stores, (s) => new QueryEngine(s).safeAccess(safe));
          if (!whole) continue;
          // Answer order, checked independently of the stores: kind, lower-cased name, id.
          const keys = whole.principals.map((p) => [kindOrder.indexOf(p.type), p.name.toLowerCase(), p.id] as const);
          for (let i = 1; i < keys.length; i++) {
            const [a, b] = [keys[i - 1]!, keys[i]!];
            expect(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2]))), safe).toBe(true);
          }
          const pages = [];
          const size = Math.max(7, Math.ceil(whole.total / 6)); // a handful of pages, however large the safe
          for (let offset = 0; offset < whole.total; offset += size) {
            const page = await both(stores, (s) => new QueryEngine(s).safeAccess(safe, { offset, limit: size }));
            expect(page).toMatchObject({ total: whole.total, offset, limit: size, warnings: whole.warnings });
            pages.push(...(page?.principals ?? []));
            paged++;
          }
          expect(pages).toEqual(whole.principals);
          await both(stores, (s) => new QueryEngine(s).whoCan('retrieveAccounts', safe, { offset: 2, limit: 3 }));
          await both(stores, (s) => new QueryEngine(s).whoCan('manageSafe', safe, { offset: whole.total, limit: 10 }));
        }
        for (const app of pick(tenant.identity.applications, 5)) {
          await both(stores, (s) => new QueryEngine(s).applicationAccess(app.name, { offset: 1, limit: 2 }));
        }
        expect(paged).toBeGreaterThan(0);
      });

      it('user access: safes, roles (direct, implicit, inherited) and applications', async () => {
        for (const user of users()) await both(stores, (s) => new QueryEngine(s).userAccess(user));
      });

      it('paths with depth bounds, expired memberships included', async () => {
        let found = 0;
        for (const user of pick(users(), 12)) {
          for (const safe of pick(safes(), 12)) {
            for (const depth of [2, 5])
              found += (await both(stores, (s) => new QueryEngine(s).paths(user, safe, depth)))?.paths.length ?? 0;
          }
        }
        expect(found).toBeGreaterThan(0);
      });

      it('account access', async () => {
        for (const a of pick(tenant.privilegeCloud.accounts, 30))
          await both(stores, (s) => new QueryEngine(s).accountAccess(a.id));
      });

      it('asset views: every type, with search and paging', async () => {
        for (const type of ['safes', 'users', 'groups', 'roles', 'applications', 'accounts'] as const) {
          await both(stores, (s) => new QueryEngine(s).listAssets({ type, offset: 0, limit: 25 }));
          await both(stores, (s) => new QueryEngine(s).listAssets({ type, offset: 10, limit: 7, search: 'a' }));
          await both(stores, (s) => new QueryEngine(s).listAssets({ type, search: 'É' }));
        }
      });

      it('errors: unknown safe with suggestions, unknown user, unknown permission, ambiguous-free lookups by id', async () => {
        const name = tenant.privilegeCloud.safes[0]!.name;
        await both(stores, (s) => new QueryEngine(s).whoCan('retrieveAccounts', `${name}x`));
        await both(stores, (s) => new QueryEngine(s).userAccess('nobody@nowhere.example'));
        await both(stores, (s) => new QueryEngine(s).whoCan('retrieve', name));
        await both(stores, (s) => new QueryEngine(s).paths(tenant.identity.users[0]!.username, name, 99));
        // An account asked for by a mistyped id: both stores suggest the real id.
        const account = tenant.privilegeCloud.accounts[0]!.id;
        const miss = await both(stores, (s) =>
          new QueryEngine(s).accountAccess(`${account}x`).catch((e: { suggestions?: string[] }) => e.suggestions),
        );
        expect(miss).toContain(account);
      });
    });
  }

  it('a resync after changes removes stale rows in Neo4j exactly as in the embedded store', async () => {
    const tenant = generateTenant('small', 33);
    const now = Date.now();
    const sim = await startSimulator({ tenant });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-conf-'));
    const memory = new MemoryStore({ dataDir });
    const stores: GraphStore[] = [memory, neo4jStore];
    try {
      await clearDatabase(neo4jStore.driver, { database: neo.database, label: 'ArkNode' });
      const config: SyncConfig = {
        ...sim.syncSettings(),
        http: FAST_HTTP,
      };
      for (const s of stores) await runSync(s, config, { now: () => now });
      // The tenant changes: a safe loses all members but one, a user disappears, a role disappears.
      const safe = tenant.privilegeCloud.safes.find((s) => s.members.filter((m) => !m.isPredefinedUser).length > 1)!;
      const removedMembers = safe.members.filter((m) => !m.isPredefinedUser).slice(1);
      safe.members = safe.members.filter((m) => !removedMembers.includes(m));
      const goneUser = tenant.identity.users.at(-1)!;
      tenant.identity.users.pop();
      for (const r of tenant.identity.roles)
        r.members = r.members.filter((m) => !(m.type === 'User' && m.id === goneUser.id));
      for (const a of tenant.identity.applications) a.acl = a.acl.filter((e) => e.principalId !== goneUser.id);
      for (const s of tenant.privilegeCloud.safes) s.members = s.members.filter((m) => m.memberId !== goneUser.id);
      // A minute later (sync runs are listed newest first by start time).
      for (const s of stores) expect((await runSync(s, config, { now: () => now + 60_000 })).status).toBe('completed');

      await both(stores, (s) => s.stats());
      for (const s of tenant.privilegeCloud.safes)
        await both(stores, (x) => new QueryEngine(x).whoCan('listAccounts', s.name));
      await both(stores, (s) => new QueryEngine(s).userAccess(goneUser.username));
      const runs = await both(stores, async (s) =>
        (await s.syncRuns(2)).map((r) => ({ status: r.status, counts: r.counts })),
      );
      expect(runs).toHaveLength(2);
    } finally {
      await memory.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
