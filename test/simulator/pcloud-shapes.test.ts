/**
 * Shape contract for the Privilege Cloud list endpoints (issue 14): the recorded-shape fixtures in test/fixtures are
 * accepted by the extractor's zod schemas, and the simulator answers the same endpoints with the same keys (paging
 * keys included: a relative nextLink on Safes while more remain, none ever on safe members), so the simulator
 * cannot drift from the real shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { membersPage, safesPage } from '../../src/sources/privilegecloud/schemas.js';
import { SAFE_MEMBERS_PAGES } from '../fixtures/privilegecloud/safe-members.js';
import { SAFES_PAGES } from '../fixtures/privilegecloud/safes.js';
import { buildFixtureTenant } from './fixture.js';
import { type Json, pcGet, platformToken } from './helpers.js';

const API = '/PasswordVault/API';
let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({ tenant: buildFixtureTenant(), variationSeed: false });
  token = await platformToken(sim);
});
afterAll(async () => sim?.close());

/** Every key path of a JSON value (`value[].creator.id`); the items of an array are merged. */
function keyPaths(json: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(json)) {
    for (const item of json) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
  } else if (json !== null && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      out.add(path);
      for (const p of keyPaths(v, path)) out.add(p);
    }
  }
  return out;
}
const sorted = (s: Set<string>) => [...s].sort();

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
});

describe('GET /PasswordVault/API/Safes/{safeUrlId}/Members', () => {
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
    const filter = 'filter=includePredefinedUsers%20eq%20true';
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
});
