/** `arkgraph serve`: registered on a program like the CLI's, --help, a real run on a free port, refusals. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/errors.js';
import { registerServeCommand, type ServeHooks } from '../../src/cli/serve.js';
import { startSimulator } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { writeSimulatorConfig } from '../support/cli.js';
import { newTokens } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A program with the CLI's global options, as src/cli/main.ts builds it. */
function program(hooks: ServeHooks = {}) {
  let out = '';
  let err = '';
  const io = {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
  };
  const p = new Command()
    .name('arkgraph')
    .option('-c, --config <file>')
    .addOption(new Option('--store <store>').choices(['memory', 'neo4j']))
    .option('--data-dir <dir>')
    .option('--log-level <level>')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  registerServeCommand(p, io, hooks);
  return { p, out: () => out, err: () => err };
}

async function run(args: string[], hooks: ServeHooks = {}) {
  const prog = program(hooks);
  let error: unknown;
  try {
    await prog.p.parseAsync(['node', 'arkgraph', '--data-dir', dir, '--log-level', 'silent', ...args]);
  } catch (e) {
    error = e;
  }
  return { error, out: prog.out(), err: prog.err() };
}

describe('arkgraph serve', () => {
  it('--help lists the options and the token variables', async () => {
    const r = await run(['serve', '--help']);
    for (const word of [
      '--host',
      '--port',
      '--sync-every',
      '--sync-cron',
      '--insecure-no-auth',
      '--public-docs',
      'ARKGRAPH_API_TOKENS',
      'ARKGRAPH_API_TOKENS_FILE',
    ]) {
      expect(r.out).toContain(word);
    }
    expect(r.out).toContain('127.0.0.1');
  });

  it('serves on a free loopback port until stopped', async () => {
    const tokens = newTokens();
    const stop = new AbortController();
    let url = '';
    const served = run(['serve', '--port', '0', '--sync-every', '1h', '--no-sync-at-start'], {
      env: { ARKGRAPH_API_TOKENS: `ops=admin:${tokens.admin}` },
      signal: stop.signal,
      onListening: (u) => {
        url = u;
      },
    });
    for (let i = 0; i < 200 && !url; i++) await new Promise((r) => setTimeout(r, 25));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const denied = await fetch(`${url}/api/v1/sync/runs`);
    expect(denied.status).toBe(401);
    await denied.arrayBuffer();
    const runs = await fetch(`${url}/api/v1/sync/runs`, { headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(await runs.json()).toEqual({ running: null, runs: [] });
    const docs = await fetch(`${url}/docs/json`, { headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(((await docs.json()) as { openapi: string }).openapi).toBe('3.1.0');
    stop.abort();
    const r = await served;
    expect(r.error).toBeUndefined();
    expect(r.err).toContain('arkgraph API listening on');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('with a schedule, the first sync runs at start, not one interval later (issue 15, item 10)', async () => {
    const tenant = generateTenant('small', 18);
    const sim = await startSimulator({ tenant });
    const work = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-serve-start-'));
    const configFile = await writeSimulatorConfig(work, sim);
    const tokens = newTokens();
    const stop = new AbortController();
    let url = '';
    const prog = program({
      env: { ARKGRAPH_API_TOKENS: `ops=reader:${tokens.reader}` },
      signal: stop.signal,
      onListening: (u) => {
        url = u;
      },
    });
    const served = prog.p.parseAsync([
      'node',
      'arkgraph',
      '--config',
      configFile,
      '--log-level',
      'silent',
      'serve',
      '--port',
      '0',
      '--sync-every',
      '1h',
    ]);
    try {
      for (let i = 0; i < 200 && !url; i++) await new Promise((r) => setTimeout(r, 25));
      let runs: { status: string }[] = [];
      for (let i = 0; i < 300 && !runs.some((r) => r.status === 'completed'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        const res = await fetch(`${url}/api/v1/sync/runs`, { headers: { authorization: `Bearer ${tokens.reader}` } });
        runs = ((await res.json()) as { runs: { status: string }[] }).runs;
      }
      expect(runs.map((r) => r.status)).toEqual(['completed']);
    } finally {
      stop.abort();
      await served;
      await sim.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('--public-docs serves the documentation without a token (and nothing else)', async () => {
    const stop = new AbortController();
    let url = '';
    const served = run(['serve', '--port', '0', '--public-docs'], {
      env: { ARKGRAPH_API_TOKENS: `reader:${newTokens().reader}` },
      signal: stop.signal,
      onListening: (u) => {
        url = u;
      },
    });
    for (let i = 0; i < 200 && !url; i++) await new Promise((r) => setTimeout(r, 25));
    const status = async (u: string) => {
      const r = await fetch(u);
      await r.arrayBuffer(); // a body left unread keeps the connection busy and delays the shutdown
      return r.status;
    };
    expect(await status(`${url}/docs/json`)).toBe(200);
    expect(await status(`${url}/docs/static/swagger-ui.css`)).toBe(200);
    expect(await status(`${url}/api/v1/safes`)).toBe(401);
    stop.abort();
    await served;
  });

  it('refuses --insecure-no-auth on a non-loopback address, a start without tokens, and bad schedules', async () => {
    const insecure = await run(['serve', '--insecure-no-auth', '--host', '0.0.0.0']);
    expect(String(insecure.error)).toMatch(/only binds to a loopback address/);
    expect(exitCodeFor(insecure.error)).toBe(2);
    const noTokens = await run(['serve', '--port', '0'], { env: {} });
    expect(String(noTokens.error)).toMatch(/no API token is configured/);
    expect(exitCodeFor(noTokens.error)).toBe(2);
    const env = { ARKGRAPH_API_TOKENS: `reader:${newTokens().reader}` };
    expect(exitCodeFor((await run(['serve', '--sync-every', '5s'], { env })).error)).toBe(2);
    expect(exitCodeFor((await run(['serve', '--sync-every', '5x'], { env })).error)).toBe(2);
    expect(exitCodeFor((await run(['serve', '--sync-cron', 'not cron'], { env })).error)).toBe(2);
    expect(exitCodeFor((await run(['serve', '--sync-every', '1h', '--sync-cron', '0 * * * *'], { env })).error)).toBe(
      2,
    );
    expect(exitCodeFor((await run(['serve', '--port', '70000'], { env })).error)).toBe(2);
    const badToken = await run(['serve'], { env: { ARKGRAPH_API_TOKENS: 'reader:short' } });
    expect(exitCodeFor(badToken.error)).toBe(2);
  });
});
