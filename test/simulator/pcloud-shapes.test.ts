/**
 * Shape contract for the Privilege Cloud endpoints (issue 14): the recorded-shape fixtures in test/fixtures are
 * accepted by the extractor's zod schemas, and the simulator answers the same endpoints with the same keys (paging
 * keys included: a relative nextLink on Safes and Accounts while more remain, none ever on safe members or user
 * groups) in its tidy shape (`variationSeed: false`), and with a subset of them when its seeded variations are on
 * (the default): it may leave optional fields out, never send a key the real API does not. So the simulator cannot
 * drift from the real shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient } from '../../src/http/index.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { pasAuth } from '../../src/sources/privilegecloud/extract.js';
import { accountsPage, membersPage, safesPage, userGroupsPage } from '../../src/sources/privilegecloud/schemas.js';
import { ACCOUNTS_PAGES } from '../fixtures/privilegecloud/accounts.js';
import { LOGON_BODY, LOGON_TOKEN } from '../fixtures/privilegecloud/logon.js';
import { SAFE_MEMBERS_PAGES } from '../fixtures/privilegecloud/safe-members.js';
import { SAFES_PAGES } from '../fixtures/privilegecloud/safes.js';
import { USER_GROUPS } from '../fixtures/privilegecloud/user-groups.js';
import { startServer, type TestServer } from '../http/helpers.js';
import { buildFixtureTenant, PAS_LOGIN } from './fixture.js';
import { extraKeys, http, type Json, keyPaths, pcGet, platformToken, sorted, unionKeyPaths } from './helpers.js';

const API = '/PasswordVault/API';
const tenant = buildFixtureTenant();
/** The tidy shape (every field) and the default seeded variations. */
let sim: Simulator;
let seeded: Simulator;
let token: string;
let seededToken: string;

beforeAll(async () => {
  [sim, seeded] = await Promise.all([startSimulator({ tenant, variationSeed: false }), startSimulator({ tenant })]);
  [token, seededToken] = await Promise.all([platformToken(sim), platformToken(seeded)]);
});
afterAll(async () => Promise.all([sim?.close(), seeded?.close()]));

/** The keys inside an account's platformAccountProperties are its platform's property names: data, not shape. */
const ACCOUNT_OPAQUE = ['value[].platformAccountProperties'];

/** Every page of a list, following the server's relative nextLink (relative to /PasswordVault/). */
async function allPages(s: Simulator, t: string, first: string): Promise<Json[]> {
  const pages: Json[] = [];
  let path: string | undefined = first;
  while (path !== undefined && pages.length < 100) {
    const res = await pcGet(s, t, path);
    expect(res.status, res.text).toBe(200);
    pages.push(res.json);
    path = res.json.nextLink ? `/PasswordVault/${res.json.nextLink}` : undefined;
  }
  return pages;
}

describe('GET /PasswordVault/API/Safes', () => {
  it('the recorded pages parse with the extractor schema', () => {
    for (const page of SAFES_PAGES) {
      const parsed = safesPage.parse(page.body);
      expect(parsed.value.length).toBeGreaterThan(0);
      expect(parsed.count).toBe(3);
    }
    expect(safesPage.parse(SAFES_PAGES[0]!.body).nextLink).toBe('API/Safes?offset=2&limit=2&useCache=False');
  });

  it('the simulator answers with the same keys: a relative nextLink while more remain, none on the last page', async () => {
    const first = await pcGet(sim, token, `${API}/Safes?limit=2`);
    expect(sorted(keyPaths(first.json))).toEqual(sorted(keyPaths(SAFES_PAGES[0]!.body)));
    expect(first.json.nextLink).toMatch(/^API\/Safes\?offset=2&limit=2&useCache=False/);
    const count = first.json.count as number;
    const last = await pcGet(sim, token, `${API}/Safes?offset=${count - 1}&limit=2`);
    expect(sorted(keyPaths(last.json))).toEqual(sorted(keyPaths(SAFES_PAGES.at(-1)!.body)));
    for (const answer of [first, last]) safesPage.parse(answer.json);
  });

  it('with its seeded variations the simulator leaves keys out at most, never adds one', async () => {
    const pages = await allPages(seeded, seededToken, `${API}/Safes?limit=5`);
    const recorded = unionKeyPaths(SAFES_PAGES.map((p) => p.body));
    expect(extraKeys(unionKeyPaths(pages), recorded)).toEqual([]);
    for (const page of pages) safesPage.parse(page);
  });
});

describe('GET /PasswordVault/API/Safes/{safeUrlId}/Members', () => {
  const filter = 'filter=includePredefinedUsers%20eq%20true';

  it('the recorded pages parse with the extractor schema: count and value, no nextLink', () => {
    for (const page of SAFE_MEMBERS_PAGES) {
      const parsed = membersPage.parse(page.body);
      expect(parsed.count).toBe(5);
      expect(Object.keys(page.body)).toEqual(['value', 'count']);
    }
    const ids = SAFE_MEMBERS_PAGES.flatMap((p) => membersPage.parse(p.body).value.map((m) => m.memberId));
    expect(ids).toContain('2'); // the integer memberId is read as a string
  });

  it('the simulator answers with the same keys on every page, never a nextLink', async () => {
    const first = await pcGet(sim, token, `${API}/Safes/Big%20Members/Members?limit=3&${filter}`);
    const count = first.json.count as number;
    expect(count).toBeGreaterThan(3);
    const middle = await pcGet(sim, token, `${API}/Safes/Big%20Members/Members?offset=3&limit=3&${filter}`);
    const last = await pcGet(sim, token, `${API}/Safes/Big%20Members/Members?offset=${count - 1}&limit=3&${filter}`);
    for (const answer of [first, middle, last] as Json[]) {
      expect(sorted(keyPaths(answer.json))).toEqual(sorted(keyPaths(SAFE_MEMBERS_PAGES[0]!.body)));
      expect(answer.json.count).toBe(count);
      membersPage.parse(answer.json);
    }
  });

  it('with its seeded variations the simulator leaves keys out at most, never adds one', async () => {
    const recorded = unionKeyPaths(SAFE_MEMBERS_PAGES.map((p) => p.body));
    for (const safe of ['Linux Prod', 'Big Members', 'Finance, EMEA']) {
      const res = await pcGet(seeded, seededToken, `${API}/Safes/${encodeURIComponent(safe)}/Members?${filter}`);
      expect(extraKeys(keyPaths(res.json), recorded), safe).toEqual([]);
      membersPage.parse(res.json);
    }
  });
});

describe('GET /PasswordVault/API/Accounts', () => {
  it('the recorded pages parse with the extractor schema: epoch seconds, a relative nextLink on the first page', () => {
    for (const page of ACCOUNTS_PAGES) expect(accountsPage.parse(page.body).count).toBe(3);
    const first = accountsPage.parse(ACCOUNTS_PAGES[0]!.body);
    expect(first.nextLink).toBe('api/Accounts?offset=2&limit=2');
    expect(first.value[0]!.secretManagement?.lastReconciledTime).toBe(1781180362);
    expect('nextLink' in ACCOUNTS_PAGES.at(-1)!.body).toBe(false);
  });

  it('the simulator answers with the same keys over the whole list: nextLink api/Accounts… while more remain', async () => {
    const pages = await allPages(sim, token, `${API}/Accounts?offset=0&limit=50`);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].nextLink).toMatch(/^api\/Accounts\?offset=50&limit=50/);
    expect('nextLink' in pages.at(-1)).toBe(false);
    expect(sorted(unionKeyPaths(pages, ACCOUNT_OPAQUE))).toEqual(
      sorted(
        unionKeyPaths(
          ACCOUNTS_PAGES.map((p) => p.body),
          ACCOUNT_OPAQUE,
        ),
      ),
    );
    expect(Object.keys(pages[0])).toEqual(Object.keys(ACCOUNTS_PAGES[0]!.body));
    expect(Object.keys(pages.at(-1))).toEqual(Object.keys(ACCOUNTS_PAGES.at(-1)!.body));
    for (const page of pages) accountsPage.parse(page);
  });

  it('with its seeded variations the simulator leaves keys out at most, never adds one', async () => {
    const pages = await allPages(seeded, seededToken, `${API}/Accounts?offset=0&limit=50`);
    const recorded = unionKeyPaths(
      ACCOUNTS_PAGES.map((p) => p.body),
      ACCOUNT_OPAQUE,
    );
    expect(extraKeys(unionKeyPaths(pages, ACCOUNT_OPAQUE), recorded)).toEqual([]);
    for (const page of pages) accountsPage.parse(page);
  });
});

describe('GET /PasswordVault/API/UserGroups?includeMembers=true', () => {
  it('the recorded answer parses with the extractor schema: the members’ UserName, directory and dn only on Directory groups', () => {
    const parsed = userGroupsPage.parse(USER_GROUPS);
    expect(parsed.value.map((g) => g.id)).toEqual(['8', '12']); // numeric ids read as strings
    expect(parsed.value[0]!.members?.map((m) => m.UserName)).toEqual(['Auditor', 'alice@corp.example']);
    expect(USER_GROUPS.value.map((g) => 'dn' in g)).toEqual([false, true]);
    expect(Object.keys(USER_GROUPS)).toEqual(['value', 'count']);
  });

  it('the simulator answers with the same keys, no nextLink', async () => {
    const res = await pcGet(sim, token, `${API}/UserGroups?includeMembers=true`);
    expect(sorted(keyPaths(res.json))).toEqual(sorted(keyPaths(USER_GROUPS)));
    userGroupsPage.parse(res.json);
  });

  it('with its seeded variations the simulator leaves keys out at most, never adds one', async () => {
    const res = await pcGet(seeded, seededToken, `${API}/UserGroups?includeMembers=true`);
    expect(extraKeys(keyPaths(res.json), keyPaths(USER_GROUPS))).toEqual([]);
    userGroupsPage.parse(res.json);
  });
});

describe('POST /PasswordVault/API/Auth/CyberArk/Logon', () => {
  let standIn: TestServer;
  beforeAll(async () => {
    standIn = await startServer((app) => {
      app.post('/PasswordVault/API/Auth/CyberArk/Logon', async (_request, reply) =>
        reply.type('application/json; charset=utf-8').send(LOGON_BODY),
      );
      app.get('/PasswordVault/API/Safes', async (request) => ({ authorization: request.headers.authorization }));
    });
  });
  afterAll(async () => standIn?.close());

  it('the recorded answer is a JSON string, read by the extractor’s logon and sent back raw', async () => {
    expect(LOGON_BODY.startsWith('"')).toBe(true);
    expect(z.string().min(1).parse(JSON.parse(LOGON_BODY))).toBe(LOGON_TOKEN);
    const client = new HttpClient({
      source: 'privilegecloud',
      baseUrl: `${standIn.url}/PasswordVault/`,
      auth: pasAuth(standIn.url, { username: 'svc_reader', password: 'not-a-real-password' }),
      maxAttempts: 1,
    });
    const me = await client.request({
      method: 'GET',
      path: 'API/Safes',
      schema: z.object({ authorization: z.string() }),
    });
    expect(me.authorization).toBe(LOGON_TOKEN); // no "Bearer"
  });

  for (const [name, simOf] of [
    ['tidy', () => sim],
    ['seeded', () => seeded],
  ] as const) {
    it(`the simulator (${name}) answers a JSON string too: no keys at all`, async () => {
      const res = await http<Json>(`${simOf().pcloudUrl}${API}/Auth/CyberArk/Logon`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...PAS_LOGIN, concurrentSession: true }),
      });
      expect(res.status).toBe(200);
      expect(res.text.startsWith('"')).toBe(true);
      expect(typeof res.json).toBe('string');
      expect(sorted(keyPaths(res.json))).toEqual(sorted(keyPaths(JSON.parse(LOGON_BODY))));
      z.string().min(1).parse(res.json);
    });
  }
});
