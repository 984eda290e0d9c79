/**
 * The embedded store's fault matrix: a damaged data directory (a corrupt snapshot, a corrupt run history, the
 * leftovers of killed writes) ends, after a real `arkgraph sync` over HTTP against the simulator, in the correct
 * graph with the damage kept aside and reported; before that sync, queries fail as a store error (exit 4, HTTP 503)
 * naming the file. Never a wrong answer with exit 0.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { buildApi } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/config.js';
import { SAFE_PERMISSION_KEYS } from '../../src/graph/permissions.js';
import { createLogger } from '../../src/log.js';
import { QueryEngine } from '../../src/queries/engine.js';
import { SNAPSHOT_FILE } from '../../src/store/memory/snapshot.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { runSync } from '../../src/sync/run.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { CyberArkOracle } from '../oracle/cyberark.js';
import { runCli } from '../support/cli.js';
import { type Harness, startHarness } from './helpers.js';

const tenant = generateTenant('small', 21);
const now = Date.now();
const oracle = new CyberArkOracle(tenant, now);
const RUNS_FILE = 'sync-runs.json';
let h: Harness;
let configFile: string;
let snapshotFile: string;
/** The snapshot a clean sync wrote, for the corruptions to start from. */
let clean: string;

/** The CLI as a script runs it: exit code, stdout, stderr. */
const cli = (...args: string[]) => runCli(configFile, ...args);

/** The who-can answers read from disk by a store that has not seen the sync (a new CLI process or server). */
async function answers(): Promise<string> {
  const store = new MemoryStore({ dataDir: h.dataDir });
  try {
    const out: Record<string, string[]> = {};
    for (const s of tenant.privilegeCloud.safes) {
      const r = await new QueryEngine(store).whoCan('retrieveAccounts', s.name);
      out[s.name] = r.principals.map((p) => `${p.type}:${p.name}:${p.permissions.join(',')}`).sort();
    }
    return JSON.stringify(out);
  } finally {
    await store.close();
  }
}

function expectedAnswers(): string {
  const order = SAFE_PERMISSION_KEYS as readonly string[];
  const out: Record<string, string[]> = {};
  for (const s of tenant.privilegeCloud.safes) {
    out[s.name] = [...oracle.safeAccess(s.name)]
      .filter(([, perms]) => perms.has('retrieveAccounts'))
      .map(([who, perms]) => `${who}:${[...perms].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(',')}`)
      .sort();
  }
  return JSON.stringify(out);
}

/** What the API answers on `url` from a server started on the data directory as it is now. */
async function api(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const config = await loadConfig({ cwd: h.dataDir, env: { ARKGRAPH_DATA_DIR: h.dataDir } });
  const token = 'x'.repeat(43);
  const app = await buildApi({
    store: new MemoryStore({ dataDir: h.dataDir }),
    config,
    logger: createLogger('silent'),
    tokens: parseTokenList(`reader:${token}`),
  });
  try {
    const r = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    return { status: r.statusCode, body: JSON.parse(r.body) };
  } finally {
    await app.close();
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Files of the data directory whose names start with `prefix`. */
async function named(prefix: string): Promise<string[]> {
  return (await readdir(h.dataDir)).filter((f) => f.startsWith(prefix)).sort();
}

/** Removes what earlier cases set aside, so that each case sees only its own. */
async function removeSetAside(): Promise<void> {
  for (const f of await readdir(h.dataDir)) {
    if (/\.(corrupt|v\d+)-/.test(f)) await rm(path.join(h.dataDir, f), { recursive: true, force: true });
  }
}

beforeAll(async () => {
  h = await startHarness(tenant);
  snapshotFile = path.join(h.dataDir, SNAPSHOT_FILE);
  const client = tenant.identity.oauthClients[0]!;
  const secretFile = path.join(h.dataDir, '..', `${path.basename(h.dataDir)}.secret`);
  await writeFile(secretFile, `${client.clientSecret}\n`, { mode: 0o600 });
  configFile = path.join(h.dataDir, '..', `${path.basename(h.dataDir)}.config.json`);
  await writeFile(
    configFile,
    JSON.stringify({
      identity: { url: h.sim.identityUrl, clientId: client.clientId, clientSecretFile: secretFile },
      privilegeCloud: { url: h.sim.pcloudUrl },
      dataDir: h.dataDir,
    }),
  );
  const run = await h.sync({}, now);
  expect(run.status).toBe('completed');
  expect(await answers()).toBe(expectedAnswers());
  clean = await readFile(snapshotFile, 'utf8');
});
afterAll(async () => {
  if (configFile) {
    await rm(configFile, { force: true });
    await rm(configFile.replace(/\.config\.json$/, '.secret'), { force: true });
  }
  await h?.close();
});
beforeEach(removeSetAside);

const lines = (text: string) => text.split('\n');
/** The index of the first line matching `test`. */
const find = (ls: string[], test: (l: string) => boolean) => {
  const i = ls.findIndex(test);
  if (i < 0) throw new Error('no such line');
  return i;
};
/** A node line that some edge line refers to (a safe: members, accounts and computed edges join it). */
const safeLine = (ls: string[]) => find(ls, (l) => l.startsWith('["n","Safe",'));

const corruptions: { name: string; damage: () => Promise<void>; problem: RegExp }[] = [
  {
    name: 'a line of garbage',
    damage: async () => {
      const ls = lines(clean);
      ls[5] = 'garbage';
      await writeFile(snapshotFile, ls.join('\n'));
    },
    problem: /corrupt at line 6 \(not JSON\)/,
  },
  {
    name: 'a truncated file (a copy cut short)',
    damage: () => writeFile(snapshotFile, clean.slice(0, Math.floor(clean.length / 2))),
    problem: /corrupt at line \d+ \(not JSON\)|truncated/,
  },
  {
    name: 'a deleted edge line (its count no longer matches)',
    damage: async () => {
      const ls = lines(clean);
      ls.splice(
        find(ls, (l) => l.startsWith('["e",')),
        1,
      );
      await writeFile(snapshotFile, ls.join('\n'));
    },
    problem: /the end marker counts \d+ nodes, \d+ edges and \d+ computed edges, the file holds/,
  },
  {
    name: 'a deleted node line (its edges dangle)',
    damage: async () => {
      const ls = lines(clean);
      ls.splice(safeLine(ls), 1);
      await writeFile(snapshotFile, ls.join('\n'));
    },
    problem: /edge .* joins a node the snapshot does not hold/,
  },
  {
    name: 'an edited line (the counts still match)',
    damage: async () => {
      // Retrieve Accounts taken out of a computed edge's permission list: the answer shrinks, with exit 0 before.
      const ls = lines(clean);
      const i = find(ls, (l) => l.startsWith('["El",') && l.includes('"retrieveAccounts",'));
      ls[i] = ls[i]!.replace('"retrieveAccounts",', '');
      await writeFile(snapshotFile, ls.join('\n'));
    },
    problem: /checksum does not match/,
  },
  {
    name: 'a duplicated line',
    damage: async () => {
      const ls = lines(clean);
      const i = safeLine(ls);
      ls.splice(i, 0, ls[i]!);
      await writeFile(snapshotFile, ls.join('\n'));
    },
    problem: /node Safe\|.* appears twice/,
  },
  {
    name: 'a directory in place of the file',
    damage: async () => {
      await rm(snapshotFile);
      await mkdir(path.join(snapshotFile, 'inner'), { recursive: true });
    },
    problem: /is a directory, not a snapshot file/,
  },
];

describe('a corrupt snapshot: a store error until a sync rebuilds it, keeping the corrupt one aside', () => {
  for (const c of corruptions) {
    it(c.name, async () => {
      await c.damage();
      const query = await cli('who-can', 'retrieveAccounts', '--safe', tenant.privilegeCloud.safes[0]!.name);
      expect(query.code).toBe(4);
      expect(query.stderr).toContain(snapshotFile);
      expect(query.stderr).toMatch(c.problem);
      expect(query.stderr).toMatch(/run arkgraph sync to rebuild it/);
      const served = await api('/api/v1/safes');
      expect(served.status).toBe(503);
      expect(served.body.type).toBe('urn:arkgraph:problem:store-unavailable');

      const damaged = (await stat(snapshotFile)).isDirectory() ? undefined : await sha256(snapshotFile);
      const sync = await cli('sync', '--json');
      expect(sync.code).toBe(0);
      const run = JSON.parse(sync.stdout);
      expect(run.status).toBe('completed');
      const aside = await named(`${SNAPSHOT_FILE}.corrupt-`);
      expect(aside).toHaveLength(1);
      const note = run.errors.find((e: { source: string }) => e.source === 'store')?.message;
      expect(note).toContain(aside[0]);
      expect(note).toMatch(c.problem);
      if (damaged) expect(await sha256(path.join(h.dataDir, aside[0]!))).toBe(damaged);
      expect(await answers()).toBe(expectedAnswers());
      expect((await cli('who-can', 'retrieveAccounts', '--safe', tenant.privilegeCloud.safes[0]!.name)).code).toBe(0);
    });
  }
});

it('the sync’s log says what it repaired', async () => {
  await writeFile(snapshotFile, 'garbage\n');
  const logged: string[] = [];
  const run = await runSync(
    h.store,
    { ...h.config },
    { now: () => now, log: (level, message) => logged.push(`${level}: ${message}`) },
  );
  expect(run.status).toBe('completed');
  const aside = await named(`${SNAPSHOT_FILE}.corrupt-`);
  expect(logged).toContain(
    `warn: ${SNAPSHOT_FILE} is corrupt at line 1 (not JSON): kept as ${aside[0]}, and the graph rebuilt from this sync's sources`,
  );
  expect(await answers()).toBe(expectedAnswers());
});

describe('a corrupt run history: set aside, the run recorded, the outcome reported as it is', () => {
  const histories: { name: string; text: string; problem: RegExp }[] = [
    { name: 'garbage', text: '[{"id":"sync-1", "status":', problem: /not JSON/ },
    { name: 'JSON that is not a list of runs', text: '{"runs":[]}\n', problem: /not a list of sync runs/ },
  ];
  for (const c of histories) {
    it(`${c.name}: runs fails as a store error, a sync completes and starts the history anew`, async () => {
      const runsFile = path.join(h.dataDir, RUNS_FILE);
      await writeFile(runsFile, c.text);
      const listed = await cli('runs');
      expect(listed.code).toBe(4);
      expect(listed.stderr).toContain(runsFile);
      expect(listed.stderr).toMatch(c.problem);
      expect((await api('/api/v1/sync/runs')).status).toBe(503);

      const before = await sha256(snapshotFile);
      const sync = await cli('sync', '--json');
      expect(sync.stderr).not.toMatch(/previous graph is unchanged/);
      expect(sync.code).toBe(0);
      const run = JSON.parse(sync.stdout);
      expect(run.status).toBe('completed');
      expect(await sha256(snapshotFile)).not.toBe(before);
      const aside = await named(`${RUNS_FILE}.corrupt-`);
      expect(aside).toHaveLength(1);
      expect(await readFile(path.join(h.dataDir, aside[0]!), 'utf8')).toBe(c.text);
      expect(run.errors.map((e: { message: string }) => e.message).join('\n')).toContain(aside[0]);
      const history = await cli('runs', '--json');
      expect(history.code).toBe(0);
      expect(JSON.parse(history.stdout).map((r: { id: string }) => r.id)).toEqual([run.id]);
      expect(await answers()).toBe(expectedAnswers());
    });
  }

  it('with a source failing too: the sync fails, and the previous graph really is unchanged', async () => {
    const runsFile = path.join(h.dataDir, RUNS_FILE);
    await writeFile(runsFile, 'not json');
    const before = await sha256(snapshotFile);
    h.sim.faults.add({ match: { path: '/passwordvault/api/accounts' }, kind: 'status5xx', status: 500 });
    let error: unknown;
    try {
      await h.sync({}, now);
    } catch (e) {
      error = e;
    } finally {
      h.sim.faults.clear();
    }
    expect(String(error)).toMatch(/previous graph is unchanged/);
    expect(await sha256(snapshotFile)).toBe(before);
    expect(await named(`${RUNS_FILE}.corrupt-`)).toHaveLength(1);
    const runs = await h.store.syncRuns();
    expect(runs.map((r) => r.status)).toEqual(['failed']);
    expect(await answers()).toBe(expectedAnswers());
  });
});

/**
 * A process killed while it writes a snapshot, as install does (with nodes that never end, so that the kill always
 * lands mid-write); it leaves its temporary file. With `lock`, it takes the store's lock first, as a sync does (and
 * leaves the lock too); without, it stands for the arkgraph before this one, whose syncs never removed leftovers.
 */
async function killedWrite(dataDir: string, lock: boolean): Promise<void> {
  const url = (p: string) => pathToFileURL(path.resolve(p)).href;
  const script = [
    `import { MemoryStore } from ${JSON.stringify(url('src/store/memory/store.ts'))};`,
    `import { writeSnapshot } from ${JSON.stringify(url('src/store/memory/snapshot.ts'))};`,
    `const dir = ${JSON.stringify(dataDir)};`,
    lock ? `await new MemoryStore({ dataDir: dir }).beginSync('sync-killed');` : '',
    'function* nodes() { for (let i = 0; ; i++) yield { kind: "Safe", id: "T:s" + i, nativeId: String(i), tenantId: "T", source: "privilegecloud", syncId: "sync-killed", props: { name: "x".repeat(200) } }; }',
    `await writeSnapshot(dir, 'sync-killed', nodes(), []);`,
  ].join('\n');
  const file = path.join(os.tmpdir(), `arkgraph-killed-write-${process.pid}.mts`);
  await writeFile(file, script);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const tmp = (await readdir(dataDir)).filter((f) => f.startsWith(`${SNAPSHOT_FILE}.tmp-${child.pid}-`));
      const size = tmp[0] ? (await stat(path.join(dataDir, tmp[0])).catch(() => undefined))?.size : undefined;
      if (size !== undefined && size > 2 << 20) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the writer did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
  } finally {
    await rm(file, { force: true });
  }
}

describe('killed writes: the last good snapshot stays, and the next sync removes their leftovers', () => {
  it('three writes killed mid-snapshot', async () => {
    for (let i = 0; i < 3; i++) await killedWrite(h.dataDir, i === 0);
    const leftovers = await named(`${SNAPSHOT_FILE}.tmp-`);
    expect(leftovers).toHaveLength(3);
    expect(await named('sync.lock')).toHaveLength(1);
    // The rename never happened: readers still get the last good graph.
    expect(await answers()).toBe(expectedAnswers());

    const sync = await cli('sync', '--json');
    expect(sync.code).toBe(0);
    const run = JSON.parse(sync.stdout);
    expect(run.status).toBe('completed');
    expect(run.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(
      /removed 3 temporary files left by interrupted writes \(\d+(\.\d)? MB\)/,
    );
    expect((await readdir(h.dataDir)).filter((f) => f.includes('.tmp-') || f === 'sync.lock')).toEqual([]);
    expect(await answers()).toBe(expectedAnswers());
  });
});
