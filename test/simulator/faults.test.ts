import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { buildFixtureTenant } from './fixture.js';
import { http, idPost, type Json, pcGet, platformToken } from './helpers.js';

let sim: Simulator;
let token: string;
const tenant = buildFixtureTenant();
const SAFES = '/PasswordVault/API/Safes';
const QUERY = { Script: 'Select ID, Username from User', Args: { PageNumber: 1, PageSize: 5 } };

beforeAll(async () => {
  sim = await startSimulator({
    tenant,
    // An initial rule from the options: the 2nd request to /Core/GetDirectoryServices fails once with 502.
    faults: [{ match: { path: '/core/getdirectoryservices' }, skip: 1, times: 1, kind: 'status5xx', status: 502 }],
  });
  token = await platformToken(sim);
});
afterEach(() => {
  sim.faults.clear();
  sim.faults.setLatency(null);
});
afterAll(async () => {
  await sim?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

describe('fault rules', () => {
  it('initial rules from the options apply (skip 1, times 1)', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await idPost(sim, token, '/Core/GetDirectoryServices')).status);
    expect(statuses).toEqual([200, 502, 200]);
  });

  it('latency: per rule (times 1) and global setLatency()', async () => {
    sim.faults.add({ match: { method: 'POST', path: '/redrock/query' }, times: 1, kind: 'latency', fixedMs: 200 });
    const [, slow] = await timed(() => idPost(sim, token, '/Redrock/query', QUERY));
    const [, fast] = await timed(() => idPost(sim, token, '/Redrock/query', QUERY));
    expect(slow).toBeGreaterThanOrEqual(190);
    expect(fast).toBeLessThan(150);
    sim.faults.setLatency({ fixedMs: 120, jitterMs: 10 });
    const [, global] = await timed(() => pcGet(sim, token, SAFES));
    expect(global).toBeGreaterThanOrEqual(115);
  });

  it('status429 with Retry-After seconds, HTTP date, or none; body by API', async () => {
    const date = new Date('2030-01-02T03:04:05Z');
    sim.faults.add({
      match: { path: '/passwordvault/api/safes*' },
      times: 1,
      kind: 'status429',
      retryAfter: { seconds: 7 },
    });
    sim.faults.add({
      match: { path: '/passwordvault/api/safes*' },
      times: 1,
      kind: 'status429',
      retryAfter: { httpDate: date },
    });
    sim.faults.add({ match: { path: '/passwordvault/api/safes*' }, times: 1, kind: 'status429' });
    const a = await pcGet(sim, token, SAFES);
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('7');
    expect(a.json).toEqual({ ErrorCode: 'PASWS429E', ErrorMessage: 'Too Many Requests' });
    const b = await pcGet(sim, token, `${SAFES}/Linux%20Prod/Members`);
    expect(b.status).toBe(429);
    expect(b.headers['retry-after']).toBe('Wed, 02 Jan 2030 03:04:05 GMT');
    const c = await pcGet(sim, token, SAFES);
    expect(c.status).toBe(429);
    expect(c.headers['retry-after']).toBeUndefined();
    expect((await pcGet(sim, token, SAFES)).status).toBe(200);

    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'status429', retryAfter: { seconds: 1 } });
    const id = await idPost(sim, token, '/Redrock/query', QUERY);
    expect(id.status).toBe(429);
    expect(id.json).toEqual({ message: 'Too Many Requests' });
  });

  it('status5xx: default 500 and explicit 503', async () => {
    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'status5xx' });
    sim.faults.add({ match: { path: '/passwordvault/api/accounts' }, times: 1, kind: 'status5xx', status: 503 });
    expect((await idPost(sim, token, '/Redrock/query', QUERY)).status).toBe(500);
    const pc = await pcGet(sim, token, '/PasswordVault/API/Accounts');
    expect(pc.status).toBe(503);
    expect(pc.json.ErrorCode).toBeTruthy();
  });

  it('malformedJson: HTTP 200 with a body that does not parse', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, times: 1, kind: 'malformedJson' });
    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'malformedJson' });
    for (const res of [await pcGet(sim, token, SAFES), await idPost(sim, token, '/Redrock/query', QUERY)]) {
      expect(res.status).toBe(200);
      expect(res.text.length).toBeGreaterThan(0);
      expect(() => JSON.parse(res.text)).toThrow();
    }
  });

  it('dropConnection: the socket is destroyed without a response', async () => {
    sim.faults.add({ match: { path: SAFES }, times: 1, kind: 'dropConnection' });
    await expect(
      request(`${sim.pcloudUrl}${SAFES}`, { headers: { authorization: `Bearer ${token}` } }),
    ).rejects.toThrow();
    expect((await pcGet(sim, token, SAFES)).status).toBe(200);
  });

  it('expireToken: the presented token expires before handling (→ 401, and stays expired)', async () => {
    const t = await platformToken(sim);
    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'expireToken' });
    expect((await idPost(sim, t, '/Redrock/query', QUERY)).status).toBe(401);
    expect((await pcGet(sim, t, SAFES)).status).toBe(401);
    const fresh = await platformToken(sim);
    expect((await idPost(sim, fresh, '/Redrock/query', QUERY)).status).toBe(200);
    token = fresh;
  });

  it('pageSizeCap on Redrock: Count shrinks, FullCount stays, paging stays contiguous', async () => {
    sim.faults.add({ match: { path: '/redrock/query' }, kind: 'pageSizeCap', max: 2 });
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const res = await idPost(sim, token, '/Redrock/query', { ...QUERY, Args: { PageNumber: page, PageSize: 5 } });
      expect(res.json.Result.FullCount).toBe(10);
      expect(res.json.Result.Count).toBeLessThanOrEqual(2);
      if (res.json.Result.Count === 0) break;
      ids.push(...res.json.Result.Results.map((r: Json) => r.Row.ID));
    }
    expect(new Set(ids).size).toBe(10);
  });

  it('pageSizeCap on Privilege Cloud: count stays correct and nextLink still leads to every safe', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'pageSizeCap', max: 10 });
    const first = await pcGet(sim, token, SAFES);
    expect(first.json.value).toHaveLength(10);
    expect(first.json.count).toBe(tenant.privilegeCloud.safes.length);
    expect(first.json.nextLink).toBe('API/Safes?offset=10&limit=25&useCache=False');
    const names: string[] = [];
    let path: string | undefined = SAFES;
    while (path) {
      const res = await pcGet(sim, token, path);
      names.push(...res.json.value.map((s: Json) => s.safeName));
      path = res.json.nextLink ? `/PasswordVault/${res.json.nextLink}` : undefined;
    }
    expect(names).toEqual(tenant.privilegeCloud.safes.map((s) => s.name));
  });

  it('missingField: the field disappears from every object', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, times: 1, kind: 'missingField', field: 'safeUrlId' });
    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'missingField', field: 'Username' });
    const safes = await pcGet(sim, token, SAFES);
    expect(safes.json.value.every((s: Json) => !('safeUrlId' in s) && 'safeName' in s)).toBe(true);
    const rows = await idPost(sim, token, '/Redrock/query', QUERY);
    expect(rows.json.Result.Results.every((r: Json) => !('Username' in r.Row) && 'ID' in r.Row)).toBe(true);
    expect(rows.json.Result.Columns.every((c: Json) => 'Name' in c)).toBe(true);
    const again = await pcGet(sim, token, SAFES);
    expect('safeUrlId' in again.json.value[0]).toBe(true);
  });

  it('skip/times, method and RegExp matching, status(), remove()', async () => {
    const id = sim.faults.add({
      match: { method: 'GET', path: /\/Safes\/[^/]+\/Members$/i },
      skip: 1,
      times: 2,
      kind: 'status5xx',
    });
    const post = sim.faults.add({ match: { method: 'POST', path: SAFES }, kind: 'status5xx' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await pcGet(sim, token, `${SAFES}/Linux%20Prod/Members`)).status);
    expect(statuses).toEqual([200, 500, 500, 200]);
    expect(sim.faults.status(id)).toMatchObject({ matched: 4, applied: 2 });
    expect((await pcGet(sim, token, SAFES)).status).toBe(200); // the POST-only rule does not match a GET
    expect(sim.faults.status(post)).toMatchObject({ matched: 0, applied: 0 });
    expect(sim.faults.remove(post)).toBe(true);
    expect(sim.faults.list().map((r) => r.id)).toEqual([id]);
    expect(() => sim.faults.add({ match: { path: '' }, kind: 'malformedJson' })).toThrow();
    expect(() => sim.faults.add({ match: { path: '/x' }, kind: 'pageSizeCap', max: 0 })).toThrow();
  });
});

describe('counters', () => {
  it('count every request per route, faulted and unknown ones included', async () => {
    sim.counters.reset();
    expect(sim.counters.total()).toBe(0);
    sim.faults.add({ match: { path: '/redrock/query' }, times: 1, kind: 'status429' });
    await idPost(sim, token, '/Redrock/query', QUERY);
    await idPost(sim, token, '/RedRock/Query/', QUERY);
    await idPost(sim, token, '/redrock/query?x=1', QUERY);
    await pcGet(sim, token, `${SAFES}?limit=5`);
    await pcGet(sim, token, '/PasswordVault/API/Nope');
    await http(`${sim.identityUrl}/Redrock/query`, { method: 'POST' }); // 401
    expect(sim.counters.get('POST /redrock/query')).toBe(4);
    expect(sim.counters.get('POST /Redrock/Query')).toBe(4);
    expect(sim.counters.get('GET /passwordvault/api/safes')).toBe(1);
    expect(sim.counters.snapshot()).toEqual({
      'GET /passwordvault/api/nope': 1,
      'GET /passwordvault/api/safes': 1,
      'POST /redrock/query': 4,
    });
    expect(sim.counters.total()).toBe(6);
    sim.counters.reset();
    expect(sim.counters.snapshot()).toEqual({});
  });
});
