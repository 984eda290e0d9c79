/**
 * The OpenAPI document of the API, built from the route schemas without a store or a network (for
 * scripts/generate-openapi.ts, which writes docs/openapi.json, and for the drift test).
 */
import os from 'node:os';
import path from 'node:path';
import type { ArkgraphConfig } from '../config/config.js';
import { createLogger } from '../log.js';
import { MemoryStore } from '../store/memory/store.js';
import { buildApi } from './server.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  // Nothing is read from this store: building the routes does not touch it.
  const dataDir = path.join(os.tmpdir(), 'arkgraph-openapi-unused');
  const config = {
    store: 'memory',
    dataDir,
    neo4j: { user: 'neo4j', database: 'neo4j' },
    http: { concurrency: 1, timeoutMs: 1000, maxAttempts: 1 },
    sync: { allowPartial: false, maxPaths: 10, pageSize: 1000 },
    correlationRules: [],
  } as unknown as ArkgraphConfig;
  const app = await buildApi({
    store: new MemoryStore({ dataDir }),
    config,
    tokens: [],
    logger: createLogger('silent', { write: () => {} }),
    syncRunner: async () => {
      throw new Error('not used');
    },
  });
  try {
    await app.ready();
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
