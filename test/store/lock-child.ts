/**
 * A child process for test/store/lock.test.ts: opens the store in argv[2], tries to begin a sync (take the lock),
 * prints "locked" or "acquired", and when acquired holds the lock for argv[3] ms before aborting.
 */
import { MemoryStore } from '../../src/store/memory/store.js';

const store = new MemoryStore({ dataDir: process.argv[2]! });
try {
  const writer = await store.beginSync(`sync-child-${process.pid}`);
  process.stdout.write('acquired\n');
  await new Promise((r) => setTimeout(r, Number(process.argv[3] ?? 0)));
  await writer.abort({
    id: `sync-child-${process.pid}`,
    status: 'failed',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    sources: [],
    partialSources: [],
    counts: {},
    durationsMs: {},
    errors: [],
  });
} catch (error) {
  process.stdout.write(`${(error as { reason?: string }).reason === 'locked' ? 'locked' : `error ${String(error)}`}\n`);
} finally {
  await store.close();
}
