import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeJwtPayload,
  type GraphSimulator,
  startGraphSimulator,
  USER_DEFAULT_PROPERTIES,
} from '../../src/simulator/index.js';
import { buildEntraTenant, CLIENT, G, OTHER_CLIENT, PRIMARY_DOMAIN, TEAM_COUNT, TENANT_ID, userId } from './fixture.js';
import { allPages, graphGet, graphToken, type Json, tokenRequest } from './helpers.js';

const tenant = buildEntraTenant();
const entra = tenant.entra!;
let sim: GraphSimulator;
let token: string;

beforeAll(async () => {
  sim = await startGraphSimulator({ entra, appRoles: { [OTHER_CLIENT.clientId]: ['User.Read.All'] } });
  token = await graphToken(sim);
});
afterEach(() => {
  sim.faults.clear();
  sim.faults.setLatency(null);
  sim.setNextLinkOrigin(null);
});
afterAll(async () => {
  await sim?.close();
});

const FORM = {
  grant_type: 'client_credentials',
  client_id: CLIENT.clientId,
  client_secret: CLIENT.clientSecret,
  scope: 'https://graph.microsoft.com/.default',
};

describe('authority: POST /{tenant}/oauth2/v2.0/token', () => {
  it('issues a bearer token for client credentials (tenant id or primary domain; form or Basic)', async () => {
    const res = await tokenRequest(sim, FORM);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const claims = decodeJwtPayload(res.json.access_token);
    expect(claims).toMatchObject({
      tid: TENANT_ID,
      appid: CLIENT.clientId,
      roles: ['User.Read.All', 'GroupMember.Read.All'],
    });

    expect((await tokenRequest(sim, FORM, PRIMARY_DOMAIN.toUpperCase())).status).toBe(200);
    const basic = Buffer.from(`${CLIENT.clientId}:${encodeURIComponent(CLIENT.clientSecret)}`).toString('base64');
    const viaBasic = await tokenRequest(
      sim,
      { grant_type: 'client_credentials', scope: `${sim.graphUrl}/.default` },
      TENANT_ID,
      { authorization: `Basic ${basic}` },
    );
    expect(viaBasic.status).toBe(200);
  });

  it('answers AADSTS-style errors', async () => {
    const cases: [Record<string, string>, string, number, string, number][] = [
      [{ ...FORM, client_secret: 'wrong' }, TENANT_ID, 401, 'invalid_client', 7000215],
      [{ ...FORM, client_id: 'aaaaaaaa-0000-0000-0000-000000000000' }, TENANT_ID, 400, 'unauthorized_client', 700016],
      [{ ...FORM, scope: 'User.Read.All' }, TENANT_ID, 400, 'invalid_scope', 1002012],
      [{ ...FORM, scope: 'https://management.azure.com/.default' }, TENANT_ID, 400, 'invalid_resource', 500011],
      [{ ...FORM, grant_type: 'password' }, TENANT_ID, 400, 'unsupported_grant_type', 70003],
      [{ client_id: CLIENT.clientId }, TENANT_ID, 400, 'invalid_request', 900144],
      [FORM, 'other.example', 400, 'invalid_request', 90002],
    ];
    for (const [form, tenantName, status, error, code] of cases) {
      const res = await tokenRequest(sim, form, tenantName);
      expect(res.status, error).toBe(status);
      expect(res.json).toMatchObject({ error, error_codes: [code] });
      expect(res.json.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
      expect(Object.keys(res.json)).toEqual(
        expect.arrayContaining(['timestamp', 'trace_id', 'correlation_id', 'error_uri']),
      );
      expect(res.text).not.toContain(CLIENT.clientSecret);
    }
  });
});

describe('GET /v1.0/users', () => {
  it('returns the default property set without $select (no accountEnabled, userType, onPremises*)', async () => {
    const res = await graphGet(sim, token, '/v1.0/users?$top=3');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json['@odata.context']).toBe(`${sim.graphUrl}/v1.0/$metadata#users`);
    for (const u of res.json.value) expect(Object.keys(u).sort()).toEqual([...USER_DEFAULT_PROPERTIES].sort());
    expect(res.json.value[0]).toMatchObject({ id: userId(1), userPrincipalName: 'Alice.Adams1@Corp.Example' });
  });

  it('honours $select exactly: selected only, in order, case-insensitive names, unset → null', async () => {
    const select = 'ID,userPrincipalName,AccountEnabled,userType,onPremisesDistinguishedName,onPremisesImmutableId';
    const res = await graphGet(sim, token, `/v1.0/users?$select=${select}&$top=999`);
    expect(res.status).toBe(200);
    const keys = [
      'id',
      'userPrincipalName',
      'accountEnabled',
      'userType',
      'onPremisesDistinguishedName',
      'onPremisesImmutableId',
    ];
    expect(res.json['@odata.context']).toBe(`${sim.graphUrl}/v1.0/$metadata#users(${keys.join(',')})`);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    expect(res.json.value).toHaveLength(entra.users.length);
    for (const u of res.json.value) expect(Object.keys(u)).toEqual(keys);
    const byId = new Map<string, Json>(res.json.value.map((u: Json) => [u.id, u]));
    expect(byId.get(userId(1))).toMatchObject({ accountEnabled: true, userType: 'Member' });
    expect(byId.get(userId(1))!.onPremisesDistinguishedName).toMatch(/^CN=Alice Adams1,OU=Users/);
    expect(byId.get(userId(2))).toMatchObject({ onPremisesDistinguishedName: null, onPremisesImmutableId: null });
    expect(byId.get(userId(27))).toMatchObject({ accountEnabled: false });
    expect(byId.get(userId(30))).toMatchObject({ userType: 'Guest' });
  });

  it('rejects unknown properties on users; ignores them on groups (entra-ad.md §1.5)', async () => {
    const bad = await graphGet(sim, token, '/v1.0/users?$select=id,nonsense');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('BadRequest');
    expect(bad.json.error.message).toContain("'nonsense'");
    const groups = await graphGet(sim, token, '/v1.0/groups?$select=id,displayName,onPremisesDistinguishedName&$top=2');
    expect(groups.status).toBe(200);
    expect(Object.keys(groups.json.value[0])).toEqual(['id', 'displayName']);
  });

  it('$top: 1–999, default 100; 0, 1000 and garbage → 400 with the Graph error body', async () => {
    expect((await graphGet(sim, token, '/v1.0/users?$top=1')).json.value).toHaveLength(1);
    const groups = await graphGet(sim, token, '/v1.0/groups');
    expect(groups.json.value).toHaveLength(entra.groups.length); // 82 < 100
    const big = await graphGet(sim, token, `/v1.0/groups/${G.allStaff}/members`);
    expect(big.json.value).toHaveLength(100);
    expect(big.json['@odata.nextLink']).toBeDefined();

    const res = await graphGet(sim, token, '/v1.0/users?$top=1000', { 'client-request-id': 'my-req-42' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: {
        code: 'Request_BadRequest',
        message: "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          'request-id': res.headers['request-id'],
          'client-request-id': 'my-req-42',
        },
      },
    });
    for (const top of ['0', 'abc', '-5', '99999']) {
      const r = await graphGet(sim, token, `/v1.0/users?$top=${top}`);
      expect(r.status, top).toBe(400);
      expect(r.json.error.code).toBe('Request_BadRequest');
    }
    expect((await graphGet(sim, token, '/v1.0/users?$skip=5')).status).toBe(400);
  });

  it('$count=true needs ConsistencyLevel: eventual; @odata.count on the first page only', async () => {
    expect((await graphGet(sim, token, '/v1.0/users?$count=true')).status).toBe(400);
    const first = await graphGet(sim, token, '/v1.0/users?$count=true&$top=30', { ConsistencyLevel: 'eventual' });
    expect(first.json['@odata.count']).toBe(entra.users.length);
    const second = await graphGet(sim, token, first.json['@odata.nextLink'], { ConsistencyLevel: 'eventual' });
    expect(second.json['@odata.count']).toBeUndefined();
    expect(second.json.value).toHaveLength(entra.users.length - 30);
  });
});

describe('paging', () => {
  it('follows absolute nextLinks with opaque skiptokens to exhaustion', async () => {
    const pages = await allPages(sim, token, '/v1.0/users?$select=id,displayName&$top=7');
    expect(pages).toHaveLength(Math.ceil(entra.users.length / 7));
    const ids = pages.flatMap((p) => p.value.map((u: Json) => u.id));
    expect(ids).toEqual(entra.users.map((u) => u.id));
    const links = pages.map((p) => p['@odata.nextLink']).filter(Boolean) as string[];
    expect(links).toHaveLength(pages.length - 1);
    const tokens = new Set<string>();
    for (const link of links) {
      const url = new URL(link);
      expect(url.origin).toBe(sim.graphUrl);
      expect(link).toMatch(/\?\$select=id,displayName&\$top=7&\$skiptoken=/);
      const skiptoken = url.searchParams.get('$skiptoken')!;
      expect(skiptoken).toMatch(/^[A-Za-z0-9_-]{40,}$/); // not a plain offset
      tokens.add(skiptoken);
    }
    expect(tokens.size).toBe(links.length);
    // Every page after the first carries the selection of the request.
    for (const p of pages) expect(p['@odata.context']).toMatch(/#users\(id,displayName\)$/);
  });

  it('rejects tampered skiptokens and skiptokens of another collection', async () => {
    const first = await graphGet(sim, token, '/v1.0/users?$top=5');
    const link = new URL(first.json['@odata.nextLink']);
    const skiptoken = link.searchParams.get('$skiptoken')!;
    const tampered = `${skiptoken.slice(0, -3)}${skiptoken.endsWith('A') ? 'B' : 'A'}xx`;
    for (const bad of [tampered, '5', 'RFNwdAIAAQAAAA']) {
      const res = await graphGet(sim, token, `/v1.0/users?$top=5&$skiptoken=${bad}`);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('Directory_ExpiredPageToken');
    }
    const moved = await graphGet(sim, token, `/v1.0/groups?$top=5&$skiptoken=${skiptoken}`);
    expect(moved.status).toBe(400);
  });

  it('pages group members (106 direct members of All Staff) with @odata.type', async () => {
    const pages = await allPages(sim, token, `/v1.0/groups/${G.allStaff}/members?$select=id&$top=25`);
    expect(pages).toHaveLength(5);
    const items = pages.flatMap((p) => p.value);
    expect(items).toHaveLength(entra.users.length + TEAM_COUNT);
    for (const m of items) expect(Object.keys(m)).toEqual(['@odata.type', 'id']);
    expect(items.filter((m: Json) => m['@odata.type'] === '#microsoft.graph.user')).toHaveLength(entra.users.length);
    expect(items.filter((m: Json) => m['@odata.type'] === '#microsoft.graph.group')).toHaveLength(TEAM_COUNT);
    expect(pages[0]['@odata.context']).toBe(`${sim.graphUrl}/v1.0/$metadata#directoryObjects(id)`);
  });

  it('serves members without $select with each type’s default properties; transitiveMembers through a cycle', async () => {
    const res = await graphGet(sim, token, `/v1.0/groups/${G.pamAdmins}/members`);
    expect(res.json.value.map((m: Json) => [m['@odata.type'], m.id])).toEqual([
      ['#microsoft.graph.user', userId(1)],
      ['#microsoft.graph.user', userId(2)],
      ['#microsoft.graph.group', G.tier0],
    ]);
    expect(res.json.value[0]).toHaveProperty('userPrincipalName');
    expect(res.json.value[0]).not.toHaveProperty('accountEnabled');
    expect(res.json.value[2]).toMatchObject({ displayName: 'Tier0 Operators', securityEnabled: true });

    const cycle = await graphGet(sim, token, `/v1.0/groups/${G.cycleA}/transitiveMembers?$select=id`);
    expect(cycle.json.value.map((m: Json) => m.id).sort()).toEqual([G.cycleB, G.cycleC, userId(5), userId(6)].sort());
  });
});

describe('errors, auth and faults', () => {
  it('401 InvalidAuthenticationToken: missing, unknown and expired bearer', async () => {
    const missing = await graphGet(sim, undefined, '/v1.0/users');
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await graphGet(sim, 'not-a-token', '/v1.0/users')).json.error.code).toBe('InvalidAuthenticationToken');
    const own = await graphToken(sim);
    sim.expireAllTokens();
    const expired = await graphGet(sim, own, '/v1.0/groups');
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toMatch(/expired/);
    token = await graphToken(sim); // tokens issued after expireAllTokens() are fine
    expect((await graphGet(sim, token, '/v1.0/groups?$top=1')).status).toBe(200);
  });

  it('404 Request_ResourceNotFound for an unknown group; 400 for a malformed id; 403 without the permission', async () => {
    const res = await graphGet(sim, token, '/v1.0/groups/11111111-2222-4333-8444-555555555555/members');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('Request_ResourceNotFound');
    expect(res.json.error.innerError['request-id']).toBe(res.headers['request-id']);
    expect((await graphGet(sim, token, '/v1.0/groups/not-a-guid/members')).status).toBe(400);

    const limited = await graphToken(sim, OTHER_CLIENT);
    expect((await graphGet(sim, limited, '/v1.0/users?$top=1')).status).toBe(200);
    const denied = await graphGet(sim, limited, '/v1.0/groups');
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('Authorization_RequestDenied');
  });

  it('429 TooManyRequests with a fractional or an integer Retry-After', async () => {
    const id = sim.faults.add({
      match: { method: 'GET', path: '/v1.0/users' },
      times: 1,
      kind: 'status429',
      retryAfter: { seconds: 2.128 },
    });
    sim.faults.add({
      match: { path: '/v1.0/groups/*/members' },
      times: 1,
      kind: 'status429',
      retryAfter: { seconds: 3 },
    });
    const throttled = await graphGet(sim, token, '/v1.0/users');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('2.128');
    expect(throttled.json.error).toMatchObject({
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: { code: '429', status: '429', message: 'Please retry after' },
    });
    expect(sim.faults.status(id)).toMatchObject({ applied: 1, rule: { retryAfter: { seconds: 2.128 } } });
    expect((await graphGet(sim, token, '/v1.0/users')).status).toBe(200);

    const members = await graphGet(sim, token, `/v1.0/groups/${G.tier0}/members`);
    expect(members.status).toBe(429);
    expect(members.headers['retry-after']).toBe('3');
    expect(() =>
      sim.faults.add({ match: { path: '/x' }, kind: 'status429', retryAfter: { seconds: Number.NaN } }),
    ).toThrow(TypeError);
  });

  it('503 bodies, case-insensitive paths and per-route request counters', async () => {
    sim.faults.add({ match: { path: '/v1.0/groups' }, times: 1, kind: 'status5xx', status: 503 });
    sim.counters.reset();
    const unavailable = await graphGet(sim, token, '/V1.0/GROUPS?$top=1');
    expect(unavailable.status).toBe(503);
    expect(unavailable.json.error.code).toBe('serviceNotAvailable');
    const upper = await graphGet(sim, token, `/V1.0/Groups/${G.tier0.toUpperCase()}/MEMBERS?$SELECT=ID`);
    expect(upper.status).toBe(200);
    expect(upper.json.value).toHaveLength(3);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(1);
    expect(sim.counters.get(`GET /v1.0/groups/${G.tier0}/members`)).toBe(1);
    const unknown = await graphGet(sim, token, '/v1.0/devices');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain("'devices'");
  });

  it('next links follow the configured origin when setNextLinkOrigin() is used', async () => {
    sim.setNextLinkOrigin('https://evil.example:8443/anything');
    const res = await graphGet(sim, token, '/v1.0/users?$top=2');
    expect(new URL(res.json['@odata.nextLink']).origin).toBe('https://evil.example:8443');
  });
});
