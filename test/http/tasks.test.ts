/** TaskGroup and request cancellation: the first failure stops an extraction's other requests and is the error seen. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient } from '../../src/http/client.js';
import { SourceError } from '../../src/http/errors.js';
import { TaskGroup } from '../../src/http/tasks.js';
import { catchSourceError, startServer, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((app) => {
    app.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 100));
      return { ok: true };
    });
    app.get('/fail', async (_req, reply) => reply.code(404).send({ ErrorCode: 'PASWS027E', ErrorMessage: 'gone' }));
    app.get('/busy', async (_req, reply) => reply.code(429).header('retry-after', '30').send({ message: 'busy' }));
  });
});
afterAll(async () => server?.close());

const schema = z.unknown();

describe('TaskGroup', () => {
  it('rethrows the first failure after every task, spawned ones included, has settled', async () => {
    const group = new TaskGroup();
    const settled: string[] = [];
    group.spawn(async () => {
      await new Promise((r) => setTimeout(r, 20));
      group.spawn(async () => {
        await new Promise((r) => setTimeout(r, 30));
        settled.push('child');
      });
      settled.push('parent');
    });
    group.spawn(async () => {
      throw new Error('first');
    });
    group.spawn(async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('second');
    });
    await expect(group.wait()).rejects.toThrow('first');
    expect(settled).toEqual(['parent', 'child']);
    expect(group.signal.aborted).toBe(true);
  });

  it('resolves when every task succeeded, and the tasks keep their values', async () => {
    const group = new TaskGroup();
    const a = group.spawn(async () => 1);
    const b = group.spawn(async () => 'two');
    await group.wait();
    expect([await a, await b]).toEqual([1, 'two']);
    expect(group.failed).toBe(false);
  });
});

describe('cancellation', () => {
  it('the failure cancels queued requests (never sent) and the error seen names the failing endpoint', async () => {
    const http = new HttpClient({ source: 'privilegecloud', baseUrl: server.url, concurrency: 1 });
    const group = new TaskGroup();
    const before = server.hits('/slow');
    group.spawn(() => http.request({ method: 'GET', path: '/fail', schema, signal: group.signal }));
    const queued = Array.from({ length: 5 }, () =>
      group.spawn(() => http.request({ method: 'GET', path: '/slow', schema, signal: group.signal })),
    );
    const error = await catchSourceError(group.wait());
    expect(error.message).toMatch(/^privilegecloud: GET \/fail: HTTP 404/);
    for (const q of queued) {
      const e = await catchSourceError(q);
      expect(e.detail).toBe('request cancelled');
      expect(e.retryable).toBe(false);
    }
    expect(server.hits('/slow') - before).toBe(0);
  });

  it('a request waiting out a long Retry-After stops waiting when cancelled', async () => {
    const http = new HttpClient({ source: 'privilegecloud', baseUrl: server.url, retryAfterCapMs: 60_000 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = http.request({ method: 'GET', path: '/busy', schema, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await catchSourceError(pending);
    expect(error).toBeInstanceOf(SourceError);
    expect(error.detail).toBe('request cancelled');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('exposes its concurrency limit', () => {
    expect(new HttpClient({ source: 'x', baseUrl: server.url, concurrency: 6 }).concurrency).toBe(6);
  });
});
