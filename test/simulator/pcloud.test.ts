import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_PERMISSION_KEYS } from '../../src/graph/permissions.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { buildFixtureTenant, PAS_LOGIN, SPECIAL_SAFES, U } from './fixture.js';
import { http, type Json, pcGet, platformToken } from './helpers.js';

let sim: Simulator;
let token: string;
const tenant = buildFixtureTenant();
const API = '/PasswordVault/API';

beforeAll(async () => {
  sim = await startSimulator({ tenant, variationSeed: false });
  token = await platformToken(sim);
});
afterAll(async () => {
  await sim?.close();
});

/** Follows nextLink verbatim (relative to /PasswordVault/) until it is absent. */
async function collect(first: string, raw = false, auth = token): Promise<{ items: Json[]; pages: Json[] }> {
  const items: Json[] = [];
  const pages: Json[] = [];
  let path: string | undefined = first;
  while (path) {
    const res = await pcGet(sim, auth, path, raw);
    expect(res.status, path).toBe(200);
    pages.push(res.json);
    items.push(...res.json.value);
    path = res.json.nextLink ? `/PasswordVault/${res.json.nextLink}` : undefined;
    expect(pages.length).toBeLessThan(100);
  }
  return { items, pages };
}

describe('authentication', () => {
  it('401 {ErrorCode, ErrorMessage} without a token, with a raw platform token, or after expiry', async () => {
    const none = await http<Json>(`${sim.pcloudUrl}${API}/Safes`);
    expect(none.status).toBe(401);
    expect(Object.keys(none.json)).toEqual(['ErrorCode', 'ErrorMessage']);
    expect((await pcGet(sim, token, `${API}/Safes`, true)).status).toBe(401);
    const t = await platformToken(sim);
    expect((await pcGet(sim, t, `${API}/Safes`)).status).toBe(200);
    sim.expireAllTokens();
    const expired = await pcGet(sim, t, `${API}/Safes`);
    expect(expired.status).toBe(401);
    expect(expired.json.ErrorCode).toBeTruthy();
    token = await platformToken(sim);
  });

  it('self-hosted logon returns a JSON string token used raw, and logoff invalidates it', async () => {
    const logon = await http<Json>(`${sim.pcloudUrl}${API}/Auth/CyberArk/Logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: PAS_LOGIN.username, password: PAS_LOGIN.password, concurrentSession: true }),
    });
    expect(logon.status).toBe(200);
    expect(logon.text.startsWith('"')).toBe(true);
    const session = logon.json as string;
    expect(typeof session).toBe('string');
    expect(session.length).toBeGreaterThanOrEqual(180);
    expect((await pcGet(sim, session, `${API}/Safes`, true)).status).toBe(200);
    expect((await pcGet(sim, session, `${API}/Safes`)).status).toBe(401); // not as Bearer
    const logoff = await http(`${sim.pcloudUrl}/passwordvault/api/auth/logoff`, {
      method: 'POST',
      headers: { authorization: session },
    });
    expect(logoff.status).toBe(200);
    expect((await pcGet(sim, session, `${API}/Safes`, true)).status).toBe(401);
  });

  it('logon with another method, wrong password or wrong method fails with ITATS127E', async () => {
    const logon = (method: string, username: string, password: string) =>
      http<Json>(`${sim.pcloudUrl}/PasswordVault/api/auth/${method}/logon/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, concurrentSession: true }),
      });
    expect((await logon('LDAP', 'ldap.reader', 'ldap-pass')).status).toBe(200);
    for (const [m, u, p] of [
      ['CyberArk', PAS_LOGIN.username, 'wrong'],
      ['LDAP', PAS_LOGIN.username, PAS_LOGIN.password],
    ] as const) {
      const res = await logon(m, u, p);
      expect(res.status).toBe(401);
      expect(res.json.ErrorCode).toBe('ITATS127E');
      expect(typeof res.json.ErrorMessage).toBe('string');
    }
  });

  it('unknown routes are 404 with an error body', async () => {
    const res = await pcGet(sim, token, `${API}/Nothing/Here`);
    expect(res.status).toBe(404);
    expect(res.json.ErrorCode).toBeTruthy();
  });
});

describe('GET Safes', () => {
  it('serves the §7.1 safe object in order, with count and a relative nextLink', async () => {
    const res = await pcGet(sim, token, `${API}/Safes`);
    expect(res.json.count).toBe(tenant.privilegeCloud.safes.length);
    expect(res.json.value).toHaveLength(25);
    expect(res.json.nextLink).toBe('API/Safes?offset=25&limit=25&useCache=False');
    expect(Object.keys(res.json.value[0])).toEqual([
      'safeNumber',
      'location',
      'creator',
      'olacEnabled',
      'numberOfVersionsRetention',
      'numberOfDaysRetention',
      'autoPurgeEnabled',
      'creationTime',
      'lastModificationTime',
      'safeUrlId',
      'safeName',
      'description',
      'managingCPM',
      'isExpiredMember',
    ]);
    expect(res.json.value[0]).toMatchObject({
      safeUrlId: 'Linux%20Prod',
      safeName: 'Linux Prod',
      location: '\\',
      creator: { id: U.alice, name: 'alice@corp.example' },
      numberOfDaysRetention: 7,
      isExpiredMember: false,
    });
    expect(String(res.json.value[0].lastModificationTime)).toHaveLength(16);
  });

  it('following nextLink verbatim collects exactly the tenant safes; no nextLink on the last page', async () => {
    const { items, pages } = await collect(`${API}/Safes?limit=7`);
    expect(items.map((s) => s.safeName)).toEqual(tenant.privilegeCloud.safes.map((s) => s.name));
    expect(pages).toHaveLength(Math.ceil(tenant.privilegeCloud.safes.length / 7));
    expect(pages.at(-1).nextLink).toBeUndefined();
    expect('nextLink' in pages.at(-1)).toBe(false);
    const exact = await pcGet(sim, token, `${API}/Safes?limit=${tenant.privilegeCloud.safes.length}`);
    expect(exact.json.nextLink).toBeUndefined();
  });

  it('search, sort and other parameters survive in nextLink', async () => {
    const first = await pcGet(
      sim,
      token,
      `${API}/safes?search=safe-&sort=safeName%20desc&limit=5&includeAccounts=true`,
    );
    expect(first.json.count).toBe(18);
    expect(first.json.nextLink).toBe(
      'API/Safes?offset=5&limit=5&useCache=False&search=safe-&sort=safeName%20desc&includeAccounts=true',
    );
    const { items } = await collect(`${API}/safes?search=SAFE-&sort=safeName%20desc&limit=5`);
    expect(items.map((s) => s.safeName)).toEqual(
      Array.from({ length: 18 }, (_, i) => `Safe-${String(18 - i).padStart(2, '0')}`),
    );
    expect(first.json.value[0].accounts).toEqual([]);
  });

  it('GET Safes/{safeUrlId}/ decodes names with special characters and 404s unknown safes', async () => {
    for (const name of SPECIAL_SAFES) {
      const res = await pcGet(sim, token, `${API}/Safes/${encodeURIComponent(name)}/`);
      expect(res.status, name).toBe(200);
      expect(res.json.safeName).toBe(name);
      expect(res.json.safeUrlId).toBe(encodeURIComponent(name));
    }
    const withAccounts = await pcGet(sim, token, `${API}/Safes/Ops%20and%20Dev?includeAccounts=true`);
    expect(withAccounts.json.accounts).toHaveLength(3);
    const missing = await pcGet(sim, token, `${API}/Safes/No%20Such%20Safe/`);
    expect(missing.status).toBe(404);
    expect(missing.json.ErrorCode).toBe('PASWS027E');
    expect((await pcGet(sim, token, `${API}/Safes/linux%20prod`)).status).toBe(404); // exact name match
  });

  it('invalid paging parameters are 400', async () => {
    expect((await pcGet(sim, token, `${API}/Safes?limit=abc`)).status).toBe(400);
    expect((await pcGet(sim, token, `${API}/Safes?offset=-1`)).status).toBe(400);
    expect((await pcGet(sim, token, `${API}/Safes?sort=nope%20asc`)).status).toBe(400);
  });
});

describe('GET Safes/{safeUrlId}/Members', () => {
  const members = (safe: string, query = '') =>
    pcGet(sim, token, `${API}/Safes/${encodeURIComponent(safe)}/Members${query}`);

  it('serves the §7.2 member object with the 22 permissions in documented order', async () => {
    const res = await members('Linux Prod', '?filter=includePredefinedUsers%20eq%20true');
    const alice = res.json.value.find((m: Json) => m.memberName === 'alice@corp.example');
    expect(Object.keys(alice)).toEqual([
      'safeUrlId',
      'safeName',
      'safeNumber',
      'memberId',
      'memberName',
      'memberType',
      'membershipExpirationDate',
      'isExpiredMembershipEnable',
      'isPredefinedUser',
      'isReadOnly',
      'permissions',
    ]);
    expect(Object.keys(alice.permissions)).toEqual([...SAFE_PERMISSION_KEYS]);
    expect(alice).toMatchObject({ safeUrlId: 'Linux%20Prod', safeNumber: 100, memberId: U.alice, memberType: 'User' });
    expect(alice.permissions.retrieveAccounts).toBe(true);
    expect(alice.permissions.manageSafe).toBe(false);
  });

  it('excludes predefined users by default, includes them on request', async () => {
    const safe = tenant.privilegeCloud.safes.find((s) => s.name === 'Linux Prod')!;
    const def = await members('Linux Prod');
    expect(def.json.value.some((m: Json) => m.isPredefinedUser)).toBe(false);
    expect(def.json.count).toBe(safe.members.filter((m) => !m.isPredefinedUser).length);
    const incl = await members('Linux Prod', '?filter=includePredefinedUsers%20eq%20true');
    expect(incl.json.count).toBe(safe.members.length);
    const excl = await members('Linux Prod', '?filter=INCLUDEPREDEFINEDUSERS%20EQ%20FALSE');
    expect(excl.json.count).toBe(def.json.count);
  });

  it('filters by memberType (Role counts as group) and membershipExpired, joined with AND', async () => {
    const names = async (filter: string) =>
      (await members('Linux Prod', `?filter=${encodeURIComponent(filter)}`)).json.value
        .map((m: Json) => m.memberName)
        .sort();
    expect(await names('memberType eq group')).toEqual(['PAM Admins', 'Privilege Cloud Administrators']);
    expect(await names('memberType eq user')).toEqual([
      'PasswordManager',
      'alice@corp.example',
      'bob@corp.example',
      'heidi@corp.example',
    ]);
    expect(await names('memberType eq user and includePredefinedUsers eq true')).toHaveLength(6);
    expect(await names('membershipExpired eq true')).toEqual(['bob@corp.example']);
    expect(await names('membershipExpired eq false AND memberType eq User')).toEqual([
      'PasswordManager',
      'alice@corp.example',
      'heidi@corp.example',
    ]);
    const bob = (await members('Linux Prod', '?filter=membershipExpired%20eq%20true')).json.value[0];
    expect(bob.isExpiredMembershipEnable).toBe(true);
    expect(typeof bob.membershipExpirationDate).toBe('number');
    expect((await members('Linux Prod', '?filter=memberType%20eq%20robot')).status).toBe(400);
    expect((await members('Linux Prod', '?filter=color%20eq%20red')).status).toBe(400);
  });

  it('pages by offset/limit with count the total and no nextLink, like the real API (§7.2)', async () => {
    const first = await members('Big Members', '?filter=includePredefinedUsers%20eq%20true');
    expect(first.json.count).toBe(43);
    expect(first.json.value).toHaveLength(25);
    expect(Object.keys(first.json)).toEqual(['value', 'count']);
    const second = await members('Big Members', '?offset=25&filter=includePredefinedUsers%20eq%20true');
    expect(Object.keys(second.json)).toEqual(['value', 'count']);
    expect(second.json.count).toBe(43);
    expect(second.json.value).toHaveLength(18);
    const names = [...first.json.value, ...second.json.value].map((m: Json) => m.memberName);
    expect(new Set(names).size).toBe(43);
    const small = await members('Big Members', '?offset=40&limit=2&filter=includePredefinedUsers%20eq%20true');
    expect(small.json.value.map((m: Json) => m.memberName)).toEqual(names.slice(40, 42));
    expect((await members('Big Members', '?offset=43')).json.value).toEqual([]);
    const sorted = await members('Big Members', '?sort=memberName%20desc&limit=3');
    expect(sorted.json.value.map((m: Json) => m.memberName)).toEqual([
      'Privilege Cloud Administrators',
      'member39@corp.example',
      'member38@corp.example',
    ]);
  });

  it('404 for members of an unknown safe; special names work', async () => {
    expect((await members('Nope')).status).toBe(404);
    for (const name of SPECIAL_SAFES) expect((await members(name)).status, name).toBe(200);
  });
});

describe('GET Accounts', () => {
  it('serves §7.3 accounts (optional fields omitted, platformAccountProperties {}), default limit 50, nextLink api/Accounts', async () => {
    const res = await pcGet(sim, token, `${API}/Accounts?filter=safeName%20eq%20Linux%20Prod`);
    expect(res.json.count).toBe(60);
    expect(res.json.value).toHaveLength(50);
    expect(res.json.nextLink).toBe('api/Accounts?offset=50&limit=50&filter=safeName%20eq%20Linux%20Prod');
    expect(res.json.value[0]).toEqual({
      categoryModificationTime: 1_781_415_350,
      platformId: 'UnixSSH',
      safeName: 'Linux Prod',
      id: '100_1',
      name: 'Operating System-UnixSSH-host0.corp.example-root',
      address: 'host0.corp.example',
      userName: 'root',
      secretType: 'password',
      platformAccountProperties: {},
      secretManagement: {
        automaticManagementEnabled: false,
        manualManagementReason: '(CPM)MaxRetries',
        status: 'failure',
        lastModifiedTime: 1_781_415_351,
        lastVerifiedTime: 1_781_172_858,
      },
      remoteMachinesAccess: {
        remoteMachines: 'host1.corp.example;host2.corp.example',
        accessRestrictedToRemoteMachines: false,
      },
      createdTime: 1_781_415_350,
    });
    expect(Object.keys(res.json.value[1])).toEqual([
      'categoryModificationTime',
      'platformId',
      'safeName',
      'id',
      'name',
      'address',
      'userName',
      'secretType',
      'platformAccountProperties',
      'secretManagement',
      'createdTime',
    ]);
    const { items } = await collect(`${API}/Accounts?filter=safeName%20eq%20Linux%20Prod&limit=1000`);
    expect(items).toHaveLength(60);
  });

  it('safeName filter: quoted or unquoted values with spaces, and AND', async () => {
    const unquoted = await pcGet(sim, token, `${API}/Accounts?filter=${encodeURIComponent('safeName eq Ops and Dev')}`);
    expect(unquoted.json.count).toBe(3);
    const quoted = await pcGet(
      sim,
      token,
      `${API}/Accounts?filter=${encodeURIComponent("safeName eq 'Ops and Dev' AND modificationTime gte 1781415401")}`,
    );
    expect(quoted.json.value.map((a: Json) => a.userName)).toEqual(['svc_sql', 'svc_web']);
    const keyOnly = await pcGet(sim, token, `${API}/Accounts?filter=safeName%20eq%20Windows%20Prod`);
    expect(keyOnly.json.value).toEqual([
      {
        categoryModificationTime: 1_781_415_500,
        platformId: '',
        safeName: 'Windows Prod',
        id: '101_1',
        name: 'key-only',
        secretType: 'key',
        platformAccountProperties: {},
        secretManagement: { automaticManagementEnabled: true },
        createdTime: 1_781_415_500,
      },
    ]);
    const all = await collect(`${API}/Accounts?limit=1000`);
    expect(all.items).toHaveLength(tenant.privilegeCloud.accounts.length);
  });

  it('limit 1001 is 400 PASWS167E; search matches keywords', async () => {
    const res = await pcGet(sim, token, `${API}/Accounts?limit=1001`);
    expect(res.status).toBe(400);
    expect(res.json.ErrorCode).toBe('PASWS167E');
    const search = await pcGet(sim, token, `${API}/Accounts?search=svc_sql%20corp`);
    expect(search.json.value.map((a: Json) => a.id)).toEqual(['110_2']);
  });
});

describe('GET Users and UserGroups', () => {
  it('Users: {Users, Total}; ExtendedDetails adds groupsMembership', async () => {
    const res = await pcGet(sim, token, `${API}/Users`);
    expect(res.json.Total).toBe(4);
    const alice = res.json.Users.find((u: Json) => u.id === 71);
    expect(alice).toEqual({
      id: 71,
      username: 'alice@corp.example',
      source: 'CyberArk',
      userType: 'EPVUser',
      componentUser: false,
      vaultAuthorization: ['AddSafes', 'AuditUsers'],
      location: '\\',
      personalDetails: { firstName: 'Alice', middleName: '', lastName: 'Adams' },
      UUID: U.alice,
    });
    const ext = await pcGet(sim, token, `${API}/Users?ExtendedDetails=true`);
    expect(ext.json.Users.find((u: Json) => u.id === 71).groupsMembership).toEqual([
      { groupID: 12, groupName: 'PAM-Admins', groupType: 'Directory' },
    ]);
  });

  it('UserGroups: {value, count}, includeMembers, filters', async () => {
    const res = await pcGet(sim, token, `${API}/UserGroups?includeMembers=true`);
    expect(res.json.count).toBe(2);
    expect(res.json.value[1]).toEqual({
      id: 12,
      groupType: 'Directory',
      groupName: 'PAM-Admins',
      description: '',
      location: '\\',
      directory: 'corp.example',
      dn: 'CN=PAM-Admins,OU=Groups,DC=corp,DC=example',
      members: [{ UserName: 'alice@corp.example', id: 71 }],
    });
    const vault = await pcGet(sim, token, `${API}/UserGroups?filter=groupType%20eq%20Vault`);
    expect(vault.json.value.map((g: Json) => g.groupName)).toEqual(['Auditors']);
    expect(vault.json.value[0].members).toBeUndefined();
    const named = await pcGet(sim, token, `${API}/usergroups?filter=groupName%20eq%20PAM-Admins`);
    expect(named.json.value.map((g: Json) => g.id)).toEqual([12]);
  });
});
