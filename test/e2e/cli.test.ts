/**
 * The CLI contract (docs/cli.md): commands, --json shapes, human tables, exit codes, no secrets in output; and the
 * commands that mirror an API route (list, export access-review, sources test) answer what `arkgraph serve` answers
 * over real HTTP, and refuse what it refuses.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { buildApi } from '../../src/api/server.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import { ASSET_TYPES } from '../../src/queries/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { CyberArkOracle } from '../oracle/cyberark.js';
import { runCli } from '../support/cli.js';

const tenant = generateTenant('small', 5);
let sim: Simulator;
let dir: string;
let configFile: string;
const secret = tenant.identity.oauthClients[0]!.clientSecret;

async function cli(...args: string[]) {
  const r = await runCli(configFile, ...args);
  expect(r.stdout + r.stderr).not.toContain(secret);
  return r;
}

beforeAll(async () => {
  sim = await startSimulator({ tenant });
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-cli-'));
  await writeFile(path.join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  configFile = path.join(dir, 'arkgraph.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      identity: {
        url: sim.identityUrl,
        clientId: tenant.identity.oauthClients[0]!.clientId,
        clientSecretFile: 'secret',
      },
      privilegeCloud: { url: sim.pcloudUrl },
      dataDir: 'data',
    }),
  );
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('arkgraph CLI', () => {
  it('--help lists the commands and every environment variable', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const word of [
      'sync',
      'who-can',
      'access',
      'paths',
      'account-access',
      'list',
      'export',
      'sources',
      'simulate',
      'demo',
    ])
      expect(r.stdout).toContain(word);
    for (const v of [
      'ARKGRAPH_IDENTITY_URL',
      'ARKGRAPH_PCLOUD_URL',
      'ARKGRAPH_CLIENT_ID',
      'ARKGRAPH_CLIENT_SECRET',
      'ARKGRAPH_OAUTH_APP_ID',
      'ARKGRAPH_DATA_DIR',
    ]) {
      expect(r.stdout).toContain(v);
    }
  });

  it('queries before any sync fail as a store error (exit 4)', async () => {
    const r = await cli('who-can', 'retrieveAccounts', '--safe', 'x');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/run "arkgraph sync" first/);
    expect((await cli('list', 'safes')).code).toBe(4);
    expect((await cli('export', 'access-review', '--scope', 'all')).code).toBe(4);
  });

  it('usage errors exit 2', async () => {
    expect((await cli('who-can', 'retrieveAccounts')).code).toBe(2);
    expect((await cli('no-such-command')).code).toBe(2);
  });

  it('sync loads the tenant and who-can --json answers with identities and paths', async () => {
    const s = await cli('sync', '--json');
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).status).toBe('completed');

    const oracle = new CyberArkOracle(tenant, Date.now());
    const safe = tenant.privilegeCloud.safes.find((x) =>
      [...oracle.whoCan('retrieveAccounts', x.name)].some((w) => w.startsWith('CyberArkUser:')),
    )!;
    const r = await cli('who-can', 'Retrieve Accounts', '--safe', safe.name.toUpperCase(), '--json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body.safe.name).toBe(safe.name);
    expect(body.permission).toBe('retrieveAccounts');
    const users = body.principals.filter((p: { type: string }) => p.type === 'CyberArkUser');
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) {
      expect(Object.keys(u)).toEqual(
        expect.arrayContaining([
          'type',
          'login_name',
          'display_name',
          'identity_type',
          'is_active',
          'last_login_at',
          'permissions',
          'paths',
        ]),
      );
      expect(u.permissions).toContain('retrieveAccounts');
      for (const p of u.paths) {
        expect(p[0]).toMatchObject({ kind: 'CyberArkUser', name: u.login_name });
        expect(p.at(-1)).toMatchObject({ kind: 'Safe', name: safe.name });
        for (const step of p) expect(Object.keys(step)).toEqual(expect.arrayContaining(['kind', 'id', 'name']));
      }
    }
    const expected = [...oracle.whoCan('retrieveAccounts', safe.name)]
      .filter((w) => w.startsWith('CyberArkUser:'))
      .map((w) => w.slice(13))
      .sort();
    expect(users.map((u: { login_name: string }) => u.login_name).sort()).toEqual(expected);

    const human = await cli('who-can', 'retrieveaccounts', '--safe', safe.name);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/TYPE\s+PRINCIPAL\s+ACTIVE\s+LAST LOGIN\s+PATH/);
    expect(human.stdout).toContain(`SAFE_MEMBER→ ${safe.name}`);
    expect(body).toMatchObject({ total: body.principals.length, offset: 0, limit: null });

    // --limit/--offset: a page of the same answer, and the table says which principals it shows.
    const page = await cli(
      'who-can',
      'retrieveAccounts',
      '--safe',
      safe.name,
      '--json',
      '--offset',
      '1',
      '--limit',
      '1',
    );
    expect(page.code).toBe(0);
    expect(JSON.parse(page.stdout)).toEqual({ ...body, offset: 1, limit: 1, principals: body.principals.slice(1, 2) });
    const table = await cli('who-can', 'retrieveAccounts', '--safe', safe.name, '--limit', '1');
    expect(table.stdout).toContain(`${body.total} principal${body.total === 1 ? '' : 's'} in all`);
    expect(table.stdout).toContain(
      body.total > 1 ? `showing principals 1-1 of ${body.total} (next page: --offset 1 --limit 1)` : 'of 1',
    );
    for (const bad of [
      ['--offset', '2'],
      ['--limit', '0'],
      ['--limit', 'x'],
    ]) {
      expect((await cli('who-can', 'retrieveAccounts', '--safe', safe.name, ...bad)).code).toBe(2);
    }
  });

  it('access, paths and account-access answer for a user and an account', async () => {
    const user = tenant.identity.users[0]!;
    const a = await cli('access', '--user', user.username.toUpperCase(), '--json');
    expect(a.code).toBe(0);
    const access = JSON.parse(a.stdout);
    expect(access.user.login_name).toBe(user.username);
    expect(access.roles.some((r: { how: string }) => r.how === 'implicit')).toBe(true);

    const safe = access.safes[0]?.safe.name ?? tenant.privilegeCloud.safes[0]!.name;
    const p = await cli('paths', '--from', user.username, '--safe', safe, '--max-depth', '4', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).max_depth).toBe(4);
    expect((await cli('paths', '--from', user.username, '--safe', safe, '--max-depth', '99')).code).toBe(2);

    const account = tenant.privilegeCloud.accounts[0]!;
    const acc = await cli('account-access', '--account', account.id, '--json');
    expect(acc.code).toBe(0);
    expect(JSON.parse(acc.stdout).account.safe_name).toBe(account.safeName);
  });

  it('an unknown permission exits 2 and lists the valid ones; an unknown safe suggests close names', async () => {
    const r = await cli('who-can', 'retrieve', '--safe', tenant.privilegeCloud.safes[0]!.name);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('retrieveAccounts ("Retrieve Accounts")');
    const name = tenant.privilegeCloud.safes[0]!.name;
    const s = await cli('who-can', 'retrieveAccounts', '--safe', `${name.slice(0, -1)}`);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`did you mean: "${name}"`);
  });

  it('a failed sync exits 3, names the source and endpoint, and keeps the graph', async () => {
    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'status5xx', status: 500 });
    try {
      const r = await cli('sync');
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/privilegecloud GET \/PasswordVault\/API\/Safes/);
      expect(r.stderr).toMatch(/previous graph is unchanged/);
    } finally {
      sim.faults.clear();
    }
    const runs = JSON.parse((await cli('runs', '--json')).stdout);
    expect(runs[0].status).toBe('failed');
    expect(runs[1].status).toBe('completed');
    expect((await cli('who-can', 'listAccounts', '--safe', tenant.privilegeCloud.safes[0]!.name)).code).toBe(0);
  });

  it('refuses secrets written into the config file', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ identity: { url: sim.identityUrl, clientId: 'x', clientSecret: 'nope' } }));
    let stderr = '';
    const code = await main(['node', 'arkgraph', '--config', bad, 'sync'], {
      out: () => {},
      err: (t) => (stderr += t),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/secrets are not read from the config file/);
  });
});

/** `arkgraph serve`'s app over the CLI's data directory and configuration, on a loopback port. */
async function startApi() {
  const config = await loadConfig({ configFile, env: {} });
  const store = new MemoryStore({ dataDir: config.dataDir });
  const token = 'cli-parity-token-0123456789abcdef';
  const app = await buildApi({
    store,
    config,
    tokens: parseTokenList(`admin:${token}`),
    logger: createLogger('silent', { write: () => {} }),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    fetch: (url: string, init: RequestInit = {}) =>
      fetch(`${base}${url}`, { ...init, headers: { authorization: `Bearer ${token}` } }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

const CLI_PROCESS = fileURLToPath(new URL('../support/cli-process.ts', import.meta.url));

describe('commands that mirror an API route', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('list <kind>: the JSON of GET /api/v1/<kind>, with the same paging, search and refusals', async () => {
    for (const kind of ASSET_TYPES) {
      const r = await cli('list', kind, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(await (await api.fetch(`/api/v1/${kind}`)).json());
    }
    const page = await cli('list', 'safes', '--search', 'PROD', '--offset', '1', '--limit', '2', '--json');
    const fromApi = (await (await api.fetch('/api/v1/safes?search=PROD&offset=1&limit=2')).json()) as {
      total: number;
      items: { name: string; id: string }[];
    };
    expect(JSON.parse(page.stdout)).toEqual(fromApi);
    expect(fromApi.items.length).toBe(2);
    const human = await cli('list', 'safes', '--search', 'PROD', '--offset', '1', '--limit', '2');
    expect(human.stdout).toMatch(/^NAME\s+ID\n/);
    for (const item of fromApi.items) expect(human.stdout).toContain(item.id);
    expect(human.stdout).toContain(`showing 2-3 of ${fromApi.total} safes matching "PROD"`);
    // The route's own query schema decides: what the API refuses with 400 the CLI refuses with exit code 2.
    for (const [flag, value] of [
      ['--limit', '501'],
      ['--limit', '0'],
      ['--offset', '-1'],
      ['--offset', '1e3'],
      ['--search', 'x'.repeat(201)],
    ] as const) {
      const q = `${flag.slice(2)}=${encodeURIComponent(value)}`;
      expect((await api.fetch(`/api/v1/safes?${q}`)).status, q).toBe(400);
      const r = await cli('list', 'safes', `${flag}=${value}`);
      expect(r.code, q).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    expect((await cli('list', 'vaults')).code).toBe(2);
  });

  it('export access-review: the document of GET /api/v1/exports/access-review, to a file or stdout', async () => {
    const out = path.join(dir, 'all.csv');
    const r = await cli('export', 'access-review', '--scope', 'all', '--format', 'csv', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    // Byte for byte (the BOM included, which text() would drop).
    const fromApi = Buffer.from(
      await (await api.fetch('/api/v1/exports/access-review?scope=all&format=csv')).arrayBuffer(),
    );
    const file = await readFile(out);
    expect(file.equals(fromApi)).toBe(true);
    const rows = fromApi.toString('utf8').split('\r\n').length - 2; // header, and the empty string after the last CRLF
    expect(rows).toBeGreaterThan(100);
    expect(r.stdout).toContain(`wrote ${out}: ${rows} rows, ${file.length} bytes (csv, scope all)`);

    // stdout of the real process; JSON by default, as the API answers without Accept: text/csv.
    const safe = tenant.privilegeCloud.safes.find((x) => x.members.length > 3)!.name;
    const child = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI_PROCESS,
        '--config',
        configFile,
        '--log-level',
        'silent',
        'export',
        'access-review',
      ].concat(['--scope', `safe:${safe.toLowerCase()}`, '--inactive-days', '30']),
      { maxBuffer: 64 * 2 ** 20 },
    );
    const url = `/api/v1/exports/access-review?scope=${encodeURIComponent(`safe:${safe.toLowerCase()}`)}&inactiveDays=30`;
    expect(JSON.parse(child.stdout)).toEqual(await (await api.fetch(url)).json());
    expect(JSON.parse(child.stdout).length).toBeGreaterThan(3);
  });

  it('export access-review: what the API refuses (400, 404) exits 2, before any file is written', async () => {
    const out = path.join(dir, 'refused.json');
    const name = tenant.privilegeCloud.safes[1]!.name;
    for (const [args, status] of [
      [['--scope', 'everything'], 400],
      [['--scope', `safe:${name.slice(0, -1)}`], 404],
      [['--scope', 'role:No Such Role'], 404],
      [['--scope', 'all', '--format', 'xml'], 400],
      [['--scope', 'all', '--inactive-days', '0'], 400],
    ] as const) {
      const query = new URLSearchParams();
      for (let i = 0; i < args.length; i += 2)
        query.set(args[i]!.slice(2).replace('inactive-days', 'inactiveDays'), args[i + 1]!);
      expect((await api.fetch(`/api/v1/exports/access-review?${query}`)).status, String(query)).toBe(status);
      const r = await cli('export', 'access-review', ...args, '--out', out);
      expect(r.code, String(query)).toBe(2);
      await expect(access(out)).rejects.toThrow();
    }
    const miss = await cli('export', 'access-review', '--scope', `safe:${name.slice(0, -1)}`);
    expect(miss.stderr).toContain(`did you mean: "${name}"`);
    expect((await cli('export', 'nothing', '--scope', 'all')).code).toBe(2);
  });

  it('sources test: the answer of POST /api/v1/sources/test; exit 3 when a source fails', async () => {
    const r = await cli('sources', 'test', '--json');
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toEqual(await (await api.fetch('/api/v1/sources/test', { method: 'POST' })).json());
    expect(Object.keys(body.sources).sort()).toEqual(['identity', 'privilegecloud']);
    const human = await cli('sources', 'test');
    expect(human.stdout).toContain('identity: ok');
    expect(human.stdout).toContain('every check passed');

    sim.faults.add({ match: { path: '/passwordvault/api/safes' }, kind: 'status5xx', status: 500 });
    try {
      const failed = await cli('sources', 'test');
      expect(failed.code).toBe(3);
      expect(failed.stdout).toContain('privilegecloud: FAILED');
      expect(failed.stdout).toMatch(/FAILED\s+.*Safes.*500/i);
      expect(failed.stdout).toContain('identity: ok');
    } finally {
      sim.faults.clear();
    }

    const none = path.join(dir, 'no-sources.json');
    await writeFile(none, JSON.stringify({ dataDir: 'data' }));
    let stderr = '';
    const code = await main(['node', 'arkgraph', '--config', none, 'sources', 'test'], {
      out: () => {},
      err: (t) => (stderr += t),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no source is configured/);
    expect((await cli('sources', 'check')).code).toBe(2);
  });
});
