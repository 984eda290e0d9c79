/**
 * The deployment as documented (issue 15, item 10): the container's HEALTHCHECK asks a route that answers without a
 * token, the compose service runs serve with a schedule that syncs at start, and the example config it mounts — every
 * source, every setting — loads under arkgraph's strict loader once its secret files exist.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { buildApi } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory/store.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-deploy-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the deployment files', () => {
  it('the Dockerfile HEALTHCHECK asks a route that answers 200 without a token', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const url = /HEALTHCHECK[\s\S]*?fetch\('([^']+)'\)/.exec(dockerfile)?.[1];
    expect(url).toBeDefined();
    const route = new URL(url!).pathname;
    const store = new MemoryStore({ dataDir: path.join(dir, 'data') });
    const app = await buildApi({
      store,
      config: await loadConfig({ cwd: dir, env: {} }),
      logger: createLogger('silent', { write: () => {} }),
      tokens: parseTokenList('reader=reader:deploy-test-token-value-0123456789'),
    });
    try {
      const res = await app.inject({ method: 'GET', url: route });
      expect(res.statusCode, `${route}: ${res.body}`).toBe(200);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('compose runs serve on a schedule that syncs at start, with the mounted config', async () => {
    const compose = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/"--config", "\/etc\/arkgraph\/arkgraph\.config\.json", "serve"/);
    expect(compose).toContain('"--sync-every"');
    expect(compose).not.toContain('--no-sync-at-start');
    expect(compose).toContain('./deploy/arkgraph.config.json:/etc/arkgraph/arkgraph.config.json:ro');
    // No setting is passed as an empty value (an empty variable is refused), and no secret as a value.
    expect(compose).not.toMatch(/:-\}/);
    expect(compose).not.toMatch(/SECRET:|PASSWORD:/);
  });

  it('the example config loads strictly, with every source configured, once its secret files exist', async () => {
    const example = await readFile(path.join(ROOT, 'deploy/arkgraph.config.example.json'), 'utf8');
    const secrets = path.join(dir, 'secrets');
    const doc = example.replaceAll('/run/secrets', secrets);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(secrets, { recursive: true });
    for (const name of ['cyberark_client_secret', 'entra_client_secret', 'ldap_bind_password', 'ldap_ca.pem']) {
      await writeFile(path.join(secrets, name), `${name}-value\n`);
    }
    await writeFile(path.join(dir, 'arkgraph.config.json'), doc);
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config.identity?.oauthAppId).toBe('arkgraph');
    expect(config.privilegeCloud?.url).toMatch(/^https:/);
    expect(config.entra?.tenantId).toBeDefined();
    expect(config.activeDirectory?.url).toMatch(/^ldaps:/);
    expect(config.correlationRules).toHaveLength(1);
  });
});
