/**
 * Shape contract for the Microsoft Graph endpoints the Entra extractor calls (issue 14): the recorded-shape fixtures
 * in test/fixtures/entra are accepted by the extractor's zod schemas, and the Graph simulator answers the same
 * requests ($select and $top as the extractor sends them) with exactly the fixtures' key paths, page by page: an
 * absolute `@odata.nextLink` on every page but the last. The Graph simulator has no seeded variations (it always
 * sends every selected property, null when unset, as Graph does), so its one shape is the one compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenResponseSchema } from '../../src/http/index.js';
import { type GraphSimulator, startGraphSimulator } from '../../src/simulator/index.js';
import {
  GROUP_SELECT,
  groupsPage,
  MEMBER_SELECT,
  membersPage,
  USER_SELECT,
  usersPage,
} from '../../src/sources/entra/schemas.js';
import { buildEntraTenant, CLIENT, G } from '../entra/fixture.js';
import { allPages, graphToken, tokenRequest } from '../entra/helpers.js';
import { GRAPH_GROUPS_PAGES } from '../fixtures/entra/groups.js';
import { GRAPH_MEMBERS_PAGES } from '../fixtures/entra/members.js';
import { GRAPH_TOKEN } from '../fixtures/entra/token.js';
import { GRAPH_USERS_PAGES } from '../fixtures/entra/users.js';
import { keyPaths, sorted } from './helpers.js';

let sim: GraphSimulator;
let token: string;

beforeAll(async () => {
  sim = await startGraphSimulator({ entra: buildEntraTenant().entra! });
  token = await graphToken(sim);
});
afterAll(async () => sim?.close());

/** The recorded pages against the simulator's pages: first with first, last with last, the middle ones too. */
function expectSamePages(got: readonly unknown[], recorded: readonly unknown[]) {
  expect(got.length).toBeGreaterThan(1);
  const first = sorted(keyPaths(recorded[0]));
  const last = sorted(keyPaths(recorded.at(-1)));
  got.forEach((page, i) => {
    expect(sorted(keyPaths(page)), `page ${i + 1} of ${got.length}`).toEqual(i === got.length - 1 ? last : first);
  });
}

describe('POST /{tenant}/oauth2/v2.0/token', () => {
  it('the recorded answer parses with the extractor schema', () => {
    expect(tokenResponseSchema.parse(GRAPH_TOKEN)).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
  });

  it('the simulator answers with the same keys', async () => {
    const res = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(res.status).toBe(200);
    expect(sorted(keyPaths(res.json))).toEqual(sorted(keyPaths(GRAPH_TOKEN)));
    tokenResponseSchema.parse(res.json);
  });
});

describe('GET /v1.0/users', () => {
  it('the recorded pages parse with the extractor schema; every selected property is in every user', () => {
    for (const page of GRAPH_USERS_PAGES) {
      for (const user of usersPage.parse(page).value) expect(Object.keys(user)).toEqual([...USER_SELECT]);
    }
    expect(usersPage.parse(GRAPH_USERS_PAGES[0]).value[1]!.onPremisesSyncEnabled).toBeNull();
  });

  it('the simulator answers the extractor’s request with the same keys on every page', async () => {
    const pages = await allPages(sim, token, `/v1.0/users?$select=${USER_SELECT.join(',')}&$top=5`);
    expectSamePages(pages, GRAPH_USERS_PAGES);
    for (const page of pages) usersPage.parse(page);
  });
});

describe('GET /v1.0/groups', () => {
  it('the recorded pages parse with the extractor schema', () => {
    for (const page of GRAPH_GROUPS_PAGES) {
      for (const group of groupsPage.parse(page).value) expect(Object.keys(group)).toEqual([...GROUP_SELECT]);
    }
  });

  it('the simulator answers the extractor’s request with the same keys on every page', async () => {
    const pages = await allPages(sim, token, `/v1.0/groups?$select=${GROUP_SELECT.join(',')}&$top=10`);
    expectSamePages(pages, GRAPH_GROUPS_PAGES);
    for (const page of pages) groupsPage.parse(page);
  });
});

describe('GET /v1.0/groups/{id}/members', () => {
  it('the recorded pages parse with the extractor schema: @odata.type and id only', () => {
    for (const page of GRAPH_MEMBERS_PAGES) {
      for (const member of membersPage.parse(page).value) expect(Object.keys(member)).toEqual(['@odata.type', 'id']);
    }
  });

  it('the simulator answers the extractor’s request with the same keys on every page', async () => {
    const pages = await allPages(
      sim,
      token,
      `/v1.0/groups/${G.allStaff}/members?$select=${MEMBER_SELECT.join(',')}&$top=40`,
    );
    expectSamePages(pages, GRAPH_MEMBERS_PAGES);
    const types = new Set(pages.flatMap((p) => membersPage.parse(p).value.map((m) => m['@odata.type'])));
    expect([...types].sort()).toEqual(['#microsoft.graph.group', '#microsoft.graph.user']);
  });
});
