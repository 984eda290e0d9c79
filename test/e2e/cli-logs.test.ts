/**
 * What a person reads (issue 15, item 14): a failed sync says so once at --log-level error (not as a JSON line and
 * then again as text), `arkgraph runs` has a header row, and no API or sync log line carries a key twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { startApiHarness } from '../api/helpers.js';
import { runCliProcess, writeSimulatorConfig } from '../support/cli.js';

const tenant = generateTenant('small', 22);
let sim: Simulator;
let dir: string;
let configFile: string;

const cli = (...args: string[]) => runCliProcess(['--config', configFile, ...args], { PATH: process.env.PATH ?? '' });

beforeAll(async () => {
  sim = await startSimulator({ tenant });
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-logs-'));
  configFile = await writeSimulatorConfig(dir, sim, { http: { maxAttempts: 1 } });
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('CLI output', () => {
  it('a failed sync at --log-level error is one message, not a JSON line and the message again', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/accounts' }, kind: 'status5xx', status: 500 });
    try {
      const r = await cli('--log-level', 'error', 'sync');
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/^\{.*"level"/m);
      expect(r.stderr.match(/GET \/PasswordVault\/API\/Accounts/g)).toHaveLength(1);
    } finally {
      sim.faults.clear();
    }
  }, 60_000);

  it('arkgraph runs has a header row', async () => {
    expect((await cli('--log-level', 'error', 'sync')).code).toBe(0);
    const r = await cli('runs');
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['RUN', 'STATUS', 'STARTED', 'DURATION', 'SOURCES', 'ERRORS']);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/completed/);
    expect(rows[1]).toMatch(/failed .*privilegecloud/);
  }, 60_000);
});

describe('API logs', () => {
  it('no log line carries a key twice (component was "api" and "sync" on one line)', async () => {
    const h = await startApiHarness({ tenant, initialSync: false, fastRunner: true });
    try {
      await h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
      for (let i = 0; i < 200; i++) {
        const runs = (await h.get('/api/v1/sync/runs', 'reader')).body;
        if (runs.includes('"completed"')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const lines = h.logs().trim().split('\n');
      expect(lines.some((l) => l.includes('"component":"sync"'))).toBe(true);
      for (const line of lines) expect((line.match(/"component":/g) ?? []).length, line).toBeLessThanOrEqual(1);
    } finally {
      await h.close();
    }
  }, 60_000);
});
