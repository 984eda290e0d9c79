/** `arkgraph sync --store neo4j` then the query commands answer exactly as on the embedded store. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { acquireNeo4j, clearDatabase, type Neo4jConnection, neo4jAvailability } from '../support/neo4j.js';

const availability = await neo4jAvailability();

describe.skipIf(!availability.available)('CLI on the Neo4j store', () => {
  const tenant = generateTenant('small', 41);
  let sim: Simulator;
  let neo: Neo4jConnection;
  let dir: string;
  const saved = { ...process.env };

  async function cli(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(['node', 'arkgraph', '--log-level', 'silent', ...args], {
      out: (t) => {
        stdout += `${t}\n`;
      },
      err: (t) => {
        stderr += `${t}\n`;
      },
    });
    expect(stdout + stderr).not.toContain(neo.password);
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    neo = await acquireNeo4j();
    const driver = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, neo.password));
    await clearDatabase(driver, { database: neo.database, label: 'ArkNode' });
    await driver.close();
    sim = await startSimulator({ tenant });
    dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-cli-neo4j-'));
    await writeFile(path.join(dir, 'secret'), tenant.identity.oauthClients[0]!.clientSecret);
    Object.assign(process.env, {
      ARKGRAPH_IDENTITY_URL: sim.identityUrl,
      ARKGRAPH_PCLOUD_URL: sim.pcloudUrl,
      ARKGRAPH_CLIENT_ID: tenant.identity.oauthClients[0]!.clientId,
      ARKGRAPH_CLIENT_SECRET_FILE: path.join(dir, 'secret'),
      ARKGRAPH_DATA_DIR: path.join(dir, 'data'),
      NEO4J_URI: neo.uri,
      NEO4J_USER: neo.user,
      NEO4J_PASSWORD: neo.password,
      NEO4J_DATABASE: neo.database,
    });
  }, 300_000);
  afterAll(async () => {
    process.env = saved;
    await sim?.close();
    await neo?.release();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sync and who-can give the same answers with --store neo4j and --store memory', async () => {
    expect((await cli('sync', '--store', 'neo4j')).code).toBe(0);
    expect((await cli('sync', '--store', 'memory')).code).toBe(0);
    for (const safe of tenant.privilegeCloud.safes.slice(0, 10)) {
      const a = await cli('who-can', 'retrieveAccounts', '--safe', safe.name, '--json', '--store', 'neo4j');
      const b = await cli('who-can', 'retrieveAccounts', '--safe', safe.name, '--json', '--store', 'memory');
      expect(a.code).toBe(0);
      expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    }
    const user = tenant.identity.users[5]!.username;
    const a = await cli('access', '--user', user, '--json', '--store', 'neo4j');
    const b = await cli('access', '--user', user, '--json', '--store', 'memory');
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    const runs = JSON.parse((await cli('runs', '--json', '--store', 'neo4j')).stdout);
    expect(runs[0].status).toBe('completed');
  });

  it('an unreachable Neo4j is a store error (exit 4) that does not print the password', async () => {
    process.env.NEO4J_URI = 'bolt://127.0.0.1:1';
    try {
      const r = await cli('who-can', 'retrieveAccounts', '--safe', 'x', '--store', 'neo4j');
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/Neo4j at bolt:\/\/127\.0\.0\.1:1 is unreachable/);
    } finally {
      process.env.NEO4J_URI = neo.uri;
    }
  });
});
