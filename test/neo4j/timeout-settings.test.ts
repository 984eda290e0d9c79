/**
 * The Neo4j timeout settings (issue 15, item 4): read from the environment or the config file's neo4j section (the
 * environment wins), refused out of range, and the store's defaults when unset. Needs no server: the driver connects
 * on first use.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { envErrors } from '../../src/config/strict.js';
import { NEO4J_TIMEOUT_DEFAULTS } from '../../src/store/neo4j/connection.js';
import { Neo4jStore } from '../../src/store/neo4j/store.js';

describe('Neo4j timeout settings', () => {
  let dir: string;
  const base = { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'not-a-real-password' };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-neo4j-settings-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('unset: the store uses its defaults (5 s connect and query, 2 s retry, 10 min per sync write)', async () => {
    const config = await loadConfig({ cwd: dir, env: base });
    const store = new Neo4jStore(config.neo4j);
    try {
      expect(store.timeouts).toEqual(NEO4J_TIMEOUT_DEFAULTS);
      expect(NEO4J_TIMEOUT_DEFAULTS).toEqual({
        connectTimeoutMs: 5_000,
        queryTimeoutMs: 5_000,
        retryMs: 2_000,
        writeTimeoutMs: 600_000,
      });
    } finally {
      await store.close();
    }
  });

  it('from the config file, and the environment wins', async () => {
    const file = path.join(dir, 'arkgraph.config.json');
    await writeFile(file, JSON.stringify({ neo4j: { queryTimeoutMs: 9_000, retryMs: 0, writeTimeoutMs: 60_000 } }));
    const config = await loadConfig({
      cwd: dir,
      configFile: file,
      env: { ...base, NEO4J_QUERY_TIMEOUT_MS: '1500', NEO4J_CONNECT_TIMEOUT_MS: '700' },
    });
    expect(config.neo4j).toMatchObject({
      connectTimeoutMs: 700,
      queryTimeoutMs: 1_500,
      retryMs: 0,
      writeTimeoutMs: 60_000,
    });
    const store = new Neo4jStore(config.neo4j);
    try {
      expect(store.timeouts).toEqual({
        connectTimeoutMs: 700,
        queryTimeoutMs: 1_500,
        retryMs: 0,
        writeTimeoutMs: 60_000,
      });
    } finally {
      await store.close();
    }
  });

  it('refuses values that are not whole milliseconds in range, naming the variable', async () => {
    for (const [name, value] of [
      ['NEO4J_QUERY_TIMEOUT_MS', 'soon'],
      ['NEO4J_QUERY_TIMEOUT_MS', '0'],
      ['NEO4J_CONNECT_TIMEOUT_MS', '2.5'],
      ['NEO4J_RETRY_MS', '-1'],
      ['NEO4J_WRITE_TIMEOUT_MS', '999999999999'],
    ] as const) {
      const error = await loadConfig({ cwd: dir, env: { ...base, [name]: value } }).catch((e: unknown) => e);
      expect(error, `${name}=${value}`).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(name);
    }
    const file = path.join(dir, 'bad.config.json');
    await writeFile(file, JSON.stringify({ neo4j: { queryTimeoutMs: 10 } }));
    await expect(loadConfig({ cwd: dir, configFile: file, env: base })).rejects.toBeInstanceOf(ConfigError);
  });

  it('the variables are in the table of variables arkgraph reads (--help, strict checks)', () => {
    const names = ['NEO4J_CONNECT_TIMEOUT_MS', 'NEO4J_QUERY_TIMEOUT_MS', 'NEO4J_RETRY_MS', 'NEO4J_WRITE_TIMEOUT_MS'];
    for (const name of names) expect(ENV_VARS.map((v) => v.name)).toContain(name);
    // Set but empty: an empty timeout is "unset" (its default), as deployment tools write it; an empty URI is refused.
    expect(envErrors(Object.fromEntries(names.map((n) => [n, ''])))).toHaveLength(0);
    expect(envErrors({ NEO4J_URI: '' })).toHaveLength(1);
  });
});
