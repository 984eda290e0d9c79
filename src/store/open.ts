import type { ArkgraphConfig } from '../config/config.js';
import { StoreError } from './memory/snapshot.js';
import { MemoryStore } from './memory/store.js';
import type { GraphStore } from './types.js';

/** Opens the configured store. */
export async function openStore(config: Pick<ArkgraphConfig, 'store' | 'dataDir' | 'neo4j'>): Promise<GraphStore> {
  if (config.store === 'neo4j') {
    throw new StoreError('the neo4j store is not implemented yet; use --store memory');
  }
  const store = new MemoryStore({ dataDir: config.dataDir });
  await store.open();
  return store;
}
