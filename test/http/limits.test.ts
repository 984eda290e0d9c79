/**
 * Oversized answers (issue 15, item 8): a response body past maxResponseBytes, declared or streamed, fails the
 * request naming the endpoint, without retries; a value far longer than any real one (a 1 MB safe name) fails the
 * sync at extraction, naming the field, and leaves the previous graph unchanged.
 */
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient } from '../../src/http/index.js';
import { SyncFailedError } from '../../src/sync/run.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type Harness, startHarness } from '../e2e/helpers.js';
import { catchSourceError, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const big = JSON.stringify({ value: 'x'.repeat(2 * 1024 * 1024) });

describe('response body size', () => {
  it('a body past maxResponseBytes fails once, by Content-Length or while streaming', async () => {
    server = await startServer((app) => {
      app.get('/declared', async (_r, reply) => reply.header('content-type', 'application/json').send(big));
      app.get('/streamed', async (_r, reply) =>
        reply.header('content-type', 'application/json').send(Readable.from([big.slice(0, 1e6), big.slice(1e6)])),
      );
      app.get('/small', async () => ({ value: 'ok' }));
    });
    const client = new HttpClient({ source: 'test', baseUrl: server.url, maxResponseBytes: 1024 * 1024 });
    const schema = z.object({ value: z.string() });
    for (const path of ['/declared', '/streamed']) {
      const e = await catchSourceError(client.request({ method: 'GET', path, schema }));
      expect(e.message).toMatch(new RegExp(`test: GET ${path}: response body of .* exceeds the 1048576 bytes allowed`));
      expect(server.hits(path)).toBe(1); // not retried
    }
    expect(await client.request({ method: 'GET', path: '/small', schema })).toEqual({ value: 'ok' });
  });
});

describe('a value no real tenant sends', () => {
  const tenant = generateTenant('small', 16);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(tenant);
    expect((await h.sync()).status).toBe('completed');
  });
  afterAll(async () => h?.close());

  it('a 1 MB safe name fails the sync at extraction, naming the field; the previous graph answers', async () => {
    const safe = tenant.privilegeCloud.safes[3]!;
    const before = (await h.store.stats()).nodes.Safe;
    const original = safe.name;
    const huge = `${original}${'x'.repeat(1024 * 1024)}`;
    safe.name = huge;
    try {
      const error = await h.sync().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncFailedError);
      expect((error as Error).message).toMatch(
        /privilegecloud GET \/PasswordVault\/API\/Safes: response field value\[\d+\]\.safeName: Too big/,
      );
      expect((error as Error).message.length).toBeLessThan(2000); // the value itself is not repeated
    } finally {
      safe.name = original;
    }
    expect((await h.store.stats()).nodes.Safe).toBe(before);
  });
});
