/**
 * The simulator departs from one tidy shape as real tenants do (issue 14): optional fields left out at random but
 * reproducibly (seeded), vault member ids as numbers and as strings, GetRoleMembers unpaged, 900 s tokens, the older
 * `{Safes, Total}` answer and a User table without the newer columns behind flags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { form, http, idPost, type Json, pcGet } from './helpers.js';

const tenant = generateTenant('small', 21);
const client = tenant.identity.oauthClients[0]!;
const API = '/PasswordVault/API';

async function tokenOf(sim: Simulator): Promise<Json> {
  const res = await http<Json>(`${sim.identityUrl}/oauth2/platformtoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
  });
  expect(res.status).toBe(200);
  return res.json;
}

const USERS = 'Select ID, Username, MobileNumber, ServiceUser, SecurityQuestionCount from User ORDER BY ID';

async function allUserRows(sim: Simulator, token: string, pageSize: number) {
  const rows: Json[] = [];
  const counts: (number | undefined)[] = [];
  for (let page = 1; ; page++) {
    const res = await idPost(sim, token, '/Redrock/query', {
      Script: USERS,
      Args: { PageNumber: page, PageSize: pageSize },
    });
    expect(res.json.success).toBe(true);
    rows.push(...res.json.Result.Results.map((r: Json) => r.Row));
    counts.push(res.json.Result.Count);
    if (rows.length >= res.json.Result.FullCount) break;
  }
  return { rows, counts };
}

describe('seeded variations (on by default)', () => {
  let sim: Simulator;
  let again: Simulator;
  let off: Simulator;
  let token: string;
  beforeAll(async () => {
    [sim, again, off] = await Promise.all([
      startSimulator({ tenant }),
      startSimulator({ tenant, variationSeed: 1 }),
      startSimulator({ tenant, variationSeed: false }),
    ]);
    token = (await tokenOf(sim)).access_token;
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), again?.close(), off?.close()]);
  });

  it('tokens live 900 s', async () => {
    expect((await tokenOf(sim)).expires_in).toBe(900);
  });

  it('User rows lack ServiceUser, MobileNumber or the security-question columns at times, the same on every run', async () => {
    const { rows, counts } = await allUserRows(sim, token, 2);
    const missing = (k: string) => rows.filter((r) => !(k in r)).length;
    expect(missing('ServiceUser')).toBeGreaterThan(0);
    expect(missing('ServiceUser')).toBeLessThan(rows.length / 4);
    expect(missing('MobileNumber')).toBeGreaterThan(0);
    expect(missing('SecurityQuestionCount')).toBeGreaterThan(0);
    // Count is left out of some pages, never of all of them; FullCount always says the total.
    expect(counts.some((c) => c === undefined)).toBe(true);
    expect(counts.some((c) => typeof c === 'number')).toBe(true);
    const second = await allUserRows(again, (await tokenOf(again)).access_token, 7);
    expect(second.rows).toEqual(rows);
    const tidy = await allUserRows(off, (await tokenOf(off)).access_token, 7);
    expect(tidy.rows.every((r) => 'ServiceUser' in r && 'MobileNumber' in r)).toBe(true);
    expect(tidy.counts.every((c) => typeof c === 'number')).toBe(true);
    // A row that has ServiceUser says what the tenant file says: service users and OAuth clients are service users.
    const byId = new Map(tenant.identity.users.map((u) => [u.id, u]));
    for (const r of rows) {
      if (!('ServiceUser' in r)) continue;
      const u = byId.get(r.ID)!;
      expect(r.ServiceUser, u.username).toBe(u.serviceUser || u.oauthClient);
    }
  });

  it('DirectoryServiceQuery user rows lack SystemName at times', async () => {
    const res = await idPost(sim, token, '/UserMgmt/DirectoryServiceQuery', {
      user: '{}',
      Args: { PageNumber: 1, PageSize: 10_000 },
    });
    const rows = res.json.Result.User.Results.map((r: Json) => r.Row);
    expect(rows.length).toBe(tenant.identity.users.length);
    expect(rows.some((r: Json) => !('SystemName' in r))).toBe(true);
    expect(rows.some((r: Json) => typeof r.SystemName === 'string')).toBe(true);
  });

  it('GetUserAttributes says InEverybodyRole false for service users and OAuth clients', async () => {
    for (const u of tenant.identity.users.slice(0, 12)) {
      const res = await idPost(sim, token, '/UserMgmt/GetUserAttributes', { ID: u.id });
      expect(res.json.Result.InEverybodyRole, u.username).toBe(!u.serviceUser && !u.oauthClient);
      expect(res.json.Result.OauthClient).toBe(u.oauthClient);
    }
  });

  it('GetRoleMembers ignores PageNumber / PageSize and answers the whole role', async () => {
    const role = tenant.identity.roles
      .filter((r) => r.roleType === 'PrincipalList')
      .sort((a, b) => b.members.length - a.members.length)[0]!;
    expect(role.members.length).toBeGreaterThan(2);
    const res = await idPost(sim, token, '/Roles/GetRoleMembers', {
      Name: role.id,
      Args: { PageNumber: 2, PageSize: 1 },
    });
    expect(res.json.Result.Results).toHaveLength(role.members.length);
    const everybody = await idPost(sim, token, '/Roles/GetRoleMembers', { Name: 'everybody' });
    expect(everybody.json.Result.Results).toHaveLength(0);
  });

  it('vault member ids arrive as numbers and as numeric strings; null expirations and false isReadOnly are left out at times', async () => {
    const members: Json[] = [];
    for (const safe of tenant.privilegeCloud.safes) {
      const res = await pcGet(
        sim,
        token,
        `${API}/Safes/${encodeURIComponent(safe.name)}/Members?limit=100&filter=includePredefinedUsers%20eq%20true`,
      );
      members.push(...res.json.value);
    }
    expect(members.some((m) => typeof m.memberId === 'number')).toBe(true);
    expect(members.some((m) => typeof m.memberId === 'string' && /^\d+$/.test(m.memberId))).toBe(true);
    expect(members.some((m) => !('membershipExpirationDate' in m))).toBe(true);
    expect(members.some((m) => !('isReadOnly' in m))).toBe(true);
    // Role members keep their synthetic string ids.
    expect(members.some((m) => m.memberId === 'Privilege_Cloud_Admins_ID' && m.memberType === 'Group')).toBe(true);
  });
});

describe('flags for older versions', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ tenant, legacySafes: true, legacyUserTable: true });
    token = (await tokenOf(sim)).access_token;
  });
  afterAll(async () => sim?.close());

  it('legacySafes: GET /Safes answers {Safes, Total} in PascalCase with no nextLink, paged by offset', async () => {
    const first = await pcGet(sim, token, `${API}/Safes?offset=0&limit=5`);
    expect(Object.keys(first.json)).toEqual(['Safes', 'Total']);
    expect(first.json.Total).toBe(tenant.privilegeCloud.safes.length);
    expect(Object.keys(first.json.Safes[0])).toEqual(['SafeUrlId', 'SafeName', 'Description', 'Location']);
    const second = await pcGet(sim, token, `${API}/Safes?offset=5&limit=5`);
    expect(second.json.Safes[0].SafeName).not.toBe(first.json.Safes[0].SafeName);
  });

  it('legacyUserTable: a query naming ServiceUser fails as for any unknown column; the basic columns still answer', async () => {
    const bad = await idPost(sim, token, '/Redrock/query', { Script: 'Select ID, ServiceUser from User' });
    expect(bad.json.success).toBe(false);
    expect(bad.json.Message).toMatch(/unknown column "ServiceUser"/);
    const good = await idPost(sim, token, '/Redrock/query', { Script: 'Select ID, Username from User' });
    expect(good.json.Result.FullCount).toBe(tenant.identity.users.length);
  });
});
