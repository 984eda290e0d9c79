/**
 * The API over the Neo4j store answers every query route exactly as over the embedded store (same tenant, synced
 * into both): who-can, access, paths, asset views, the correlation report and the access-review export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { buildApi } from '../../src/api/server.js';
import { createLogger } from '../../src/log.js';
import { Neo4jStore } from '../../src/store/neo4j/store.js';
import { runSync } from '../../src/sync/run.js';
import { type ApiHarness, startApiHarness } from '../api/helpers.js';
import { FAST_HTTP } from '../e2e/helpers.js';
import { acquireNeo4j, clearDatabase, type Neo4jConnection, neo4jAvailability } from '../support/neo4j.js';

const availability = await neo4jAvailability();

describe.skipIf(!availability.available)('the API on the Neo4j store', () => {
  let h: ApiHarness;
  let neo: Neo4jConnection;
  let store: Neo4jStore;
  let neoApp: Awaited<ReturnType<typeof buildApi>>;
  const token = 'reviewer-token-for-the-neo4j-api-test-0123456789';

  beforeAll(async () => {
    h = await startApiHarness();
    neo = await acquireNeo4j();
    store = new Neo4jStore({ uri: neo.uri, user: neo.user, password: neo.password, database: neo.database });
    await clearDatabase(store.driver, { database: neo.database, label: 'ArkNode' });
    await store.open();
    const client = h.tenant.identity.oauthClients[0]!;
    const run = await runSync(store, {
      identity: { identityUrl: h.sim.identityUrl, clientId: client.clientId, clientSecret: client.clientSecret },
      privilegeCloud: { pcloudUrl: h.sim.pcloudUrl },
      http: FAST_HTTP,
    });
    expect(run.status).toBe('completed');
    neoApp = await buildApi({
      store,
      config: { ...h.config, store: 'neo4j' },
      logger: createLogger('silent'),
      tokens: parseTokenList(`reviewer=reviewer:${token}`),
    });
    await neoApp.ready();
  }, 300_000);

  afterAll(async () => {
    await neoApp?.close();
    await store?.close();
    await neo?.release();
    await h?.close();
  });

  async function same(url: string) {
    const a = await h.get(url, 'reviewer');
    const b = await neoApp.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect(b.statusCode, url).toBe(a.statusCode);
    expect(b.headers['content-type'], url).toBe(a.headers['content-type']);
    if (String(a.headers['content-type']).includes('json')) {
      const strip = (body: string) => {
        const v = JSON.parse(body);
        // problem+json carries the request's own ids
        if (v && typeof v === 'object' && 'instance' in v) {
          delete v.instance;
          delete v.request_id;
        }
        return v;
      };
      expect(strip(b.body), url).toEqual(strip(a.body));
    } else {
      expect(b.body, url).toBe(a.body);
    }
    return a;
  }

  it('answers every query route identically', async () => {
    const safes = h.tenant.privilegeCloud.safes.slice(0, 8).map((s) => encodeURIComponent(s.name));
    const users = h.tenant.identity.users.slice(0, 6).map((u) => encodeURIComponent(u.username));
    for (const s of safes) {
      expect((await same(`/api/v1/safes/${s}/access?permission=retrieveAccounts`)).statusCode).toBe(200);
      await same(`/api/v1/safes/${s}/access`);
      await same(`/api/v1/paths?from=${users[0]}&safe=${s}&maxDepth=4`);
    }
    for (const u of users) await same(`/api/v1/users/${u}/access`);
    await same(`/api/v1/accounts/${encodeURIComponent(h.tenant.privilegeCloud.accounts[0]!.id)}/access`);
    for (const type of ['safes', 'users', 'groups', 'roles', 'applications', 'accounts']) {
      await same(`/api/v1/${type}?limit=20`);
      await same(`/api/v1/${type}?limit=7&offset=3&search=a`);
    }
    await same('/api/v1/reports/correlation');
    await same('/api/v1/reports/correlation?format=csv');
    // errors: unknown safe (404 with suggestions), invalid permission (400)
    expect((await same(`/api/v1/safes/${safes[0]}x/access?permission=retrieveAccounts`)).statusCode).toBe(404);
    expect((await same(`/api/v1/safes/${safes[0]}/access?permission=retrieve`)).statusCode).toBe(400);
  });

  it('streams the same access-review export', async () => {
    const safe = encodeURIComponent(`safe:${h.tenant.privilegeCloud.safes[0]!.name}`);
    await same(`/api/v1/exports/access-review?scope=${safe}&format=csv`);
    await same(`/api/v1/exports/access-review?scope=all&format=json`);
  });
});
