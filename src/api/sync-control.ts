/**
 * Sync control for the API: at most one sync at a time (started by POST /sync or by the schedule), run in the
 * background, visible as `running` in GET /sync/runs until it is recorded by the store. A tick of the schedule while
 * a sync runs is skipped and logged. A failed sync keeps the last good graph (runSync guarantees it) and is recorded
 * as failed — also when it fails before runSync could record it (e.g. the store is locked).
 */
import { Cron } from 'croner';
import { scrubSecrets } from '../http/index.js';
import type { Logger } from '../log.js';
import type { GraphStore } from '../store/types.js';
import { newSyncId, SyncFailedError, type SyncHooks } from '../sync/run.js';
import type { SyncRunRecord } from '../sync/types.js';

/** Runs one sync with the given hooks (the default calls runSync with the configured sources). */
export type SyncRunner = (hooks: SyncHooks) => Promise<SyncRunRecord>;

export type SyncTrigger = 'api' | 'schedule';

export type StartResult = { started: true; id: string } | { started: false; running: string };

interface InFlight {
  run: SyncRunRecord;
  idKnown: Promise<string>;
  done: Promise<void>;
}

export class SyncController {
  private current: InFlight | undefined;

  constructor(
    private readonly store: GraphStore,
    private readonly runner: SyncRunner | undefined,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.runner !== undefined;
  }

  /** The run in progress (status running), if any. */
  get running(): SyncRunRecord | undefined {
    return this.current?.run.id ? { ...this.current.run } : undefined;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    while (this.current) await this.current.done;
  }

  /**
   * Starts a sync unless one is running. Resolves once the run id is known (immediately after the sync started).
   * The decision is taken synchronously, so concurrent calls start exactly one sync.
   */
  async start(trigger: SyncTrigger): Promise<StartResult> {
    if (this.current) return { started: false, running: await this.current.idKnown };
    const runner = this.runner;
    if (!runner) throw new Error('no sync runner');
    const run: SyncRunRecord = {
      id: '',
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      sources: [],
      partialSources: [],
      counts: {},
      durationsMs: {},
      errors: [],
    };
    let resolveId!: (id: string) => void;
    const idKnown = new Promise<string>((resolve) => {
      resolveId = resolve;
    });
    const setId = (id: string) => {
      run.id = id;
      resolveId(id);
    };
    const log = this.logger.child({ trigger });
    const hooks: SyncHooks = {
      onStart: (started) => {
        run.sources = [...started.sources];
        if (!run.id) setId(started.id);
      },
      log: (level, message, fields) => log[level](scrubFields(fields ?? {}), scrubSecrets(message)),
    };
    const inflight: InFlight = { run, idKnown, done: Promise.resolve() };
    this.current = inflight;
    inflight.done = (async () => {
      try {
        const result = await runner(hooks);
        if (!run.id) setId(result.id);
      } catch (error) {
        await this.recordFailure(run, error, setId, log);
      } finally {
        this.current = undefined;
      }
    })();
    return { started: true, id: await idKnown };
  }

  private async recordFailure(
    run: SyncRunRecord,
    error: unknown,
    setId: (id: string) => void,
    log: Logger,
  ): Promise<void> {
    if (error instanceof SyncFailedError) {
      if (!run.id) setId(error.run.id);
      log.warn({ syncId: error.run.id, errors: error.run.errors }, 'sync failed; the last good graph is unchanged');
      return;
    }
    const message = scrubSecrets(error instanceof Error ? error.message : String(error));
    if (!run.id) setId(newSyncId());
    log.error({ syncId: run.id, err: { message } }, 'sync failed before it could be recorded');
    try {
      if (!(await this.store.syncRun(run.id))) {
        await this.store.recordSyncRun({
          ...run,
          status: 'failed',
          finishedAt: new Date().toISOString(),
          errors: [...run.errors, { source: 'sync', message }],
        });
      }
    } catch (recordError) {
      log.error(
        { err: { message: scrubSecrets(String((recordError as Error)?.message)) } },
        'cannot record the failed sync',
      );
    }
  }
}

function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = typeof v === 'string' ? scrubSecrets(v) : v;
  return out;
}

// ------------------------------------------------------------------------------------------------------ schedule

export interface ScheduleOptions {
  /** Interval, e.g. "15m" (s, m, h, d), or milliseconds. */
  every?: string | number;
  /** A cron expression (croner syntax, 5 or 6 fields), e.g. "0 * * * *". */
  cron?: string;
  /**
   * Also sync once as the schedule starts, so a server started with an hourly schedule answers within a sync, not
   * an hour (arkgraph serve does unless --no-sync-at-start).
   */
  atStart?: boolean;
}

export interface Schedule {
  /** One tick, as the timer does it (exposed for tests). */
  tick(): Promise<void>;
  /** Next planned tick, if known. */
  next(): Date | null;
  stop(): void;
}

/** Minimum interval between scheduled syncs. */
export const MIN_SYNC_INTERVAL_MS = 10_000;

/** Parses "90s", "15m", "2h", "1d" (or a number of milliseconds). */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)\s*(ms|s|m|h|d)$/i.exec(value.trim());
  if (!m) throw new RangeError(`invalid duration "${value}": use e.g. 90s, 15m, 2h or 1d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as 'ms']!;
  return Number(m[1]) * unit;
}

/** Validates a cron expression (throws RangeError with croner's reason). */
export function checkCron(expr: string): void {
  try {
    new Cron(expr, { paused: true }).stop();
  } catch (error) {
    throw new RangeError(`invalid cron expression "${expr}": ${(error as Error).message}`);
  }
}

export function startSchedule(
  controller: SyncController,
  options: ScheduleOptions,
  logger: Logger,
  minIntervalMs = MIN_SYNC_INTERVAL_MS,
): Schedule {
  const log = logger.child({ trigger: 'schedule' });
  const tick = async () => {
    if (controller.busy) {
      log.warn({ running: controller.running?.id ?? null }, 'scheduled sync skipped: a sync is still running');
      return;
    }
    try {
      const r = await controller.start('schedule');
      if (r.started) log.info({ syncId: r.id }, 'scheduled sync started');
      else log.warn({ running: r.running }, 'scheduled sync skipped: a sync is still running');
    } catch (error) {
      log.error({ err: { message: scrubSecrets((error as Error).message) } }, 'scheduled sync could not start');
    }
  };
  if (options.every !== undefined && options.cron !== undefined) {
    throw new RangeError('give either an interval or a cron expression, not both');
  }
  if (options.atStart) setImmediate(() => void tick());
  if (options.cron !== undefined) {
    checkCron(options.cron);
    const job = new Cron(options.cron, { protect: true, catch: true }, () => {
      void tick();
    });
    log.info({ cron: options.cron, next: job.nextRun()?.toISOString() ?? null }, 'sync schedule set');
    return { tick, next: () => job.nextRun(), stop: () => job.stop() };
  }
  if (options.every !== undefined) {
    const ms = parseDuration(options.every);
    if (!Number.isFinite(ms) || ms < minIntervalMs) {
      throw new RangeError(`the sync interval must be at least ${minIntervalMs / 1000} s`);
    }
    let nextAt = Date.now() + ms;
    const timer = setInterval(() => {
      nextAt = Date.now() + ms;
      void tick();
    }, ms);
    log.info({ everyMs: ms }, 'sync schedule set');
    return { tick, next: () => new Date(nextAt), stop: () => clearInterval(timer) };
  }
  throw new RangeError('a schedule needs an interval or a cron expression');
}
