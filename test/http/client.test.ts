import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCyberArkError, pcloudRetryableBody } from '../../src/http/api-errors.js';
import { HttpClient } from '../../src/http/client.js';
import { SourceError } from '../../src/http/errors.js';
import { identityEnvelope, redrockResult } from '../../src/http/identity.js';
import type { HttpClientOptions, RequestEvent } from '../../src/http/types.js';
import { catchSourceError, fakeSleep, startServer, type TestServer } from './helpers.js';

const okSchema = z.object({ ok: z.literal(true) });

let server: TestServer;
let other: TestServer;

/** Route that answers with `failures[i]` on hit i, then 200 {ok:true}. */
type Scripted = (reply: import('fastify').FastifyReply, request: import('fastify').FastifyRequest) => unknown;

beforeAll(async () => {
  other = await startServer((app) => {
    app.all('/*', async () => ({ stolen: true }));
  });
  server = await startServer((app) => {
    const scripted = (path: string, failures: Scripted[]) => {
      let n = 0;
      app.get(path, async (request, reply) => {
        const f = failures[n++];
        if (f) return f(reply, request);
        return { ok: true };
      });
    };
    const retryAfter =
      (value: string | undefined, status = 429) =>
      (reply: import('fastify').FastifyReply) => {
        if (value !== undefined) reply.header('retry-after', value);
        return reply.code(status).send({ message: 'Too Many Requests' });
      };
    scripted('/r429/seconds', [retryAfter('2')]);
    scripted('/r429/fraction', [retryAfter('2.128')]);
    scripted('/r429/date', [retryAfter(new Date(Date.now() + 5000).toUTCString())]);
    scripted('/r429/absent', [retryAfter(undefined), retryAfter(undefined)]);
    scripted('/r429/cap', [retryAfter('3600')]);
    scripted('/r503/retry-after', [retryAfter('1.5', 503)]);
    scripted('/burst', [
      (r) => r.code(503).send({ message: 'busy' }),
      (r) => r.code(502).send('Bad gateway'),
      (r) => r.code(500).send({ ErrorCode: 'X', ErrorMessage: 'boom' }),
    ]);
    app.get('/always503', async (_req, reply) => reply.code(503).send({ ErrorCode: 'SVC', ErrorMessage: 'down' }));
    app.get('/PasswordVault/API/Safes/missing', async (_req, reply) =>
      reply.code(404).send({ ErrorCode: 'PASWS027E', ErrorMessage: 'Safe not found' }),
    );
    app.get('/bad-request', async (_req, reply) =>
      reply.code(400).send({ ErrorCode: 'PASWS167E', ErrorMessage: 'bad' }),
    );
    app.get('/forbidden', async (_req, reply) => reply.code(403).send({ ErrorCode: 'PASWS011E', ErrorMessage: 'no' }));
    const drop: Scripted = (reply, request) => {
      reply.hijack();
      request.raw.socket.destroy();
    };
    scripted('/drop', [drop]);
    app.get('/drop-always', async (request, reply) => drop(reply, request));
    scripted('/slow', [
      async (reply) => new Promise((resolve) => setTimeout(() => resolve(reply.send({ ok: true })), 1500)),
    ]);
    app.get('/stalled-body', async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/json' });
      reply.raw.write('{"ok":');
    });
    const malformed: Scripted = (reply) => reply.type('application/json').send('{"ok": tr');
    scripted('/malformed-once', [malformed]);
    app.get('/malformed-always', async (_req, reply) => malformed(reply, _req));
    app.get('/html', async (_req, reply) => reply.type('text/html').send('<html><body>login</body></html>'));
    app.post('/Redrock/query', async () => ({
      success: true,
      Result: {
        IsAggregate: false,
        Count: 2,
        FullCount: 2,
        Columns: [{ Name: 'ID' }],
        Results: [
          { Entities: [{ Type: 'User', Key: 'a', IsForeignKey: false }], Row: { ID: 'a' } },
          { Entities: [{ Type: 'User', Key: 'b', IsForeignKey: false }], Row: { ID: 42 } },
        ],
        ReturnID: '',
      },
      Message: null,
      ErrorID: null,
    }));
    let inflight = 0;
    let maxInflight = 0;
    app.get('/inflight', async () => {
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      await new Promise((r) => setTimeout(r, 30));
      inflight--;
      return { ok: true, maxInflight };
    });
    app.get('/inflight/max', async () => ({ max: maxInflight }));
    app.get('/page1', async () => ({ value: [1], '@odata.nextLink': `${other.url}/v1.0/users?$skiptoken=abc` }));
    app.get('/redirect', async (_req, reply) => reply.redirect(`${other.url}/steal`, 302));
    let busy = 0;
    app.get('/pcloud-busy', async (_req, reply) => {
      if (busy++ === 0) return reply.code(500).send({ ErrorCode: 'ITADM111E', ErrorMessage: 'busy' });
      return { ok: true };
    });
    let busy200 = 0;
    app.get('/pcloud-busy-200', async () => {
      if (busy200++ === 0) return { ErrorCode: 'SRAPIE0006', ErrorMessage: 'try later' };
      return { ok: true };
    });
    app.get('/echo', async (request) => ({ url: request.url, headers: request.headers }));
    app.post('/echo', async (request) => ({ url: request.url, headers: request.headers, body: request.body }));
    app.get('/text', async (_req, reply) => reply.type('text/plain').send('893'));
    app.get('/bom', async (_req, reply) => reply.type('application/json').send('\uFEFF{"ok":true}'));
    app.get('/empty', async (_req, reply) => reply.code(204).send());
  });
});

afterAll(async () => {
  await server?.close();
  await other?.close();
});

function client(overrides: Partial<HttpClientOptions> = {}): {
  http: HttpClient;
  sleeps: number[];
  events: RequestEvent[];
} {
  const { calls, sleep } = fakeSleep();
  const events: RequestEvent[] = [];
  const http = new HttpClient({
    source: 'privilegecloud',
    baseUrl: server.url,
    sleep,
    onRequest: (e) => events.push(e),
    backoff: { baseMs: 100, maxMs: 1000 },
    retryAfterCapMs: 10_000,
    ...overrides,
  });
  return { http, sleeps: calls, events };
}

describe('429 and Retry-After', () => {
  it('honours Retry-After in integer seconds', async () => {
    const { http, sleeps } = client();
    await expect(http.request({ method: 'GET', path: '/r429/seconds', schema: okSchema })).resolves.toEqual({
      ok: true,
    });
    expect(sleeps).toEqual([2000]);
    expect(server.hits('/r429/seconds')).toBe(2);
  });

  it('honours fractional Retry-After (Graph sends 2.128)', async () => {
    const { http, sleeps } = client();
    await http.request({ method: 'GET', path: '/r429/fraction', schema: okSchema });
    expect(sleeps).toEqual([2128]);
  });

  it('honours Retry-After as an HTTP-date', async () => {
    const { http, sleeps } = client();
    await http.request({ method: 'GET', path: '/r429/date', schema: okSchema });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(2500);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('backs off exponentially with full jitter when Retry-After is absent', async () => {
    const { http, sleeps } = client();
    await http.request({ method: 'GET', path: '/r429/absent', schema: okSchema });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThan(100);
    expect(sleeps[1]).toBeLessThan(200);
  });

  it('caps an over-long Retry-After', async () => {
    const { http, sleeps } = client({ retryAfterCapMs: 1234 });
    await http.request({ method: 'GET', path: '/r429/cap', schema: okSchema });
    expect(sleeps).toEqual([1234]);
  });

  it('honours Retry-After on 503 as well', async () => {
    const { http, sleeps } = client();
    await http.request({ method: 'GET', path: '/r503/retry-after', schema: okSchema });
    expect(sleeps).toEqual([1500]);
  });
});

describe('5xx, network errors, timeouts', () => {
  it('retries a 503/502/500 burst then succeeds, reporting every attempt', async () => {
    const { http, events, sleeps } = client();
    await expect(http.request({ method: 'GET', path: '/burst', schema: okSchema })).resolves.toEqual({ ok: true });
    expect(events.map((e) => [e.attempt, e.status])).toEqual([
      [1, 503],
      [2, 502],
      [3, 500],
      [4, 200],
    ]);
    expect(events.every((e) => e.endpoint === 'GET /burst' && e.method === 'GET' && e.ms >= 0)).toBe(true);
    expect(sleeps).toHaveLength(3);
  });

  it('gives up after maxAttempts and says how many attempts and the last cause', async () => {
    const { http } = client({ maxAttempts: 3 });
    const e = await catchSourceError(http.request({ method: 'GET', path: '/always503', schema: okSchema }));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(503);
    expect(e.retryable).toBe(true);
    expect(e.attempts).toBe(3);
    expect(e.code).toBe('SVC');
    expect(e.message).toBe(
      'privilegecloud: GET /always503: HTTP 503 Service Unavailable: SVC: down (gave up after 3 attempts)',
    );
    expect(server.hits('/always503')).toBe(3);
  });

  it('never retries 400, 403 or 404, and parses the PAS error body', async () => {
    const { http, sleeps } = client({ parseApiError: parseCyberArkError });
    const e404 = await catchSourceError(
      http.request({ method: 'GET', path: '/PasswordVault/API/Safes/missing', schema: okSchema }),
    );
    expect(e404.message).toBe(
      'privilegecloud: GET /PasswordVault/API/Safes/missing: HTTP 404 Not Found: PASWS027E: Safe not found',
    );
    expect(e404).toMatchObject({ kind: 'http', status: 404, code: 'PASWS027E', retryable: false });
    const e400 = await catchSourceError(http.request({ method: 'GET', path: '/bad-request', schema: okSchema }));
    const e403 = await catchSourceError(http.request({ method: 'GET', path: '/forbidden', schema: okSchema }));
    expect([e400.status, e403.status]).toEqual([400, 403]);
    expect(server.hits('/PasswordVault/API/Safes/missing')).toBe(1);
    expect(server.hits('/bad-request')).toBe(1);
    expect(server.hits('/forbidden')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a dropped connection', async () => {
    const { http, events } = client();
    await expect(http.request({ method: 'GET', path: '/drop', schema: okSchema })).resolves.toEqual({ ok: true });
    expect(events.map((e) => e.status)).toEqual([undefined, 200]);
  });

  it('reports a network error after the last attempt', async () => {
    const { http } = client({ maxAttempts: 2 });
    const e = await catchSourceError(http.request({ method: 'GET', path: '/drop-always', schema: okSchema }));
    expect(e.kind).toBe('network');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/^privilegecloud: GET \/drop-always: network error: .*\(gave up after 2 attempts\)$/);
  });

  it('times out a slow response, then succeeds on the retry', async () => {
    const { http, events } = client({ timeoutMs: 250 });
    const started = Date.now();
    await expect(http.request({ method: 'GET', path: '/slow', schema: okSchema })).resolves.toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(1400);
    expect(events.map((e) => e.status)).toEqual([undefined, 200]);
    expect(events[0]?.ms).toBeGreaterThanOrEqual(200);
  });

  it('times out a response whose body stalls (the timeout covers headers + body)', async () => {
    const { http } = client({ timeoutMs: 200, maxAttempts: 2 });
    const e = await catchSourceError(http.request({ method: 'GET', path: '/stalled-body', schema: okSchema }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe(
      'privilegecloud: GET /stalled-body: no complete response within 200 ms (gave up after 2 attempts)',
    );
  });

  it('fails at once when the first connection is refused (wrong URL or port)', async () => {
    const closed = await startServer(() => {});
    const url = closed.url;
    await closed.close();
    const { http, sleeps } = client({ baseUrl: url });
    const e = await catchSourceError(http.request({ method: 'GET', path: '/x', schema: okSchema }));
    expect(e.kind).toBe('network');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('connection refused');
    expect(sleeps).toEqual([]);
  });
});

describe('response bodies', () => {
  it('retries malformed JSON in a 200 (truncated transfer) and succeeds', async () => {
    const { http } = client();
    await expect(http.request({ method: 'GET', path: '/malformed-once', schema: okSchema })).resolves.toEqual({
      ok: true,
    });
    expect(server.hits('/malformed-once')).toBe(2);
  });

  it('fails malformed JSON with kind validation naming the endpoint, never quoting the body', async () => {
    const { http } = client({ maxAttempts: 3 });
    const e = await catchSourceError(http.request({ method: 'GET', path: '/malformed-always', schema: okSchema }));
    expect(e.kind).toBe('validation');
    expect(e.message).toMatch(/^privilegecloud: GET \/malformed-always: response is not valid JSON/);
    expect(e.message).toContain('gave up after 3 attempts');
    expect(e.message).not.toContain('"ok": tr');
  });

  it('does not retry an HTML page in place of JSON', async () => {
    const { http } = client();
    const e = await catchSourceError(http.request({ method: 'GET', path: '/html', schema: okSchema }));
    expect(e.kind).toBe('validation');
    expect(e.message).toBe('privilegecloud: GET /html: expected a JSON response, received text/html');
    expect(server.hits('/html')).toBe(1);
  });

  it('validation errors name the source, the endpoint and the field path', async () => {
    const { http } = client({ source: 'identity' });
    const e = await catchSourceError(
      http.request({
        method: 'POST',
        path: '/Redrock/query',
        json: { Script: 'Select ID from User' },
        schema: identityEnvelope(redrockResult(z.object({ ID: z.string() }))),
      }),
    );
    expect(e.message).toBe(
      'identity: POST /Redrock/query: response field Result.Results[1].Row.ID: expected string, received number',
    );
    expect(e).toMatchObject({ kind: 'validation', field: 'Result.Results[1].Row.ID', source: 'identity' });
    expect(e.endpoint).toBe('POST /Redrock/query');
  });

  it('retries Privilege Cloud transient body codes (ITADM111E on a 500, SRAPIE0006 on a 200)', async () => {
    const { http } = client({ isRetryableBody: pcloudRetryableBody });
    await expect(http.request({ method: 'GET', path: '/pcloud-busy', schema: okSchema })).resolves.toEqual({
      ok: true,
    });
    await expect(http.request({ method: 'GET', path: '/pcloud-busy-200', schema: okSchema })).resolves.toEqual({
      ok: true,
    });
    expect(server.hits('/pcloud-busy-200')).toBe(2);
  });

  it('validates raw text with expectText, and an empty 204 as undefined', async () => {
    const { http } = client();
    await expect(
      http.request({ method: 'GET', path: '/text', expectText: true, schema: z.string().regex(/^\d+$/) }),
    ).resolves.toBe('893');
    await expect(http.request({ method: 'GET', path: '/empty', schema: z.undefined() })).resolves.toBeUndefined();
    await expect(http.request({ method: 'GET', path: '/bom', schema: okSchema })).resolves.toEqual({ ok: true });
  });
});

describe('requests', () => {
  it('joins paths onto the base path, encodes the query and drops undefined values', async () => {
    const { http } = client();
    const res = await http.request({
      method: 'GET',
      path: '/echo',
      query: { filter: 'safeName eq Linux Prod', $select: 'id,displayName', limit: 50, skip: undefined, x: true },
      schema: z.object({ url: z.string() }),
    });
    expect(res.url).toBe('/echo?filter=safeName%20eq%20Linux%20Prod&$select=id,displayName&limit=50&x=true');
  });

  it('sends default, per-request, JSON and form headers and bodies', async () => {
    const { http } = client({ headers: { 'X-IDAP-NATIVE-CLIENT': 'true' } });
    const schema = z.object({ headers: z.record(z.string(), z.unknown()), body: z.unknown() });
    const json = await http.request({
      method: 'POST',
      path: '/echo',
      json: { a: 1 },
      headers: { 'X-Extra': '1' },
      schema,
    });
    expect(json.headers['x-idap-native-client']).toBe('true');
    expect(json.headers['x-extra']).toBe('1');
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.body).toEqual({ a: 1 });
    const form = await http.request({ method: 'POST', path: '/echo', form: { a: 'x y', b: '&' }, schema });
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.body).toEqual({ a: 'x y', b: '&' });
  });

  it('never has more requests in flight than the concurrency limit', async () => {
    const { http } = client({ concurrency: 3 });
    await Promise.all(
      Array.from({ length: 12 }, () => http.request({ method: 'GET', path: '/inflight', schema: z.unknown() })),
    );
    const { max } = await http.request({ method: 'GET', path: '/inflight/max', schema: z.object({ max: z.number() }) });
    expect(max).toBe(3);
  });
});

describe('origins and configuration', () => {
  it('refuses an absolute URL on another origin and sends nothing', async () => {
    const { http } = client();
    const before = other.received.length;
    const e = await catchSourceError(http.request({ method: 'GET', path: `${other.url}/x`, schema: z.unknown() }));
    expect(e.kind).toBe('origin');
    expect(e.message).toContain(`refusing to send a request to ${other.url}`);
    expect(other.received.length).toBe(before);
  });

  it('refuses a nextLink to another origin: the other server receives NOTHING', async () => {
    const { http } = client({ source: 'entra' });
    const before = other.received.length;
    const page = await http.request({
      method: 'GET',
      path: '/page1',
      schema: z.object({ value: z.array(z.number()), '@odata.nextLink': z.string().optional() }),
    });
    const link = page['@odata.nextLink'];
    expect(link).toBeDefined();
    const e = (() => {
      try {
        http.resolveLink(link ?? '', `${server.url}/page1`);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).kind).toBe('origin');
    expect((e as SourceError).message).toMatch(
      /^entra: nextLink: refusing to send a request to http:\/\/127\.0\.0\.1:/,
    );
    expect((e as SourceError).message).not.toContain('skiptoken');
    // and going around resolveLink does not help either
    await expect(http.request({ method: 'GET', path: link ?? '', schema: z.unknown() })).rejects.toMatchObject({
      kind: 'origin',
    });
    expect(other.received.length).toBe(before);
  });

  it('resolves a relative PCloud nextLink against /PasswordVault/', () => {
    const { http } = client();
    const url = http.resolveLink('API/Safes?offset=25&limit=25&useCache=False', '/PasswordVault/');
    expect(url.href).toBe(`${server.url}/PasswordVault/API/Safes?offset=25&limit=25&useCache=False`);
  });

  it('allows explicitly allowed extra origins', async () => {
    const { http } = client({ allowedOrigins: [server.url, other.url] });
    await expect(http.request({ method: 'GET', path: `${other.url}/ok`, schema: z.unknown() })).resolves.toEqual({
      stolen: true,
    });
  });

  it('does not follow redirects (the redirect target receives nothing)', async () => {
    const { http } = client();
    const before = other.received.length;
    const e = await catchSourceError(http.request({ method: 'GET', path: '/redirect', schema: z.unknown() }));
    expect(e).toMatchObject({ kind: 'http', status: 302, retryable: false });
    expect(e.message).toContain('redirects are not followed');
    expect(e.message).not.toContain('/steal');
    expect(other.received.length).toBe(before);
  });

  it('requires https unless the host is loopback', () => {
    const make = (baseUrl: string, allowedOrigins?: string[]) => () =>
      new HttpClient({ source: 'identity', baseUrl, ...(allowedOrigins ? { allowedOrigins } : {}) });
    for (const bad of ['http://abc1234.id.cyberark.cloud', 'http://127.0.0.1.nip.io', 'ftp://localhost', 'not a url']) {
      let err: unknown;
      try {
        make(bad)();
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(SourceError);
      expect((err as SourceError).kind, bad).toBe('config');
      expect((err as SourceError).message, bad).toMatch(/^identity: baseUrl: /);
    }
    expect(() => make('https://abc1234.id.cyberark.cloud', ['http://evil.example'])()).toThrow(
      /identity: allowedOrigins: allowedOrigins http:\/\/evil\.example is not allowed: https is required/,
    );
    for (const good of [
      'https://abc1234.id.cyberark.cloud',
      'http://localhost:1',
      'http://127.9.9.9:80',
      'http://[::1]:8080',
    ]) {
      expect(make(good), good).not.toThrow();
    }
  });
});
