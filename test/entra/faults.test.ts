/**
 * Fault matrix: the Entra extractor against the Graph simulator with injected faults. Recoverable faults end in the
 * complete data with exact request counts; unrecoverable ones fail with a SourceError naming source 'entra' and the
 * endpoint, and a next link to another origin is never followed.
 */
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClientOptions, SourceError } from '../../src/http/index.js';
import { type FaultRule, type GraphSimulator, startGraphSimulator } from '../../src/simulator/index.js';
import {
  createEntraClient,
  type EntraSourceConfig,
  type ExtractOptions,
  extractEntra,
} from '../../src/sources/entra/extract.js';
import type { EntraRaw } from '../../src/sources/entra/schemas.js';
import { transformEntra } from '../../src/sources/entra/transform.js';
import { buildEntraTenant, G, OTHER_CLIENT, TENANT_ID } from './fixture.js';
import { countMatching, entraConfig, FAST_HTTP } from './helpers.js';

const tenant = buildEntraTenant();
const entra = tenant.entra!;
const GROUPS = entra.groups.length;
/** Requests of a clean run with the default page size: token, users, groups, one members page per group. */
const BASELINE = 1 + 1 + 1 + GROUPS;
const TOKEN = /^POST \/.*\/oauth2\/v2\.0\/token$/;
const ALL_STAFF_MEMBERS = `/v1.0/groups/${G.allStaff}/members`;

let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({ entra, appRoles: { [OTHER_CLIENT.clientId]: ['User.Read.All'] } });
});
afterEach(() => {
  sim.faults.clear();
  sim.setNextLinkOrigin(null);
});
afterAll(async () => {
  await sim?.close();
});

interface Outcome {
  raw?: EntraRaw;
  error?: SourceError;
  ms: number;
}

async function run(
  rules: FaultRule[] = [],
  opts: { config?: Partial<EntraSourceConfig>; extract?: ExtractOptions; http?: Partial<HttpClientOptions> } = {},
): Promise<Outcome> {
  sim.counters.reset();
  for (const rule of rules) sim.faults.add(rule);
  const config = entraConfig(sim, opts.config);
  const started = performance.now();
  try {
    const raw = await extractEntra(createEntraClient(config, { ...FAST_HTTP, ...opts.http }), config, opts.extract);
    return { raw, ms: performance.now() - started };
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    return { error, ms: performance.now() - started };
  }
}

function expectComplete(outcome: Outcome): void {
  expect(outcome.error).toBeUndefined();
  const raw = outcome.raw!;
  expect(raw.users).toHaveLength(entra.users.length);
  expect(raw.groups).toHaveLength(GROUPS);
  expect(raw.members[G.allStaff]).toHaveLength(106);
  const out = transformEntra(raw);
  expect(out.warnings).toEqual([]);
  const expectedEdges = entra.groups.reduce((n, g) => n + g.members.length, 0);
  expect(out.edges.filter((e) => e.kind === 'MEMBER_OF')).toHaveLength(expectedEdges);
}

describe('recoverable faults', () => {
  it('baseline: a clean run makes exactly the expected requests', async () => {
    const outcome = await run();
    expectComplete(outcome);
    expect(sim.counters.total()).toBe(BASELINE);
  });

  it('429 with an integer Retry-After is waited out', async () => {
    const outcome = await run([
      { match: { path: '/v1.0/users' }, times: 1, kind: 'status429', retryAfter: { seconds: 1 } },
    ]);
    expectComplete(outcome);
    expect(sim.counters.get('GET /v1.0/users')).toBe(2);
    expect(sim.counters.total()).toBe(BASELINE + 1);
    expect(outcome.ms).toBeGreaterThanOrEqual(950);
  });

  it('429 with a fractional Retry-After (0.3 s, twice) is waited out', async () => {
    const outcome = await run([
      { match: { path: ALL_STAFF_MEMBERS }, times: 2, kind: 'status429', retryAfter: { seconds: 0.3 } },
    ]);
    expectComplete(outcome);
    expect(sim.counters.get(`GET ${ALL_STAFF_MEMBERS}`)).toBe(3);
    expect(outcome.ms).toBeGreaterThanOrEqual(570);
    expect(outcome.ms).toBeLessThan(2_500);
  });

  it('429 without Retry-After backs off and retries', async () => {
    const outcome = await run([{ match: { path: '/v1.0/groups' }, times: 3, kind: 'status429' }]);
    expectComplete(outcome);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(4);
  });

  it('a burst of 503s on member requests is retried', async () => {
    const outcome = await run([
      { match: { path: '/v1.0/groups/*/members' }, times: 4, kind: 'status5xx', status: 503 },
    ]);
    expectComplete(outcome);
    expect(sim.counters.total()).toBe(BASELINE + 4);
  });

  it('token expiry mid-extract (expireToken fault): one new token, the request is resent', async () => {
    const outcome = await run([{ match: { path: '/v1.0/groups' }, times: 1, kind: 'expireToken' }]);
    expectComplete(outcome);
    expect(countMatching(sim, TOKEN)).toBe(2);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(2);
  });

  it('every token expiring between phases: parallel member requests share one new token', async () => {
    const outcome = await run([], {
      extract: {
        progress: (e) => {
          if (e.type === 'phase' && e.phase === 'group members') sim.expireAllTokens();
        },
      },
    });
    expectComplete(outcome);
    expect(countMatching(sim, TOKEN)).toBe(2);
  });

  it('malformed JSON once is retried', async () => {
    const outcome = await run([{ match: { path: '/v1.0/users' }, times: 1, kind: 'malformedJson' }]);
    expectComplete(outcome);
    expect(sim.counters.get('GET /v1.0/users')).toBe(2);
  });

  it('a dropped connection is retried', async () => {
    const outcome = await run([{ match: { path: '/v1.0/groups' }, times: 1, kind: 'dropConnection' }]);
    expectComplete(outcome);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(2);
  });

  it('a server that caps page sizes is followed through its nextLinks', async () => {
    const outcome = await run([{ match: { path: '/v1.0/users' }, kind: 'pageSizeCap', max: 10 }]);
    expectComplete(outcome);
    expect(sim.counters.get('GET /v1.0/users')).toBe(4);
  });
});

describe('unrecoverable faults', () => {
  it('persistent 503 gives up after maxAttempts, naming source and endpoint', async () => {
    const outcome = await run([{ match: { path: '/v1.0/users' }, kind: 'status5xx', status: 503 }]);
    expect(outcome.error).toBeInstanceOf(SourceError);
    expect(outcome.error!.message).toMatch(
      /^entra: GET \/v1\.0\/users: HTTP 503 Service Unavailable: serviceNotAvailable.*\(gave up after 5 attempts\)$/,
    );
    expect(sim.counters.get('GET /v1.0/users')).toBe(5);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(0);
  });

  it('a failing member request fails the extraction and names the members endpoint', async () => {
    const outcome = await run([{ match: { path: ALL_STAFF_MEMBERS }, kind: 'status5xx', status: 500 }]);
    expect(outcome.error!.message).toMatch(/^entra: GET \/v1\.0\/groups\/\{id\}\/members: HTTP 500 /);
    expect(outcome.error!.source).toBe('entra');
  });

  it('a nextLink to another origin is refused and the other server receives nothing', async () => {
    const other = await startGraphSimulator({ entra });
    try {
      sim.setNextLinkOrigin(other.graphUrl);
      const outcome = await run([], { extract: { pageSize: 10 } });
      expect(outcome.error).toBeInstanceOf(SourceError);
      expect(outcome.error!.kind).toBe('origin');
      expect(outcome.error!.message).toMatch(
        /^entra: GET \/v1\.0\/users: @odata\.nextLink: refusing to send a request to http:\/\/127\.0\.0\.1:\d+: not an allowed origin/,
      );
      expect(outcome.error!.message).toContain(other.graphUrl);
      expect(other.counters.total()).toBe(0);
      expect(sim.counters.get('GET /v1.0/users')).toBe(1);

      // Not even to the authority, which has the token's origin: the bearer token only goes to Graph.
      sim.setNextLinkOrigin(sim.authorityUrl);
      const again = await run([], { extract: { pageSize: 10 } });
      expect(again.error!.kind).toBe('origin');
      expect(sim.counters.total()).toBe(2); // the token request and the first users page
    } finally {
      await other.close();
    }
  });

  it('a missing required field is a validation error naming the field, not retried', async () => {
    const outcome = await run([{ match: { path: '/v1.0/users' }, kind: 'missingField', field: 'userPrincipalName' }]);
    expect(outcome.error!.kind).toBe('validation');
    expect(outcome.error!.message).toMatch(
      /^entra: GET \/v1\.0\/users: response field value\[0\]\.userPrincipalName: /,
    );
    expect(sim.counters.get('GET /v1.0/users')).toBe(1);
  });

  it('403 Authorization_RequestDenied (no GroupMember.Read.All) is not retried', async () => {
    const outcome = await run([], {
      config: { clientId: OTHER_CLIENT.clientId, clientSecret: OTHER_CLIENT.clientSecret },
    });
    expect(outcome.error).toMatchObject({ kind: 'http', status: 403, code: 'Authorization_RequestDenied' });
    expect(outcome.error!.message).toMatch(
      /^entra: GET \/v1\.0\/groups: HTTP 403 Forbidden: Authorization_RequestDenied/,
    );
    expect(sim.counters.get('GET /v1.0/groups')).toBe(1);
  });

  it('a wrong client secret is an auth error naming the token endpoint; Graph receives nothing', async () => {
    const outcome = await run([], { config: { clientSecret: 'not-the-secret' } });
    expect(outcome.error!.kind).toBe('auth');
    expect(outcome.error!.message).toMatch(
      new RegExp(`^entra: POST /${TENANT_ID}/oauth2/v2\\.0/token: credentials rejected: .*invalid_client`),
    );
    expect(outcome.error!.message).not.toContain('not-the-secret');
    expect(countMatching(sim, /GET \/v1\.0/)).toBe(0);
  });
});

describe('a group deleted while reading (undici MockAgent)', () => {
  it('is skipped with a warning instead of failing the sync', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const graph = agent.get('https://graph.microsoft.com');
    const login = agent.get('https://login.microsoftonline.com');
    const json = { headers: { 'content-type': 'application/json' } };
    const gone = '11111111-1111-4111-8111-111111111111';
    const kept = '22222222-2222-4222-8222-222222222222';
    const user = '33333333-3333-4333-8333-333333333333';
    login
      .intercept({ path: `/${TENANT_ID}/oauth2/v2.0/token`, method: 'POST' })
      .reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'mock-token-value' }, json);
    graph
      .intercept({ path: (p) => p.startsWith('/v1.0/users?'), method: 'GET' })
      .reply(200, { value: [{ id: user, userPrincipalName: 'a@corp.example' }] }, json);
    graph.intercept({ path: (p) => p.startsWith('/v1.0/groups?'), method: 'GET' }).reply(
      200,
      {
        value: [
          { id: gone, displayName: 'Gone' },
          { id: kept, displayName: 'Kept' },
        ],
      },
      json,
    );
    graph
      .intercept({ path: (p) => p.startsWith(`/v1.0/groups/${gone}/members?`), method: 'GET' })
      .reply(404, { error: { code: 'Request_ResourceNotFound', message: `Resource '${gone}' does not exist` } }, json);
    graph.intercept({ path: (p) => p.startsWith(`/v1.0/groups/${kept}/members?`), method: 'GET' }).reply(
      200,
      {
        value: [
          { '@odata.type': '#microsoft.graph.user', id: user },
          { '@odata.type': '#microsoft.graph.device', id: '44444444-4444-4444-8444-444444444444' },
        ],
      },
      json,
    );
    const config = { tenantId: TENANT_ID, clientId: 'app', clientSecret: 'mock-secret' };
    try {
      const raw = await extractEntra(createEntraClient(config, { ...FAST_HTTP, dispatcher: agent }), config);
      expect(raw.groups.map((g) => g.id)).toEqual([kept]);
      expect(raw.warnings).toEqual([`group ${gone} (Gone) was deleted while reading; skipped`]);
      const out = transformEntra(raw);
      expect(out.edges.filter((e) => e.kind === 'MEMBER_OF')).toHaveLength(1);
      expect(out.warnings).toContain(
        'skipped 1 group member(s) that are neither users nor groups: 1 #microsoft.graph.device',
      );
      agent.assertNoPendingInterceptors();
    } finally {
      await agent.close();
    }
  });
});
