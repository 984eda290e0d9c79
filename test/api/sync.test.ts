/**
 * Sync control and store health: one sync at a time, the running sync is visible, a failed scheduled sync keeps
 * the last good graph and is listed as failed, a sync that fails before runSync could record it is recorded anyway,
 * /ready and queries answer 503 when the store is unreadable or unreachable, the source test, rate limits, and the
 * insecure mode.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { buildApi } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import { QueryEngine } from '../../src/queries/engine.js';
import type { GraphReader } from '../../src/queries/reader.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { Neo4jStore } from '../../src/store/neo4j/store.js';
import { type ApiHarness, expectProblem, newTokens, startApiHarness } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function harness(options: Parameters<typeof startApiHarness>[0] = {}): Promise<ApiHarness> {
  const h = await startApiHarness(options);
  cleanups.push(() => h.close());
  return h;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const silent = () => createLogger('silent', { write: () => {} });

describe('POST /sync', () => {
  it('concurrent requests start exactly one sync; the others get 409 with its id', async () => {
    const h = await harness({ fastRunner: true, simulator: { latency: { fixedMs: 5 } } });
    const post = () => h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
    const answers = await Promise.all([post(), post(), post()]);
    const started = answers.filter((r) => r.statusCode === 202);
    expect(started).toHaveLength(1);
    const id = JSON.parse(started[0]!.body).id as string;
    for (const r of answers.filter((x) => x.statusCode !== 202)) {
      expect(expectProblem(r, 409, 'sync-running').running_id).toBe(id);
    }
    // While it runs, it is listed as running.
    const list = JSON.parse((await h.get('/api/v1/sync/runs', 'reader')).body);
    expect(list.running).toBe(id);
    expect(list.runs[0]).toMatchObject({ id, status: 'running', finishedAt: null });
    expect(JSON.parse((await h.get(`/api/v1/sync/runs/${id}`, 'reader')).body).status).toBe('running');
    await h.app.arkgraph.syncs.idle();
    const run = JSON.parse((await h.get(`/api/v1/sync/runs/${id}`, 'reader')).body);
    expect(run).toMatchObject({ id, status: 'completed', errors: [] });
    expect(run.counts.privilegecloud.Safe).toBe(h.tenant.privilegeCloud.safes.length);
    // And a new one may start now.
    expect((await post()).statusCode).toBe(202);
    await h.app.arkgraph.syncs.idle();
  });

  it('a failed scheduled sync keeps the last good graph and is listed as failed', async () => {
    const h = await harness({
      fastRunner: true,
      api: { schedule: { every: 150 }, minSyncIntervalMs: 100 },
    });
    const safe = String(
      (await new QueryEngine(h.store).listAssets({ type: 'safes', offset: 4, limit: 1 })).items[0]!.name,
    );
    const before = (await h.get(`/api/v1/safes/${encodeURIComponent(safe)}/access`, 'reader')).body;
    h.sim.faults.add({ match: { method: 'POST', path: '/Redrock/query' }, kind: 'status5xx', status: 500 });
    const failed = await until('a failed scheduled run', async () => {
      const runs = JSON.parse((await h.get('/api/v1/sync/runs?limit=50', 'reader')).body).runs as {
        status: string;
        errors: { source: string; endpoint?: string; message: string }[];
      }[];
      return runs.find((r) => r.status === 'failed');
    });
    expect(failed.errors).toContainEqual(
      expect.objectContaining({
        source: 'identity',
        endpoint: 'POST /Redrock/query',
        message: expect.stringMatching(/500/),
      }),
    );
    // The last good graph still answers, unchanged.
    const after = await h.get(`/api/v1/safes/${encodeURIComponent(safe)}/access`, 'reader');
    expect(after.statusCode).toBe(200);
    expect(after.body).toBe(before);
    expect(h.logs()).toContain('"trigger":"schedule"');
    h.app.arkgraph.schedule?.stop();
    await h.app.arkgraph.syncs.idle();
  });

  it('a tick while a sync runs is skipped and logged', async () => {
    const h = await harness({
      fastRunner: true,
      simulator: { latency: { fixedMs: 20 } },
      api: { schedule: { cron: '0 0 1 1 *' } },
    });
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
    expect(r.statusCode).toBe(202);
    await h.app.arkgraph.schedule!.tick();
    expect(h.logs()).toContain('scheduled sync skipped: a sync is still running');
    await h.app.arkgraph.syncs.idle();
    const runs = await h.store.syncRuns(10);
    expect(runs.filter((x) => x.id === JSON.parse(r.body).id)).toHaveLength(1);
  });

  it('a sync that fails before runSync can record it (store locked) is still recorded as failed', async () => {
    const h = await harness({ fastRunner: true });
    // pid 1 is alive: the embedded store refuses to start a second writer.
    await writeFile(path.join(h.config.dataDir, 'sync.lock'), '1');
    cleanups.push(() => rm(path.join(h.config.dataDir, 'sync.lock'), { force: true }));
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
    expect(r.statusCode).toBe(202);
    const id = JSON.parse(r.body).id as string;
    await h.app.arkgraph.syncs.idle();
    const run = JSON.parse((await h.get(`/api/v1/sync/runs/${id}`, 'reader')).body);
    expect(run.status).toBe('failed');
    expect(run.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/another sync \(pid 1\)/);
  });

  it('answers 409 when no source is configured', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-api-nosrc-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = await loadConfig({ cwd: dataDir, env: { ARKGRAPH_DATA_DIR: dataDir } });
    const tokens = newTokens();
    const app = await buildApi({
      store: new MemoryStore({ dataDir }),
      config,
      logger: silent(),
      tokens: parseTokenList(`admin:${tokens.admin}`),
    });
    cleanups.push(() => app.close());
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/sync',
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expectProblem(r, 409, 'sync-not-configured');
    // No graph yet: queries say so with 503; /ready is 200 with has_data false.
    const q = await app.inject({ url: '/api/v1/safes', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(expectProblem(q, 503, 'store-unavailable').detail).toMatch(/no graph yet/);
    const ready = await app.inject({ url: '/ready', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', has_data: false });
  });
});

describe('store health', () => {
  it('/ready and queries answer 503 when the snapshot is unreadable (truncated)', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-api-bad-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      path.join(dataDir, 'graph.ndjson'),
      `${JSON.stringify({ format: 'arkgraph-snapshot', version: 1, createdAt: '2026-01-01T00:00:00Z', syncId: 's' })}\n["n","Safe"`,
    );
    const config = await loadConfig({ cwd: dataDir, env: { ARKGRAPH_DATA_DIR: dataDir } });
    const tokens = newTokens();
    const app = await buildApi({
      store: new MemoryStore({ dataDir }),
      config,
      logger: silent(),
      tokens: parseTokenList(`reader:${tokens.reader}`),
    });
    cleanups.push(() => app.close());
    const headers = { authorization: `Bearer ${tokens.reader}` };
    const ready = await app.inject({ url: '/ready', headers });
    const body = expectProblem(ready, 503, 'store-unavailable');
    expect(ready.headers['retry-after']).toBe('30');
    expect(String(body.detail)).not.toContain(dataDir); // no server paths in answers
    expectProblem(await app.inject({ url: '/api/v1/safes', headers }), 503, 'store-unavailable');
    expectProblem(await app.inject({ url: '/api/v1/users/x/access', headers }), 503, 'store-unavailable');
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('/ready answers 503 when Neo4j is unreachable (closed port)', async () => {
    const store = new Neo4jStore({
      uri: 'bolt://127.0.0.1:9',
      user: 'neo4j',
      password: 'not-a-real-password',
      database: 'neo4j',
    });
    cleanups.push(() => store.close());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-api-neo-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = await loadConfig({ cwd: dataDir, env: { ARKGRAPH_DATA_DIR: dataDir } });
    const tokens = newTokens();
    let logs = '';
    const app = await buildApi({
      store,
      config,
      logger: createLogger('debug', {
        write: (l: string) => {
          logs += l;
        },
      }),
      tokens: parseTokenList(`reader:${tokens.reader}`),
      readyTimeoutMs: 1500,
    });
    cleanups.push(() => app.close());
    const r = await app.inject({ url: '/ready', headers: { authorization: `Bearer ${tokens.reader}` } });
    expectProblem(r, 503, 'store-unavailable');
    expect(r.body).not.toContain('not-a-real-password');
    expect(logs).not.toContain('not-a-real-password');
  });
});

describe('exports that fail midway', () => {
  it('end the connection instead of finishing the document', async () => {
    const h = await harness();
    let calls = 0;
    // The store fails on the third safe, after the first rows went out: its reader's effectiveInto (what the access
    // of each safe reads) throws the third time.
    const failingReader = (reader: GraphReader): GraphReader =>
      new Proxy(reader, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === 'effectiveInto') {
            return async (...args: Parameters<GraphReader['effectiveInto']>) => {
              if (++calls === 3) throw new Error('disk on fire');
              return target.effectiveInto(...args);
            };
          }
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    const store = new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop === 'reader') return async () => failingReader(await target.reader());
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const app = await buildApi({
      store,
      config: h.config,
      logger: silent(),
      tokens: parseTokenList(`reviewer:${h.tokens.reviewer}`),
    });
    cleanups.push(() => app.close());
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const format of ['csv', 'json']) {
      calls = 0;
      const r = await fetch(`${base}/api/v1/exports/access-review?scope=all&format=${format}`, {
        headers: { authorization: `Bearer ${h.tokens.reviewer}` },
      });
      expect(r.status).toBe(200);
      await expect(r.text()).rejects.toThrow();
      expect(calls, 'the fault was injected').toBeGreaterThanOrEqual(3);
    }
  });
});

describe('POST /sources/test', () => {
  it('checks each source with one cheap read per right, and reports a rejected secret without echoing it', async () => {
    const h = await harness();
    const ok = JSON.parse(
      (await h.app.inject({ method: 'POST', url: '/api/v1/sources/test', headers: h.auth('admin') })).body,
    );
    expect(ok.ok).toBe(true);
    expect(Object.keys(ok.sources).sort()).toEqual(['identity', 'privilegecloud']);
    expect(ok.sources.identity.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['token', 'POST /Core/GetDirectoryServices', 'POST /Roles/GetRoleMembers (1 role)']),
    );
    expect(h.sim.counters.get('POST /redrock/query')).toBeLessThan(10);

    const wrong = 'Wr0ng-Secret-Value-123456789';
    const app = await buildApi({
      store: h.store,
      config: { ...h.config, identity: { ...h.config.identity!, clientSecret: wrong } },
      logger: silent(),
      tokens: parseTokenList(`admin:${h.tokens.admin}`),
    });
    cleanups.push(() => app.close());
    const r = await app.inject({ method: 'POST', url: '/api/v1/sources/test', headers: h.auth('admin') });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(wrong);
    const bad = JSON.parse(r.body);
    expect(bad.ok).toBe(false);
    expect(bad.sources.identity.checks[0]).toMatchObject({ name: 'token', ok: false });
    expect(bad.sources.identity.checks[1].error).toMatch(/skipped/);
    expect(bad.sources.privilegecloud.ok).toBe(false);
  });
});

describe('rate limiting and insecure mode', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ api: { rateLimit: { max: 3, timeWindowMs: 60_000 } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('limits each token separately, and callers without a token by address', async () => {
    for (let i = 0; i < 3; i++) expect((await h.get('/api/v1/safes?limit=1', 'reader')).statusCode).toBe(200);
    const limited = await h.get('/api/v1/safes?limit=1', 'reader');
    expectProblem(limited, 429, 'rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.get('/api/v1/safes?limit=1', 'reviewer')).statusCode).toBe(200);
    const anon = [];
    for (let i = 0; i < 4; i++) anon.push((await h.get('/api/v1/safes')).statusCode);
    expect(anon).toEqual([401, 401, 401, 429]);
  });

  it('never limits /health, nor /ready with a valid token: a flooding address does not fail the probes', async () => {
    // One address floods with a wrong token (as behind a proxy, where every client shares the address)…
    const bad = { authorization: `Bearer ${'x'.repeat(43)}` };
    const flood = [];
    for (let i = 0; i < 10; i++) flood.push((await h.get('/api/v1/safes', undefined, bad)).statusCode);
    expect(flood.at(-1)).toBe(429);
    // …and the reader token has used up its own budget (previous test).
    expectProblem(await h.get('/api/v1/safes?limit=1', 'reader'), 429, 'rate-limited');
    // The probes still answer, as often as they are asked.
    for (let i = 0; i < 10; i++) {
      const health = await h.get('/health');
      expect(health.statusCode, health.body).toBe(200);
      expect(health.headers['x-ratelimit-remaining']).toBeUndefined();
      expect((await h.get('/ready', 'reader')).statusCode).toBe(200);
    }
    // The limit stays for everything else: a probe of /ready without a valid token counts against the address (no
    // unthrottled token guessing), and the reader's other requests are still refused.
    expectProblem(await h.get('/ready', undefined, bad), 429, 'rate-limited');
    expectProblem(await h.get('/ready'), 429, 'rate-limited');
    expectProblem(await h.get('/api/v1/safes?limit=1', 'reader'), 429, 'rate-limited');
  });

  it('--insecure-no-auth: every caller acts as an admin, with a warning in the log', async () => {
    let logs = '';
    const app = await buildApi({
      store: h.store,
      config: h.config,
      tokens: [],
      insecureNoAuth: true,
      logger: createLogger('info', {
        write: (l: string) => {
          logs += l;
        },
      }),
    });
    cleanups.push(() => app.close());
    expect((await app.inject({ url: '/api/v1/safes?limit=1' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/reports/correlation' })).statusCode).toBe(200);
    expect(logs).toMatch(/authentication is DISABLED/);
  });
});
