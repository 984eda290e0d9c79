/**
 * Shape contract for every CyberArk Identity endpoint the extractor calls (issue 14): the recorded-shape fixtures in
 * test/fixtures/identity are accepted by the extractor's own zod schemas, the simulator answers the same requests
 * with exactly the fixtures' key paths in its tidy shape (`variationSeed: false`), and with its seeded variations on
 * (the default) with a subset of them: it may leave optional fields out, never send a key the real API does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient, identityEnvelope, redrockResult, tokenResponseSchema } from '../../src/http/index.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { DSQ_PAGE_SIZE, directoryQuery, dsqEnvelope, redrockAll } from '../../src/sources/identity/paging.js';
import {
  aceRow,
  adminRightRow,
  applicationRow,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
  roleMemberRow,
  roleRow,
  userAttributes,
  userRow,
} from '../../src/sources/identity/schemas.js';
import { USER_QUERY } from '../../src/sources/identity/users.js';
import { ROW_ACES } from '../fixtures/identity/acl.js';
import { DSQ_GROUPS, DSQ_ROLES, DSQ_USERS } from '../fixtures/identity/directory-service-query.js';
import { DIRECTORY_SERVICES } from '../fixtures/identity/directory-services.js';
import { REDROCK_APPLICATIONS, REDROCK_ROLES, REDROCK_USERS_PAGES } from '../fixtures/identity/redrock.js';
import { ADMIN_RIGHTS, ROLE_MEMBERS } from '../fixtures/identity/roles.js';
import { APP_TOKEN, PLATFORM_TOKEN } from '../fixtures/identity/tokens.js';
import { USER_ATTRIBUTES } from '../fixtures/identity/user-attributes.js';
import { startServer, type TestServer } from '../http/helpers.js';
import { buildFixtureTenant, DS, OAUTH, U } from './fixture.js';
import { extraKeys, form, http, idPost, type Json, platformToken, sorted, unionKeyPaths } from './helpers.js';

const tenant = buildFixtureTenant();
/** The tidy shape (every field) and the default seeded variations. */
let tidy: Simulator;
let seeded: Simulator;
const tokens = new Map<Simulator, string>();

beforeAll(async () => {
  [tidy, seeded] = await Promise.all([startSimulator({ tenant, variationSeed: false }), startSimulator({ tenant })]);
  for (const sim of [tidy, seeded]) tokens.set(sim, await platformToken(sim));
});
afterAll(async () => {
  await Promise.all([tidy?.close(), seeded?.close()]);
});

const DIRECTORIES = [DS.cds, DS.ad, DS.fds];
const DSQ_ARGS = { PageNumber: 1, PageSize: DSQ_PAGE_SIZE, Limit: 1_000_000, SortBy: '', Caching: -1 };
const redrockArgs = (page: number, size: number) => ({
  PageNumber: page,
  PageSize: size,
  Limit: 1_000_000,
  Caching: -1,
});

/** POSTs as the extractor does and returns the JSON answer (which must be a success). */
async function post(sim: Simulator, path: string, body: unknown): Promise<Json> {
  const res = await idPost(sim, tokens.get(sim)!, path, body);
  expect(res.status, path).toBe(200);
  expect(res.json.success, `${path}: ${res.text}`).toBe(true);
  return res.json;
}

/** Every page of a Redrock query, by PageNumber until FullCount rows. */
async function redrockPages(sim: Simulator, script: string, size: number): Promise<Json[]> {
  const pages: Json[] = [];
  let rows = 0;
  for (let page = 1; page < 100; page++) {
    const json = await post(sim, '/Redrock/query', { Script: script, Args: redrockArgs(page, size) });
    pages.push(json);
    rows += json.Result.Results.length;
    if (json.Result.Results.length === 0 || rows >= json.Result.FullCount) break;
  }
  return pages;
}

async function tokenAnswer(sim: Simulator, path: string, body: Record<string, string>, authorization?: string) {
  const res = await http<Json>(`${sim.identityUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: form(body),
  });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

interface Contract {
  endpoint: string;
  /** The recorded answers (several pages, or the answers for several ids). */
  fixture: readonly unknown[];
  /** The extractor's schema for one answer. */
  schema: z.ZodType;
  /** The simulator's answers to the requests the extractor sends. */
  ask: (sim: Simulator) => Promise<unknown[]>;
}

const CONTRACTS: Contract[] = [
  {
    endpoint: 'POST /oauth2/platformtoken',
    fixture: [PLATFORM_TOKEN],
    schema: tokenResponseSchema,
    ask: async (sim) => [
      await tokenAnswer(sim, '/oauth2/platformtoken', {
        grant_type: 'client_credentials',
        client_id: OAUTH.clientId,
        client_secret: OAUTH.clientSecret,
      }),
    ],
  },
  {
    endpoint: 'POST /oauth2/token/{appId}',
    fixture: [APP_TOKEN],
    schema: tokenResponseSchema,
    ask: async (sim) => [
      await tokenAnswer(
        sim,
        '/oauth2/token/arkgraph_app',
        { grant_type: 'client_credentials', scope: 'api' },
        `Basic ${Buffer.from(`${encodeURIComponent(OAUTH.clientId)}:${encodeURIComponent(OAUTH.clientSecret)}`).toString('base64')}`,
      ),
    ],
  },
  {
    endpoint: 'POST /Core/GetDirectoryServices',
    fixture: [DIRECTORY_SERVICES],
    schema: identityEnvelope(redrockResult(directoryServiceRow)),
    ask: async (sim) => [await post(sim, '/Core/GetDirectoryServices', { Args: { Caching: -1 } })],
  },
  {
    endpoint: 'POST /UserMgmt/DirectoryServiceQuery (user)',
    fixture: [DSQ_USERS],
    schema: dsqEnvelope('User', dsqUserRow),
    ask: async (sim) => [
      await post(sim, '/UserMgmt/DirectoryServiceQuery', {
        directoryServices: DIRECTORIES,
        user: '{}',
        Args: DSQ_ARGS,
      }),
    ],
  },
  {
    endpoint: 'POST /UserMgmt/DirectoryServiceQuery (group)',
    fixture: [DSQ_GROUPS],
    schema: dsqEnvelope('Group', dsqGroupRow),
    ask: async (sim) => [
      await post(sim, '/UserMgmt/DirectoryServiceQuery', {
        directoryServices: DIRECTORIES,
        group: '{}',
        Args: DSQ_ARGS,
      }),
    ],
  },
  {
    endpoint: 'POST /UserMgmt/DirectoryServiceQuery (roles)',
    fixture: [DSQ_ROLES],
    schema: dsqEnvelope('roles', dsqRoleRow),
    ask: async (sim) => [
      await post(sim, '/UserMgmt/DirectoryServiceQuery', {
        directoryServices: DIRECTORIES,
        roles: '{}',
        Args: DSQ_ARGS,
      }),
    ],
  },
  {
    endpoint: 'POST /Redrock/query (User)',
    fixture: REDROCK_USERS_PAGES.map((p) => p.body),
    schema: identityEnvelope(redrockResult(userRow)),
    ask: (sim) => redrockPages(sim, USER_QUERY, 2),
  },
  {
    endpoint: 'POST /Redrock/query (Role)',
    fixture: [REDROCK_ROLES],
    schema: identityEnvelope(redrockResult(roleRow)),
    ask: (sim) => redrockPages(sim, 'Select ID, Name, Description, RoleType, ReadOnly from Role ORDER BY ID', 1000),
  },
  {
    endpoint: 'POST /Redrock/query (Application)',
    fixture: [REDROCK_APPLICATIONS],
    schema: identityEnvelope(redrockResult(applicationRow)),
    ask: (sim) =>
      redrockPages(
        sim,
        'Select ID, Name, DisplayName, Description, Category, State, AppType, TemplateName, OnPrem, Version from Application ORDER BY ID',
        1000,
      ),
  },
  {
    endpoint: 'POST /Roles/GetRoleMembers',
    fixture: [ROLE_MEMBERS],
    schema: identityEnvelope(redrockResult(roleMemberRow).nullable()),
    // A role with a user, a group and a nested role among its members.
    ask: async (sim) => [await post(sim, '/Roles/GetRoleMembers', { Name: 'role-pam-admins' })],
  },
  {
    endpoint: 'POST /Core/GetAssignedAdministrativeRights',
    fixture: [ADMIN_RIGHTS],
    schema: identityEnvelope(redrockResult(adminRightRow).nullable()),
    ask: async (sim) => [await post(sim, '/Core/GetAssignedAdministrativeRights?role=sysadmin', { role: 'sysadmin' })],
  },
  {
    endpoint: 'POST /Acl/GetRowAces',
    fixture: [ROW_ACES],
    schema: identityEnvelope(z.array(aceRow).nullable()),
    // An application whose ACL holds a role and a user.
    ask: async (sim) => [
      await post(sim, '/Acl/GetRowAces', { RowKey: 'app-pcloud', Table: 'Application', ReduceSysadmin: false }),
    ],
  },
  {
    endpoint: 'POST /UserMgmt/GetUserAttributes',
    fixture: USER_ATTRIBUTES.map((a) => a.body),
    schema: identityEnvelope(userAttributes),
    // A person and an OAuth confidential client, as in the fixture.
    ask: async (sim) =>
      Promise.all(
        [U.alice, U.svc].map((id) =>
          post(sim, '/UserMgmt/GetUserAttributes', { ID: id, DirectoryServiceUuid: DS.cds }),
        ),
      ),
  },
];

for (const c of CONTRACTS) {
  describe(c.endpoint, () => {
    it('the recorded answers parse with the extractor schema', () => {
      for (const answer of c.fixture) c.schema.parse(answer);
    });

    it('the simulator (tidy shape) answers with exactly the recorded key paths', async () => {
      const answers = await c.ask(tidy);
      expect(sorted(unionKeyPaths(answers))).toEqual(sorted(unionKeyPaths(c.fixture)));
      for (const answer of answers) c.schema.parse(answer);
    });

    it('with its seeded variations the simulator leaves keys out at most, never adds one', async () => {
      const answers = await c.ask(seeded);
      expect(extraKeys(unionKeyPaths(answers), unionKeyPaths(c.fixture))).toEqual([]);
      for (const answer of answers) c.schema.parse(answer);
    });
  });
}

describe('what the recorded shapes say beyond their keys', () => {
  it('GetDirectoryServices: Forest only on the Active Directory row, lower-camel directoryServiceUuid', () => {
    const rows = (DIRECTORY_SERVICES.Result as Json).Results.map((r: Json) => r.Row);
    expect(rows.filter((r: Json) => 'Forest' in r).map((r: Json) => r.Service)).toEqual(['AdProxy']);
    expect(rows.every((r: Json) => typeof r.directoryServiceUuid === 'string' && !('DirectoryServiceUuid' in r))).toBe(
      true,
    );
  });

  it('DirectoryServiceQuery: the sub-results are keyed User, Group and lower-case roles', () => {
    expect(Object.keys(DSQ_USERS.Result as Json)).toEqual(['User']);
    expect(Object.keys(DSQ_GROUPS.Result as Json)).toEqual(['Group']);
    expect(Object.keys(DSQ_ROLES.Result as Json)).toEqual(['roles']);
  });

  it('GetRowAces: Result is an array, Type only on some entries; bit 31 reads back unsigned', () => {
    const aces = ROW_ACES.Result as Json[];
    expect(Array.isArray(aces)).toBe(true);
    expect(aces.map((a) => 'Type' in a)).toEqual([false, true]);
    expect(aceRow.parse(aces[1]).Grant >>> 0).toBe(2_147_483_776);
  });

  it('GetUserAttributes: no ServiceUser attribute; InEverybodyRole false for the OAuth client', () => {
    const [person, client] = USER_ATTRIBUTES.map((a) => userAttributes.parse((a.body as Json).Result));
    expect(person).toMatchObject({ InEverybodyRole: true, OauthClient: false });
    expect(client).toMatchObject({ InEverybodyRole: false, OauthClient: true });
    expect(USER_ATTRIBUTES.every((a) => !('ServiceUser' in (a.body as Json).Result))).toBe(true);
  });
});

describe('the recorded answers served to the extractor’s paging', () => {
  let standIn: TestServer;
  beforeAll(async () => {
    standIn = await startServer((app) => {
      app.post('/Redrock/query', async (request) => {
        const page = (request.body as Json).Args.PageNumber as number;
        return REDROCK_USERS_PAGES.find((p) => p.page === page)?.body ?? { success: false, Message: 'no such page' };
      });
      app.post('/UserMgmt/DirectoryServiceQuery', async (request) => {
        const body = request.body as Json;
        return 'user' in body ? DSQ_USERS : 'group' in body ? DSQ_GROUPS : DSQ_ROLES;
      });
    });
  });
  afterAll(async () => standIn?.close());

  const client = () => new HttpClient({ source: 'identity', baseUrl: standIn.url, maxAttempts: 1 });

  it('redrockAll reads both User pages to FullCount', async () => {
    const rows = await redrockAll(client(), 'User', USER_QUERY, userRow, 2, new AbortController().signal);
    expect(rows.map((r) => r.Username)).toEqual([
      'alice@corp.example',
      'carol@corp.example',
      'svc_arkgraph@corp.example',
    ]);
  });

  it('directoryQuery reads each sub-result under its own key', async () => {
    const signal = new AbortController().signal;
    const users = await directoryQuery(client(), DIRECTORIES, 'User', dsqUserRow, DSQ_PAGE_SIZE, signal);
    const groups = await directoryQuery(client(), DIRECTORIES, 'Group', dsqGroupRow, DSQ_PAGE_SIZE, signal);
    const roles = await directoryQuery(client(), DIRECTORIES, 'roles', dsqRoleRow, DSQ_PAGE_SIZE, signal);
    expect(users.map((u) => u.SystemName)).toEqual(['carol@corp.example', 'alice@corp.example']);
    expect(groups.map((g) => g.DistinguishedName ?? null)).toEqual([
      'CN=PAM-Admins,OU=Groups,DC=corp,DC=example',
      null,
    ]);
    expect(roles.map((r) => r._ID)).toEqual(['sysadmin', 'c3d4e5f6-2222-4333-8444-555566667777']);
  });
});
