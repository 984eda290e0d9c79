/**
 * The extractors' scheduling: independent listings run at once, later pages are requested ahead once the first page
 * gave the count (and the result is the same as reading page by page, server-side page caps included; safe members
 * by offset, since their answers carry no nextLink), per-item requests start while later pages are still on their
 * way, and the first failure stops everything else.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/http/index.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { createIdentityClient, identityAuth } from '../../src/sources/identity/client.js';
import { extractIdentity } from '../../src/sources/identity/extract.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud } from '../../src/sources/privilegecloud/extract.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { FAST_HTTP } from './helpers.js';

const tenant = generateTenant('small', 7);
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ tenant });
});
afterAll(async () => sim?.close());
beforeEach(() => {
  sim.faults.clear();
  sim.counters.reset();
});

interface Timed {
  endpoint: string;
  start: number;
  end: number;
}

function clients(concurrency = 4) {
  const client = tenant.identity.oauthClients[0]!;
  const config = { identityUrl: sim.identityUrl, clientId: client.clientId, clientSecret: client.clientSecret };
  const auth = identityAuth(config);
  const events: Timed[] = [];
  const onRequest = (e: RequestEvent) => {
    const end = performance.now();
    events.push({ endpoint: e.endpoint, start: end - e.ms, end });
  };
  const http = { ...FAST_HTTP, concurrency, onRequest };
  return {
    events,
    identity: (pageSize?: number) =>
      extractIdentity(createIdentityClient(config, auth, http), sim.identityUrl, pageSize ? { pageSize } : {}),
    pcloud: (options: { safesPageSize?: number; accountsPageSize?: number } = {}) =>
      extractPrivilegeCloud(
        createPrivilegeCloudClient(sim.pcloudUrl, auth, http),
        sim.pcloudUrl,
        'privilegecloud',
        options,
      ),
  };
}

const lastEnd = (events: Timed[], endpoint: string) =>
  Math.max(...events.filter((e) => e.endpoint === endpoint).map((e) => e.end));
const firstStart = (events: Timed[], endpoint: string) =>
  Math.min(...events.filter((e) => e.endpoint === endpoint).map((e) => e.start));
const byId = <T extends { ID: string }>(rows: T[]) => [...rows].sort((a, b) => (a.ID < b.ID ? -1 : 1));

describe('independent listings run at once', () => {
  it('Privilege Cloud: Accounts and UserGroups do not wait for a slow Safes listing or the safe members', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'latency', fixedMs: 400, times: 1 });
    const c = clients();
    await c.pcloud();
    const safesEnd = lastEnd(c.events, 'GET /PasswordVault/API/Safes');
    expect(lastEnd(c.events, 'GET /PasswordVault/API/Accounts')).toBeLessThan(safesEnd);
    expect(lastEnd(c.events, 'GET /PasswordVault/API/UserGroups')).toBeLessThan(safesEnd);
  });

  it('Identity: the Redrock listings and their fan-outs do not wait for a slow GetDirectoryServices', async () => {
    sim.faults.add({ match: { path: '/core/getdirectoryservices' }, kind: 'latency', fixedMs: 400, times: 1 });
    const c = clients();
    const raw = await c.identity();
    const dsEnd = lastEnd(c.events, 'POST /Core/GetDirectoryServices');
    expect(lastEnd(c.events, 'POST /Acl/GetRowAces')).toBeLessThan(dsEnd);
    expect(lastEnd(c.events, 'POST /Roles/GetRoleMembers')).toBeLessThan(dsEnd);
    expect(firstStart(c.events, 'POST /UserMgmt/DirectoryServiceQuery')).toBeGreaterThanOrEqual(dsEnd - 1);
    expect(raw.directoryUsers.length).toBeGreaterThan(0);
  });

  it('safe members start while later Safes pages are still on their way', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'latency', fixedMs: 300, skip: 1 });
    const c = clients(8);
    const raw = await c.pcloud({ safesPageSize: 10 });
    expect(raw.safes).toHaveLength(tenant.privilegeCloud.safes.length);
    expect(firstStart(c.events, 'GET /PasswordVault/API/Safes/{safeUrlId}/Members')).toBeLessThan(
      lastEnd(c.events, 'GET /PasswordVault/API/Safes'),
    );
  });
});

describe('pages requested ahead give the same result as reading page by page', () => {
  it('Redrock by PageNumber: small pages, exactly the pages needed, the same rows as one big page', async () => {
    const whole = await clients().identity();
    sim.counters.reset();
    const paged = await clients().identity(10);
    const users = whole.users.length;
    const pages = (n: number) => Math.max(1, Math.ceil(n / 10));
    expect(sim.counters.get('POST /redrock/query')).toBe(
      pages(users) + pages(whole.roles.length) + pages(whole.applications.length),
    );
    expect(byId(paged.users)).toEqual(byId(whole.users));
    expect(byId(paged.roles)).toEqual(byId(whole.roles));
    expect(byId(paged.applications)).toEqual(byId(whole.applications));
    expect(paged.roleMembers).toEqual(whole.roleMembers);
    expect(paged.applicationAces).toEqual(whole.applicationAces);
  });

  it('Redrock with a server-side page cap: page size follows the cap, every row once', async () => {
    const whole = await clients().identity();
    sim.faults.add({ match: { path: '/redrock/query' }, kind: 'pageSizeCap', max: 7 });
    const capped = await clients().identity(10);
    expect(byId(capped.users)).toEqual(byId(whole.users));
    expect(byId(capped.roles)).toEqual(byId(whole.roles));
  });

  it('PCloud nextLink: predicted links equal the server’s, so no extra request', async () => {
    const c = clients();
    const raw = await c.pcloud({ safesPageSize: 10, accountsPageSize: 50 });
    const accounts = tenant.privilegeCloud.accounts.length;
    expect(raw.accounts).toHaveLength(accounts);
    expect(new Set(raw.accounts.map((a) => a.id)).size).toBe(accounts);
    expect(sim.counters.get('GET /passwordvault/api/accounts')).toBe(Math.ceil(accounts / 50));
    expect(sim.counters.get('GET /passwordvault/api/safes')).toBe(Math.ceil(tenant.privilegeCloud.safes.length / 10));
  });

  it('PCloud nextLink: a cap that starts after the first page — mispredicted links are not used', async () => {
    const whole = await clients().pcloud();
    sim.counters.reset();
    // The first page is served in full (10), every later one capped at 7: the chain is 0, 10, 17, 24, …
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'pageSizeCap', max: 7, skip: 1 });
    const raw = await clients().pcloud({ safesPageSize: 10 });
    expect(raw.safes.map((s) => s.safeName)).toEqual(whole.safes.map((s) => s.safeName));
    expect(raw.members).toEqual(whole.members);
  });
});

describe('safe members by offset (no nextLink on members, as on real tenants)', () => {
  it('a server-side cap on members: every member once, exactly the pages needed', async () => {
    const whole = await clients().pcloud();
    sim.counters.reset();
    sim.faults.add({ match: { path: '/passwordvault/api/safes/*/members' }, kind: 'pageSizeCap', max: 3 });
    const capped = await clients().pcloud();
    expect(capped.members).toEqual(whole.members);
    const pages = Object.values(whole.members).reduce((n, rows) => n + Math.max(1, Math.ceil(rows.length / 3)), 0);
    const requests = Object.entries(sim.counters.snapshot())
      .filter(([route]) => route.toLowerCase().endsWith('/members'))
      .reduce((n, [, v]) => n + v, 0);
    expect(pages).toBeGreaterThan(tenant.privilegeCloud.safes.length);
    expect(requests).toBe(pages);
  });
});

describe('the first failure stops the extraction', () => {
  it('a validation error on one safe’s members: that error, the queued requests are never sent, nothing after', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes/*/members' }, kind: 'latency', fixedMs: 50 });
    sim.faults.add({
      match: { path: '/passwordvault/api/safes/*/members' },
      kind: 'missingField',
      field: 'permissions',
      skip: 2,
      times: 1,
    });
    const c = clients(2);
    await expect(c.pcloud()).rejects.toThrow(
      /privilegecloud: GET \/PasswordVault\/API\/Safes\/\{safeUrlId\}\/Members: .*permissions/,
    );
    const after = sim.counters.total();
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.counters.total()).toBe(after);
    const members = Object.entries(sim.counters.snapshot())
      .filter(([route]) => route.toLowerCase().endsWith('/members'))
      .reduce((n, [, v]) => n + v, 0);
    expect(members).toBeLessThan(10);
  });
});
