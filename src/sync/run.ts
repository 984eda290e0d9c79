/**
 * One sync: extract every configured source (in parallel), transform, load into the store, compute effective
 * permissions, and commit. A failed source fails the whole sync and leaves the last good graph untouched, unless
 * `allowPartial` is set: then completed sources replace their data, failed ones keep theirs, and the run is
 * recorded as partial. Stale data is only ever removed for sources that completed.
 */
import { randomBytes } from 'node:crypto';
import { correlate } from '../correlation/correlate.js';
import { acceptsEffectiveSet, computeEffectiveSet } from '../effective/compute.js';
import { isSourceError, scrubSecrets } from '../http/index.js';
import { SOURCES } from '../sources/index.js';
import { countByKind, type SourceOutput } from '../sources/output.js';
import { SharedObjects } from '../sources/shared.js';
import type { ProgressListener, SourceContext, SourceInputs, SyncSource } from '../sources/source.js';
import type { SyncConfig } from './config.js';
import type { CompletedScope, SyncError, SyncRunRecord, SyncTarget } from './types.js';

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface SyncHooks {
  /** Called once the run has its id, before any source is read (the API answers POST /sync with it). */
  onStart?: (run: Readonly<SyncRunRecord>) => void;
  progress?: ProgressListener;
  log?: Log;
  now?: () => number;
}

export class SyncFailedError extends Error {
  constructor(readonly run: SyncRunRecord) {
    super(
      `sync ${run.id} failed; the previous graph is unchanged:\n${run.errors
        .map((e) => `  ${e.source}${e.endpoint ? ` ${e.endpoint}` : ''}: ${e.message}`)
        .join('\n')}`,
    );
    this.name = 'SyncFailedError';
  }
}

export function newSyncId(now = Date.now()): string {
  return `sync-${new Date(now).toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

/**
 * A run's error as it is stored and served (sync-runs.json, GET /sync/runs): scrubbed here whatever threw it, since
 * a library's or Node's own error message can carry a URL or a body no source scrubbed.
 */
function asSyncError(source: string, error: unknown): SyncError {
  if (isSourceError(error))
    return { source, endpoint: scrubSecrets(error.endpoint), message: scrubSecrets(error.detail) };
  return { source, message: scrubSecrets(error instanceof Error ? error.message : String(error)) };
}

async function timed<T>(durations: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    durations[name] = Math.round(performance.now() - start);
  }
}

/** A source taking part in this sync, with its settings. */
interface Taking {
  source: SyncSource;
  settings: unknown;
}

/** What the steps of one sync share: the run record, the log, the clock and the sources that failed. */
interface SyncState {
  readonly run: SyncRunRecord;
  readonly log: Log;
  readonly now: () => number;
  readonly failed: Set<string>;
  /** Records a source as failed: an error in the run record and in the log. */
  fail(source: string, error: unknown): void;
}

/**
 * Runs one sync over `sources` (the registry by default; tests pass their own): those with settings in `config` take
 * part, in registry order.
 */
export async function runSync(
  store: SyncTarget,
  config: SyncConfig,
  hooks: SyncHooks = {},
  sources: readonly SyncSource[] = SOURCES,
): Promise<SyncRunRecord> {
  const now = hooks.now ?? Date.now;
  const log = hooks.log ?? (() => {});
  const taking = configuredSources(sources, config);
  const run: SyncRunRecord = {
    id: newSyncId(now()),
    status: 'running',
    startedAt: new Date(now()).toISOString(),
    finishedAt: null,
    sources: taking.map((t) => t.source.name),
    partialSources: [],
    counts: {},
    durationsMs: {},
    errors: [],
  };
  hooks.onStart?.(run);
  log('info', 'sync started', { syncId: run.id, sources: run.sources });

  const state = syncState(run, log, now);
  const shared = new SharedObjects();
  const ctx: SourceContext = {
    http: config.http ?? {},
    pageSize: config.pageSize,
    progress: hooks.progress,
    now,
    settings: Object.fromEntries(taking.map((t) => [t.source.configKey, t.settings])),
    shared: shared.get,
  };
  try {
    // Before any source is read: settings no client accepts stop the sync here, unrecorded (as a config error).
    const connections = new Map(taking.map((t) => [t.source.name, t.source.connect?.(t.settings, ctx)]));
    const raws = await extractAll(taking, ctx, state, connections);
    const outputs = transformAll(taking, raws, state);
    const correlation = correlateDirectories(outputs, config, run);
    countAndWarn(outputs, state);
    const all = [...outputs, ...correlation];

    if (state.failed.size > 0 && (!config.allowPartial || all.length === 0)) {
      run.status = 'failed';
      run.partialSources = [...state.failed];
      run.finishedAt = new Date(now()).toISOString();
      await store.recordSyncRun(run);
      throw new SyncFailedError(run);
    }
    await load(store, all, config, state);
    log('info', 'sync finished', { syncId: run.id, status: run.status, durationsMs: run.durationsMs });
    return run;
  } finally {
    // Logs off the PAS session (the platform token has nothing to close).
    await shared.close();
  }
}

/** The sources that have settings in this sync's configuration, in registry order. */
function configuredSources(sources: readonly SyncSource[], config: SyncConfig): Taking[] {
  const byKey: Readonly<Record<string, unknown>> = config;
  return sources.flatMap((source) => {
    const settings = byKey[source.configKey];
    return settings ? [{ source, settings }] : [];
  });
}

function syncState(run: SyncRunRecord, log: Log, now: () => number): SyncState {
  const failed = new Set<string>();
  return {
    run,
    log,
    now,
    failed,
    fail(source, error) {
      failed.add(source);
      const e = asSyncError(source, error);
      run.errors.push(e);
      log('error', `${source} failed`, { ...e });
    },
  };
}

/** Every source extracts at once; a failure is recorded and the others carry on. The raw data by source. */
async function extractAll(
  taking: Taking[],
  ctx: SourceContext,
  state: SyncState,
  connections: ReadonlyMap<string, unknown>,
): Promise<Map<string, unknown>> {
  const raws = new Map<string, unknown>();
  await Promise.all(
    taking.map(({ source, settings }) =>
      timed(state.run.durationsMs, `extract.${source.name}`, () =>
        source.extract(settings, ctx, connections.get(source.name)),
      ).then(
        (raw) => {
          raws.set(source.name, raw);
        },
        (error) => state.fail(source.name, error),
      ),
    ),
  );
  return raws;
}

/** The sources ordered so that each comes after those it depends on; registry order otherwise. */
function inDependencyOrder(taking: Taking[]): Taking[] {
  const ordered: Taking[] = [];
  const pending = [...taking];
  const isPending = (name: string) => pending.some((t) => t.source.name === name);
  while (pending.length > 0) {
    const next = pending.findIndex((t) => t.source.dependsOn.every((d) => !isPending(d)));
    if (next < 0) throw new Error(`sources depend on each other: ${pending.map((t) => t.source.name).join(', ')}`);
    ordered.push(...pending.splice(next, 1));
  }
  return ordered;
}

/**
 * Transforms what was extracted, in dependency order. A source whose dependency did not load is failed instead (it
 * keeps its previous data under allowPartial). Transform errors are not caught: they fail the whole sync.
 */
function transformAll(taking: Taking[], raws: Map<string, unknown>, state: SyncState): SourceOutput[] {
  const inputs: SourceInputs = {};
  const outputs: SourceOutput[] = [];
  // The clock is read only when a transform asks for it (Privilege Cloud: which memberships have expired).
  const clock = {
    get now() {
      return state.now();
    },
  };
  for (const { source } of inDependencyOrder(taking)) {
    if (!raws.has(source.name)) continue;
    const missing = source.dependsOn.find((name) => !inputs[name]);
    if (missing !== undefined) {
      state.fail(source.name, new Error(source.dependencyMissing ?? `not loaded: needs the ${missing} data`));
      continue;
    }
    const output = source.transform(raws.get(source.name), inputs, clock);
    inputs[source.name] = output;
    outputs.push(output);
  }
  return outputs;
}

/**
 * Correlation needs Identity and a directory; its edges are scoped per directory tenant, so a directory that failed
 * keeps its last good correlation edges. One output per directory; the counts go into the run record.
 */
function correlateDirectories(outputs: SourceOutput[], config: SyncConfig, run: SyncRunRecord): SourceOutput[] {
  const identity = outputs.find((o) => o.source === 'identity');
  const entra = outputs.find((o) => o.source === 'entra');
  const activeDirectory = outputs.find((o) => o.source === 'activedirectory');
  if (!identity || (!entra && !activeDirectory)) return [];
  const correlation = correlate({
    identity,
    ...(entra ? { entra: { tenantId: entra.tenantId, nodes: entra.nodes } } : {}),
    ...(activeDirectory
      ? { activeDirectory: { tenantId: activeDirectory.tenantId, nodes: activeDirectory.nodes } }
      : {}),
    ...(config.correlationRules ? { rules: config.correlationRules } : {}),
  });
  run.counts.correlation = correlation.counts;
  return [entra, activeDirectory]
    .filter((dir) => dir !== undefined)
    .map((dir) => ({
      source: 'correlation',
      tenantId: dir.tenantId,
      nodes: [],
      edges: correlation.edges.filter((e) => e.tenantId === dir.tenantId),
      warnings: correlation.warnings,
    }));
}

/** Each source's row counts go into the run record, its first 50 warnings into the log. */
function countAndWarn(outputs: SourceOutput[], { run, log }: SyncState): void {
  for (const out of outputs) {
    run.counts[out.source] = countByKind(out);
    for (const w of out.warnings.slice(0, 50)) log('warn', w, { source: out.source });
    if (out.warnings.length > 50) log('warn', `${out.warnings.length - 50} more warnings`, { source: out.source });
  }
}

/**
 * Writes the rows, computes and writes effective permissions, and commits. Any failure aborts the write (the last
 * good graph stays) and fails the run.
 */
async function load(store: SyncTarget, outputs: SourceOutput[], config: SyncConfig, state: SyncState): Promise<void> {
  const { run, now, failed, log } = state;
  const writer = await store.beginSync(run.id);
  try {
    await timed(run.durationsMs, 'load', async () => {
      for (const out of outputs) await writer.upsert(out.nodes, out.edges);
    });
    const completed: CompletedScope[] = outputs.map((o) => ({ source: o.source, tenantId: o.tenantId }));
    const effective = await timed(run.durationsMs, 'effective', async () => {
      const graph = await writer.readAccessGraph(completed);
      const set = computeEffectiveSet(graph, config.maxPaths ? { maxPaths: config.maxPaths } : {});
      // Both stores take the compact set (millions of edges on large tenants); any other writer gets edges.
      if (acceptsEffectiveSet(writer)) await writer.writeEffectiveSet(set);
      else await writer.writeEffective(set.toEdges());
      return set.size;
    });
    run.counts.effective = { HAS_EFFECTIVE_PERMISSION: effective };
    run.partialSources = [...failed];
    run.status = failed.size > 0 ? 'partial' : 'completed';
    run.finishedAt = new Date(now()).toISOString();
    await timed(run.durationsMs, 'commit', () => writer.commit(completed, run));
  } catch (error) {
    run.status = 'failed';
    run.errors.push(asSyncError('store', error));
    run.finishedAt = new Date(now()).toISOString();
    await writer.abort(run);
    throw error instanceof SyncFailedError ? error : new SyncFailedError(run);
  }
  // What the store repaired on the way (a damaged file set aside, leftovers removed) is in the run; the log gets it
  // too. Outside the try: the graph is committed, nothing after that may report it as unchanged.
  for (const e of run.errors) if (e.source === 'store') log('warn', e.message, { syncId: run.id });
}
