/**
 * The app's syncs: one SyncController per app (app.arkgraph.syncs), running the configured sources unless the caller
 * gives its own runner; the schedule starts when the app is ready and stops when it closes, and closing waits (at
 * most a minute) for a running sync to release its lock before the caller closes the store.
 */
import type { FastifyInstance } from 'fastify';
import type { ArkgraphConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import type { GraphStore } from '../store/types.js';
import { syncConfigFrom } from '../sync/config.js';
import { runSync } from '../sync/run.js';
import { type Schedule, type ScheduleOptions, SyncController, type SyncRunner, startSchedule } from './sync-control.js';

export interface ApiState {
  syncs: SyncController;
  schedule: Schedule | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    arkgraph: ApiState;
  }
}

/** runSync with the configured sources; none without an identity source (POST /sync then answers 409). */
async function defaultSyncRunner(store: GraphStore, config: ArkgraphConfig): Promise<SyncRunner | undefined> {
  if (!config.identity) return undefined;
  const syncConfig = syncConfigFrom(config);
  return (hooks) => runSync(store, syncConfig, hooks);
}

/** Creates the app's sync controller and exposes it as app.arkgraph. */
export async function attachSyncs(
  app: FastifyInstance,
  options: { store: GraphStore; config: ArkgraphConfig; syncRunner: SyncRunner | undefined; logger: Logger },
): Promise<ApiState> {
  const { store, config, logger } = options;
  const syncRunner = options.syncRunner ?? (await defaultSyncRunner(store, config));
  const syncs = new SyncController(store, syncRunner, logger.child({ component: 'sync' }));
  const state: ApiState = { syncs, schedule: undefined };
  app.decorate('arkgraph', state);
  return state;
}

/** Starts the schedule (if any) when the app is ready; on close, stops it and lets a running sync finish. */
export function scheduleSyncs(
  app: FastifyInstance,
  state: ApiState,
  options: { schedule: ScheduleOptions | undefined; logger: Logger; minSyncIntervalMs: number | undefined },
): void {
  const { schedule, logger, minSyncIntervalMs } = options;
  app.addHook('onReady', async () => {
    if (schedule) {
      state.schedule = startSchedule(state.syncs, schedule, logger, minSyncIntervalMs);
    }
  });
  app.addHook('onClose', async () => {
    state.schedule?.stop();
    // A running sync finishes (or fails) and releases its lock before the store is closed by the caller.
    await Promise.race([state.syncs.idle(), new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
  });
}
