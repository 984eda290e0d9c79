import type { ArkgraphConfig } from '../config/config.js';
import { MemoryStore } from './memory/store.js';
import type { GraphStore } from './types.js';

/** Opens the configured store. */
export async function openStore(config: Pick<ArkgraphConfig, 'store' | 'dataDir' | 'neo4j'>): Promise<GraphStore> {
  if (config.store === 'neo4j') {
    const { Neo4jStore } = await import('./neo4j/store.js');
    const store = new Neo4jStore(config.neo4j);
    try {
      await store.open();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  const store = new MemoryStore({ dataDir: config.dataDir });
  await store.open();
  return store;
}
