import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCyberArkError, parseGraphError } from '../../src/http/api-errors.js';
import { bearerClientCredentials, identityPlatformToken, pasSession, renewalTime } from '../../src/http/auth.js';
import { HttpClient } from '../../src/http/client.js';
import type { SourceError } from '../../src/http/errors.js';
import type { AuthProvider, HttpClientOptions } from '../../src/http/types.js';
import { catchSourceError, errorText, fakeSleep, startServer, type TestServer } from './helpers.js';

const CLIENT_ID = 'svc-arkgraph@corp.example';
const CLIENT_SECRET = 'Sup3r-Secret-Client-Value!';
const PAS_PASSWORD = 'Pa$$w0rd-for-the-vault';
const GRAPH_SECRET = 'graph~secret~value~0123';

/** Every error thrown in this file, checked for secrets at the end. */
const seen: SourceError[] = [];
async function fails(p: Promise<unknown>): Promise<SourceError> {
  const e = await catchSourceError(p);
  seen.push(e);
  return e;
}

// ------------------------------------------------------------------------------------------------------------------
// Scripted servers

const issued: string[] = [];
const valid = new Set<string>();
const state = {
  tokenRequests: 0,
  expiresIn: 900 as number | undefined,
  tokenDelayMs: 0,
  tokenFailures: [] as number[],
};
let lastTokenRequest: { form: Record<string, string>; authorization?: string | undefined; path: string } | undefined;

function issue(prefix: string): string {
  const token = `${prefix}-${issued.length + 1}-0123456789abcdef`;
  issued.push(token);
  valid.add(token);
  return token;
}

function bearerOk(request: FastifyRequest): boolean {
  const h = request.headers.authorization ?? '';
  return h.startsWith('Bearer ') && valid.has(h.slice(7));
}

let idp: TestServer;
let pcloud: TestServer;
let pas: TestServer;
let graph: TestServer;

const pasState = { logons: 0, logoffs: [] as string[], lastLogonBody: undefined as unknown, rejectNext: 0 };

beforeAll(async () => {
  idp = await startServer((app) => {
    const tokenHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      state.tokenRequests++;
      const form = request.body as Record<string, string>;
      lastTokenRequest = { form, authorization: request.headers.authorization, path: request.url };
      if (state.tokenDelayMs) await new Promise((r) => setTimeout(r, state.tokenDelayMs));
      const failure = state.tokenFailures.shift();
      if (failure) return reply.code(failure).send({ message: 'unavailable' });
      if (form.client_id === 'wrong@corp.example') {
        // A hostile/buggy server echoing the secret: it must still never reach a message.
        return reply.code(400).send({
          error: 'invalid_client',
          error_description: `Client authentication failed for secret ${form.client_secret}`,
        });
      }
      if (form.client_id === 'no-token@corp.example') return { token_type: 'Bearer', expires_in: 900 };
      if (form.client_id === 'oauth-200@corp.example')
        return { error: 'unauthorized_client', error_description: 'nope' };
      const body: Record<string, unknown> = { access_token: issue('at'), token_type: 'Bearer' };
      if (state.expiresIn !== undefined) body.expires_in = state.expiresIn;
      return body;
    };
    app.post('/oauth2/platformtoken', tokenHandler);
    app.post('/oauth2/token/:appId', tokenHandler);
    app.get('/api/me', async (request, reply) => {
      if (!bearerOk(request)) return reply.code(401).send({ message: 'unauthorized' });
      return { authorization: request.headers.authorization };
    });
    app.get('/api/revoke-first', async (request, reply) => {
      if (idp.hits('/api/revoke-first') === 1) {
        valid.delete((request.headers.authorization ?? '').slice(7));
        return reply.code(401).send({ message: 'token expired' });
      }
      if (!bearerOk(request)) return reply.code(401).send({ message: 'unauthorized' });
      return { authorization: request.headers.authorization };
    });
    app.get('/api/always401', async (request, reply) =>
      reply.code(401).send({ message: `token ${request.headers.authorization} is not accepted` }),
    );
  });
  pcloud = await startServer((app) => {
    app.get('/PasswordVault/API/Safes', async (request, reply) => {
      if (!bearerOk(request)) return reply.code(401).send({ ErrorCode: 'PASWS013E', ErrorMessage: 'unauthorized' });
      return { value: [{ safeName: 'Linux Prod' }], count: 1 };
    });
  });
  pas = await startServer((app) => {
    app.post('/PasswordVault/API/Auth/:method/Logon', async (request, reply) => {
      pasState.logons++;
      pasState.lastLogonBody = request.body;
      const body = request.body as { username?: string; password?: string };
      if (body.password !== PAS_PASSWORD) {
        return reply
          .code(403)
          .send({ ErrorCode: 'ITATS004E', ErrorMessage: `Authentication failure for User [${body.username}].` });
      }
      const token = issue(`pas-${(request.params as { method: string }).method}`);
      return reply.type('application/json').send(JSON.stringify(token));
    });
    app.post('/PasswordVault/API/Auth/Logoff', async (request) => {
      pasState.logoffs.push(request.headers.authorization ?? '');
      valid.delete(request.headers.authorization ?? '');
      return '';
    });
    app.get('/PasswordVault/API/Safes', async (request, reply) => {
      const h = request.headers.authorization ?? '';
      if (pasState.rejectNext > 0) {
        pasState.rejectNext--;
        valid.delete(h);
      }
      if (!valid.has(h)) return reply.code(401).send({ ErrorCode: 'PASWS013E', ErrorMessage: 'session expired' });
      return { value: [], count: 0, authorization: h };
    });
  });
  graph = await startServer((app) => {
    app.post('/tenant-id/oauth2/v2.0/token', async (request, reply) => {
      const form = request.body as Record<string, string>;
      lastTokenRequest = { form, authorization: request.headers.authorization, path: request.url };
      if (form.client_secret !== GRAPH_SECRET) {
        return reply
          .code(401)
          .send({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret' });
      }
      return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: issue('eyJgraph') };
    });
    let page2 = 0;
    app.get('/v1.0/users', async (request, reply) => {
      if (!bearerOk(request))
        return reply.code(401).send({ error: { code: 'InvalidAuthenticationToken', message: 'x' } });
      if (request.headers.consistencylevel !== 'eventual')
        return reply.code(400).send({ error: { code: 'BadHeader' } });
      const q = request.query as Record<string, string>;
      if (q.$skiptoken === 'p2') {
        if (page2++ === 0) {
          return reply
            .code(429)
            .header('retry-after', '0.25')
            .send({ error: { code: 'TooManyRequests', message: 'Please retry again later.' } });
        }
        return { value: [{ id: 'u2' }] };
      }
      return { value: [{ id: 'u1' }], '@odata.nextLink': `${graph.url}/v1.0/users?$select=id&$skiptoken=p2` };
    });
    app.get('/v1.0/groups/:id', async (_request, reply) =>
      reply.code(404).send({
        error: { code: 'Request_ResourceNotFound', message: "Resource 'x' does not exist", innerError: { date: 'x' } },
      }),
    );
  });
});

afterAll(async () => {
  await Promise.all([idp?.close(), pcloud?.close(), pas?.close(), graph?.close()]);
});

beforeEach(() => {
  state.tokenRequests = 0;
  state.expiresIn = 900;
  state.tokenDelayMs = 0;
  state.tokenFailures = [];
});

function clientFor(
  server: TestServer,
  auth: AuthProvider,
  extra: Partial<HttpClientOptions> = {},
): { http: HttpClient; sleeps: number[] } {
  const { calls, sleep } = fakeSleep();
  const http = new HttpClient({ source: 'identity', baseUrl: server.url, auth, sleep, ...extra });
  return { http, sleeps: calls };
}

const me = z.object({ authorization: z.string() });
const platform = (extra: Partial<Parameters<typeof identityPlatformToken>[0]> = {}) =>
  identityPlatformToken({ identityUrl: idp.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...extra });

// ------------------------------------------------------------------------------------------------------------------

describe('identityPlatformToken', () => {
  it('POSTs form credentials to /oauth2/platformtoken and sends the token as Bearer', async () => {
    const { http } = clientFor(idp, platform(), { headers: { 'X-IDAP-NATIVE-CLIENT': 'true' } });
    const res = await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(res.authorization).toMatch(/^Bearer at-\d+-0123456789abcdef$/);
    expect(lastTokenRequest?.path).toBe('/oauth2/platformtoken');
    expect(lastTokenRequest?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(lastTokenRequest?.authorization).toBeUndefined();
    // cached: a second request needs no new token
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(1);
  });

  it('with oauthAppId: POST /oauth2/token/{appId} with HTTP Basic and scope api', async () => {
    const { http } = clientFor(idp, platform({ oauthAppId: 'Ark Graph App' }));
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(lastTokenRequest?.path).toBe('/oauth2/token/Ark%20Graph%20App');
    expect(lastTokenRequest?.form).toEqual({ grant_type: 'client_credentials', scope: 'api' });
    const basic = Buffer.from((lastTokenRequest?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    expect(basic).toBe(`${CLIENT_ID}:${CLIENT_SECRET}`);
  });

  it('one token serves clients on other origins (Privilege Cloud), fetched from the Identity host', async () => {
    const auth = platform();
    const { http: identity } = clientFor(idp, auth);
    const { http: pc } = clientFor(pcloud, auth, { source: 'privilegecloud' });
    const safes = await pc.request({
      method: 'GET',
      path: '/PasswordVault/API/Safes',
      schema: z.object({ value: z.array(z.object({ safeName: z.string() })), count: z.number() }),
    });
    expect(safes.count).toBe(1);
    await identity.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(1);
    expect(pcloud.received.some((r) => r.includes('oauth2'))).toBe(false);
  });

  it('401 once → the token is invalidated, renewed, and the request succeeds', async () => {
    const { http, sleeps } = clientFor(idp, platform());
    const first = await http.request({ method: 'GET', path: '/api/me', schema: me });
    const res = await http.request({ method: 'GET', path: '/api/revoke-first', schema: me });
    expect(res.authorization).not.toBe(first.authorization);
    expect(state.tokenRequests).toBe(2);
    expect(idp.hits('/api/revoke-first')).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it('401 twice → SourceError kind auth (one renewal only), the echoed token scrubbed', async () => {
    const { http } = clientFor(idp, platform());
    const e = await fails(http.request({ method: 'GET', path: '/api/always401', schema: me }));
    expect(e).toMatchObject({ kind: 'auth', status: 401, attempts: 2, retryable: false });
    expect(e.message).toBe(
      'identity: GET /api/always401: HTTP 401 Unauthorized: token Bearer *** is not accepted ' +
        '(rejected again after renewing the credentials) (after 2 attempts)',
    );
    expect(state.tokenRequests).toBe(2);
    expect(idp.hits('/api/always401')).toBe(2);
  });

  it('a 401 on a request without auth is an auth error at once', async () => {
    const { http } = clientFor(idp, platform());
    const e = await fails(http.request({ method: 'GET', path: '/api/me', schema: me, auth: false }));
    expect(e).toMatchObject({ kind: 'auth', status: 401 });
    expect(state.tokenRequests).toBe(0);
  });

  it('renews renewBeforeSeconds before expiry (injected clock)', async () => {
    let t = 1_700_000_000_000;
    const { http } = clientFor(idp, platform({ now: () => t }));
    const a = await http.request({ method: 'GET', path: '/api/me', schema: me });
    t += 839_000; // 900 s token, renewed at 840 s
    const b = await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(b.authorization).toBe(a.authorization);
    expect(state.tokenRequests).toBe(1);
    t += 2_000;
    const c = await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(c.authorization).not.toBe(a.authorization);
    expect(state.tokenRequests).toBe(2);
  });

  it('renews at half-life when expires_in is shorter than twice the lead', async () => {
    state.expiresIn = 60;
    let t = 0;
    const { http } = clientFor(idp, platform({ now: () => t }));
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    t = 29_000;
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(1);
    t = 30_500;
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(2);
    expect(renewalTime(0, 900, 60)).toBe(840_000);
    expect(renewalTime(0, 60, 60)).toBe(30_000);
    expect(renewalTime(0, 3600, 300)).toBe(3_300_000);
  });

  it('assumes 3600 s when expires_in is absent', async () => {
    state.expiresIn = undefined;
    let t = 0;
    const { http } = clientFor(idp, platform({ now: () => t }));
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    t = 3_539_000;
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(1);
  });

  it('concurrent callers share ONE in-flight token request (even with concurrency 1: no deadlock)', async () => {
    state.tokenDelayMs = 80;
    const auth = platform();
    const { http } = clientFor(idp, auth, { concurrency: 4 });
    const { http: single } = clientFor(idp, auth, { concurrency: 1 });
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => http.request({ method: 'GET', path: '/api/me', schema: me })),
      ...Array.from({ length: 5 }, () => single.request({ method: 'GET', path: '/api/me', schema: me })),
    ]);
    expect(state.tokenRequests).toBe(1);
    expect(new Set(results.map((r) => r.authorization)).size).toBe(1);
  });

  it('invalidate(rejected) keeps a credential that was renewed meanwhile', async () => {
    const auth = platform();
    const { http } = clientFor(idp, auth);
    const a = await auth.authorization(http);
    auth.invalidate('Bearer some-older-token');
    expect(await auth.authorization(http)).toBe(a);
    expect(state.tokenRequests).toBe(1);
    auth.invalidate(a);
    expect(await auth.authorization(http)).not.toBe(a);
    expect(state.tokenRequests).toBe(2);
  });

  it('retries a 503 from the token endpoint', async () => {
    state.tokenFailures = [503];
    const { http, sleeps } = clientFor(idp, platform());
    await http.request({ method: 'GET', path: '/api/me', schema: me });
    expect(state.tokenRequests).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it('an OAuth error body → kind auth naming the endpoint and the error code, not retried', async () => {
    const { http } = clientFor(idp, platform({ clientId: 'wrong@corp.example' }));
    const e = await fails(http.request({ method: 'GET', path: '/api/me', schema: me }));
    expect(e).toMatchObject({
      kind: 'auth',
      status: 400,
      code: 'invalid_client',
      endpoint: 'POST /oauth2/platformtoken',
    });
    expect(e.message).toBe(
      'identity: POST /oauth2/platformtoken: credentials rejected: HTTP 400 Bad Request: invalid_client: ' +
        'Client authentication failed for secret ***',
    );
    expect(state.tokenRequests).toBe(1);
    expect(idp.hits('/api/me')).toBeGreaterThanOrEqual(0);
  });

  it('an OAuth error in a 200 is an auth error too', async () => {
    const { http } = clientFor(idp, platform({ clientId: 'oauth-200@corp.example' }));
    const e = await fails(http.request({ method: 'GET', path: '/api/me', schema: me }));
    expect(e).toMatchObject({ kind: 'auth', code: 'unauthorized_client' });
  });

  it('a token response without access_token → kind validation naming the field', async () => {
    const { http } = clientFor(idp, platform({ clientId: 'no-token@corp.example' }));
    const e = await fails(http.request({ method: 'GET', path: '/api/me', schema: me }));
    expect(e.message).toBe(
      'identity: POST /oauth2/platformtoken: response field access_token: expected string, received undefined',
    );
  });

  it('rejects a plain-http identity URL that is not loopback', () => {
    expect(() =>
      identityPlatformToken({ identityUrl: 'http://abc1234.id.cyberark.cloud', clientId: 'a', clientSecret: 'b' }),
    ).toThrow(/^identity: identityUrl: identityUrl http:\/\/abc1234\.id\.cyberark\.cloud is not allowed/);
  });
});

describe('pasSession', () => {
  it('logs on, uses the JSON-string token RAW (no Bearer) and logs off', async () => {
    const auth = pasSession({ pvwaUrl: pas.url, username: 'svc_reader', password: PAS_PASSWORD });
    const { http } = clientFor(pas, auth, { source: 'pas' });
    const res = await http.request({
      method: 'GET',
      path: '/PasswordVault/API/Safes',
      schema: z.object({ count: z.number(), authorization: z.string() }),
    });
    expect(res.authorization).toMatch(/^pas-CyberArk-\d+-0123456789abcdef$/);
    expect(pasState.lastLogonBody).toEqual({ username: 'svc_reader', password: PAS_PASSWORD, concurrentSession: true });
    await auth.close?.();
    expect(pasState.logoffs).toEqual([res.authorization]);
    await auth.close?.(); // idempotent, best effort
    expect(pasState.logoffs).toHaveLength(1);
  });

  it('uses the configured method (LDAP) and logs on again once after a 401', async () => {
    pasState.rejectNext = 1;
    const logonsBefore = pasState.logons;
    const auth = pasSession({ pvwaUrl: pas.url, username: 'svc_reader', password: PAS_PASSWORD, method: 'LDAP' });
    const { http } = clientFor(pas, auth, { source: 'pas' });
    const res = await http.request({
      method: 'GET',
      path: '/PasswordVault/API/Safes',
      schema: z.object({ authorization: z.string() }),
    });
    expect(res.authorization).toMatch(/^pas-LDAP-/);
    expect(pasState.logons - logonsBefore).toBe(2);
    await auth.close?.();
  });

  it('a rejected logon → kind auth with the PAS ErrorCode; the password never appears', async () => {
    const auth = pasSession({ pvwaUrl: pas.url, username: 'svc_reader', password: 'wrong-password-value' });
    const { http } = clientFor(pas, auth, { source: 'pas', parseApiError: parseCyberArkError });
    const e = await fails(http.request({ method: 'GET', path: '/PasswordVault/API/Safes', schema: z.unknown() }));
    expect(e).toMatchObject({ kind: 'auth', status: 403, code: 'ITATS004E' });
    expect(e.message).toBe(
      'pas: POST /PasswordVault/API/Auth/CyberArk/Logon: credentials rejected: HTTP 403 Forbidden: ITATS004E: ' +
        'Authentication failure for User [svc_reader].',
    );
  });
});

describe('bearerClientCredentials (Microsoft identity platform style)', () => {
  const graphAuth = (secret = GRAPH_SECRET) =>
    bearerClientCredentials({
      tokenUrl: `${graph.url}/tenant-id/oauth2/v2.0/token`,
      clientId: 'app-id',
      clientSecret: secret,
      scope: 'https://graph.microsoft.com/.default',
    });

  it('gets a token, follows @odata.nextLink verbatim, resends headers and honours a fractional Retry-After', async () => {
    const { http, sleeps } = clientFor(graph, graphAuth(), { source: 'entra', parseApiError: parseGraphError });
    const pageSchema = z.object({
      value: z.array(z.object({ id: z.string() })),
      '@odata.nextLink': z.string().optional(),
    });
    const ids: string[] = [];
    let next: string | undefined = '/v1.0/users?$select=id';
    let current = graph.url;
    while (next) {
      const url = http.resolveLink(next, current);
      const page = await http.request({
        method: 'GET',
        path: url.href,
        endpoint: 'GET /v1.0/users',
        headers: { ConsistencyLevel: 'eventual' },
        schema: pageSchema,
      });
      ids.push(...page.value.map((u) => u.id));
      current = url.href;
      next = page['@odata.nextLink'];
    }
    expect(ids).toEqual(['u1', 'u2']);
    expect(sleeps).toEqual([250]);
    expect(lastTokenRequest?.form).toEqual({
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      client_id: 'app-id',
      client_secret: GRAPH_SECRET,
    });
    expect(graph.received).toContain('GET /v1.0/users?$select=id&$skiptoken=p2');
  });

  it('Graph errors are reported by error.code', async () => {
    const { http } = clientFor(graph, graphAuth(), { source: 'entra', parseApiError: parseGraphError });
    const e = await fails(http.request({ method: 'GET', path: '/v1.0/groups/x', schema: z.unknown() }));
    expect(e).toMatchObject({ kind: 'http', status: 404, code: 'Request_ResourceNotFound' });
    expect(e.message).toBe(
      "entra: GET /v1.0/groups/x: HTTP 404 Not Found: Request_ResourceNotFound: Resource 'x' does not exist",
    );
  });

  it('a bad client secret → kind auth with the AADSTS description', async () => {
    const { http } = clientFor(graph, graphAuth('bad-graph-secret-value'), { source: 'entra' });
    const e = await fails(http.request({ method: 'GET', path: '/v1.0/users', schema: z.unknown() }));
    expect(e).toMatchObject({ kind: 'auth', status: 401, code: 'invalid_client' });
    expect(e.message).toContain('entra: POST /tenant-id/oauth2/v2.0/token: ');
    expect(e.message).toContain('AADSTS7000215');
  });
});

describe('secrets', () => {
  it('no secret, password, token or Basic credential appears in any error message, stack or cause', () => {
    expect(seen.length).toBeGreaterThanOrEqual(8);
    expect(issued.length).toBeGreaterThan(5);
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const forbidden = [CLIENT_SECRET, PAS_PASSWORD, GRAPH_SECRET, 'wrong-password-value', basic, ...issued];
    for (const e of seen) {
      const text = errorText(e);
      for (const secret of forbidden) expect(text, e.message).not.toContain(secret);
      expect(text).not.toMatch(/Bearer (?!\*\*\*)\S/);
    }
  });
});
