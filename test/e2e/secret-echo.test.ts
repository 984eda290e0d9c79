/**
 * A client secret that a token endpoint echoes back URL-encoded (issue 15, item 3) appears nowhere: not on stderr,
 * not in sync-runs.json, not in GET /api/v1/sync/runs. Every encoding of every secret is scrubbed (raw,
 * URL/form-encoded, JSON-escaped, Basic base64), and credential query parameters in logged URLs are redacted.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { encodingsOf, registerSecret, scrubSecrets } from '../../src/secrets.js';
import { startApiHarness } from '../api/helpers.js';
import { startServer, type TestServer } from '../http/helpers.js';
import { runCliProcess } from '../support/cli.js';

const SECRET = 'ab+c/d=e-secret';
const CLIENT_ID = 'arkgraph-reader@acme';
/** Every form of the secret the issue names, and the ones a server could also echo. */
const FORMS = [
  SECRET,
  encodeURIComponent(SECRET), // ab%2Bc%2Fd%3De-secret
  encodeURIComponent(SECRET).toLowerCase(),
  JSON.stringify(SECRET).slice(1, -1),
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64'),
];

function expectClean(text: string, where: string) {
  for (const form of FORMS) expect(text, `${where} holds ${form}`).not.toContain(form);
}

/** An Identity token endpoint that echoes the request body, and its Basic header, in a 400. */
async function echoingTokenEndpoint(): Promise<TestServer> {
  return startServer((app) => {
    app.removeContentTypeParser('application/x-www-form-urlencoded');
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
      done(null, body),
    );
    app.post('/oauth2/platformtoken', async (request, reply) =>
      reply.code(400).send({
        error: 'invalid_request',
        error_description: `could not parse ${String(request.body)} (authorization: ${request.headers.authorization ?? 'none'})`,
      }),
    );
    app.post('/oauth2/token/:app', async (request, reply) =>
      reply.code(400).send(`bad request ${String(request.body)} with ${request.headers.authorization}`),
    );
  });
}

describe('a secret echoed back in its encodings', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await echoingTokenEndpoint();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-echo-'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the CLI: nothing on stderr or stdout, nothing in sync-runs.json', async () => {
    for (const appId of [undefined, 'arkgraph']) {
      const env = {
        PATH: process.env.PATH ?? '',
        ARKGRAPH_IDENTITY_URL: server.url,
        ARKGRAPH_PCLOUD_URL: server.url,
        ARKGRAPH_CLIENT_ID: CLIENT_ID,
        ARKGRAPH_CLIENT_SECRET: SECRET,
        ARKGRAPH_DATA_DIR: path.join(dir, appId ?? 'platform'),
        ARKGRAPH_LOG_LEVEL: 'debug',
        ...(appId ? { ARKGRAPH_OAUTH_APP_ID: appId } : {}),
      };
      const run = await runCliProcess(['sync'], env);
      expect(run.code).toBe(3); // a source failed
      expect(run.stderr).toMatch(/identity/);
      expectClean(run.stdout + run.stderr, `CLI output (${appId ?? 'platformtoken'})`);
      const runs = await readFile(path.join(env.ARKGRAPH_DATA_DIR, 'sync-runs.json'), 'utf8');
      expect(runs).toContain('failed');
      expectClean(runs, 'sync-runs.json');
    }
  }, 60_000);

  it('the API: nothing in GET /api/v1/sync/runs or the server log', async () => {
    const h = await startApiHarness({
      initialSync: false,
      fastRunner: true,
      env: { ARKGRAPH_IDENTITY_URL: server.url, ARKGRAPH_PCLOUD_URL: server.url, ARKGRAPH_CLIENT_SECRET: SECRET },
    });
    try {
      const started = await h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
      expect(started.statusCode).toBeLessThan(300);
      let body = '';
      for (let i = 0; i < 100 && !body.includes('failed'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = (await h.get('/api/v1/sync/runs', 'reader')).body;
      }
      expect(body).toContain('failed');
      expectClean(body, 'GET /api/v1/sync/runs');
      expectClean(h.logs(), 'the API log');
      // A request URL carrying a credential parameter is logged with its value redacted.
      await h.get('/api/v1/safes?access_token=abcdef123456&client_secret=zzzz9999', 'reader');
      expect(h.logs()).not.toContain('abcdef123456');
      expect(h.logs()).not.toContain('zzzz9999');
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe('scrubbing', () => {
  it('covers the raw, URL, form, JSON and base64 forms of a registered secret', () => {
    registerSecret('p@ss w"rd+/=!');
    const forms = encodingsOf('p@ss w"rd+/=!');
    expect(forms).toEqual(
      expect.arrayContaining(['p%40ss%20w%22rd%2B%2F%3D!', 'p%40ss+w%22rd%2B%2F%3D%21', 'p@ss w\\"rd+/=!']),
    );
    for (const form of forms) expect(scrubSecrets(`x ${form} y`)).toBe('x *** y');
  });

  it('redacts credential parameters whatever their value', () => {
    expect(scrubSecrets('GET /x?access_token=abc.def&limit=5&client_secret=s3cr3t')).toBe(
      'GET /x?access_token=***&limit=5&client_secret=***',
    );
  });

  it('the logger scrubs each line as written, keeping what the serializers give (an Error, a request)', () => {
    registerSecret('log-secret-value');
    let out = '';
    const log = createLogger('info', { write: (line: string) => (out += line) });
    log.info({ err: { message: 'failed with log-secret-value' }, url: '/a?token=qwerty' }, 'echo: log-secret-value');
    log.error({ err: new Error('boom log-secret-value') }, 'failed');
    log.info({ req: { method: 'GET', url: '/x?access_token=zzz123' } }, 'incoming');
    expect(out).not.toContain('log-secret-value');
    expect(out).not.toContain('qwerty');
    expect(out).not.toContain('zzz123');
    // The Error keeps its type and (scrubbed) message; the request its method and URL.
    expect(out).toContain('"err":{"type":"Error","message":"boom ***"');
    expect(out).toContain('"req":{"method":"GET","url":"/x?access_token=***"}');
  });

  it('covers JSON escapes servers write: \\/, \\uXXXX as .NET writes them, and credential members', () => {
    registerSecret('ab+c/d=e-json');
    for (const echoed of ['ab\\u002Bc/d=e-json', 'ab+c\\/d=e-json', 'ab\\u002bc\\u002fd\\u003de\\u002djson']) {
      expect(scrubSecrets(`{"error":"bad ${echoed}"}`), echoed).toBe('{"error":"bad ***"}');
    }
    expect(scrubSecrets('{"client_secret": "unregistered-value", "grant_type":"client_credentials"}')).toBe(
      '{"client_secret": "***", "grant_type":"client_credentials"}',
    );
  });

  it('keeps configured credentials however many tokens come after them', () => {
    registerSecret('configured-api-token-value');
    for (let i = 0; i < 600; i++) registerSecret(`obtained-token-${i}-xxxxxxxx`, 'token');
    expect(scrubSecrets('x configured-api-token-value y')).toBe('x *** y');
    expect(scrubSecrets('obtained-token-599-xxxxxxxx')).toBe('***');
  });
});
