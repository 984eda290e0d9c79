/**
 * One sync: extract every configured source (in parallel), transform, load into the store, compute effective
 * permissions, and commit. A failed source fails the whole sync and leaves the last good graph untouched, unless
 * `allowPartial` is set: then completed sources replace their data, failed ones keep theirs, and the run is
 * recorded as partial. Stale data is only ever removed for sources that completed.
 */
import { randomBytes } from 'node:crypto';
import { correlate } from '../correlation/correlate.js';
import { acceptsEffectiveSet, computeEffectiveSet } from '../effective/compute.js';
import type { SourceName } from '../graph/schema.js';
import { isSourceError } from '../http/index.js';
import { extractActiveDirectory } from '../sources/activedirectory/extract.js';
import { transformActiveDirectory } from '../sources/activedirectory/transform.js';
import { createEntraClient, extractEntra } from '../sources/entra/extract.js';
import { transformEntra } from '../sources/entra/transform.js';
import { createIdentityClient, extractIdentity, identityAuth } from '../sources/identity/extract.js';
import { transformIdentity } from '../sources/identity/transform.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud, pasAuth } from '../sources/privilegecloud/extract.js';
import { IdentityLookup, transformPrivilegeCloud } from '../sources/privilegecloud/transform.js';
import { countByKind, type ProgressListener, type SourceOutput } from '../sources/types.js';
import type { SyncConfig } from './config.js';
import type { CompletedScope, SyncError, SyncRunRecord, SyncTarget } from './types.js';

export interface SyncHooks {
  /** Called once the run has its id, before any source is read (the API answers POST /sync with it). */
  onStart?: (run: Readonly<SyncRunRecord>) => void;
  progress?: ProgressListener;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
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

function asSyncError(source: string, error: unknown): SyncError {
  if (isSourceError(error)) return { source, endpoint: error.endpoint, message: error.detail };
  return { source, message: error instanceof Error ? error.message : String(error) };
}

async function timed<T>(durations: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    durations[name] = Math.round(performance.now() - start);
  }
}

export async function runSync(store: SyncTarget, config: SyncConfig, hooks: SyncHooks = {}): Promise<SyncRunRecord> {
  const now = hooks.now ?? Date.now;
  const log = hooks.log ?? (() => {});
  const run: SyncRunRecord = {
    id: newSyncId(now()),
    status: 'running',
    startedAt: new Date(now()).toISOString(),
    finishedAt: null,
    sources: [
      'identity',
      ...(config.privilegeCloud ? ['privilegecloud'] : []),
      ...(config.entra ? ['entra'] : []),
      ...(config.activeDirectory ? ['activedirectory'] : []),
    ],
    partialSources: [],
    counts: {},
    durationsMs: {},
    errors: [],
  };
  const http = config.http ?? {};
  hooks.onStart?.(run);
  log('info', 'sync started', { syncId: run.id, sources: run.sources });

  const auth = identityAuth(config.identity);
  const identityClient = createIdentityClient(config.identity, auth, http);
  const pcloud = config.privilegeCloud;
  const pcloudAuth = pcloud?.pas ? pasAuth(pcloud.pcloudUrl, pcloud.pas) : auth;
  const pcloudClient = pcloud ? createPrivilegeCloudClient(pcloud.pcloudUrl, pcloudAuth, http) : undefined;

  const outputs: SourceOutput[] = [];
  const failed = new Set<string>();
  const fail = (source: string, error: unknown) => {
    failed.add(source);
    const e = asSyncError(source, error);
    run.errors.push(e);
    log('error', `${source} failed`, { ...e });
  };

  try {
    // Every source extracts in parallel; a failure is recorded and the others carry on.
    const step = <T>(source: string, fn: () => Promise<T>): Promise<T | undefined> =>
      timed(run.durationsMs, `extract.${source}`, fn).catch((error) => {
        fail(source, error);
        return undefined;
      });
    const progress = hooks.progress ? { progress: hooks.progress } : {};
    const [identityRaw, pcloudRaw, entraRaw, adRaw] = await Promise.all([
      step('identity', () =>
        extractIdentity(identityClient, config.identity.identityUrl, {
          ...(config.pageSize ? { pageSize: config.pageSize } : {}),
          ...progress,
        }),
      ),
      pcloudClient && pcloud
        ? step('privilegecloud', () =>
            extractPrivilegeCloud(
              pcloudClient,
              pcloud.pcloudUrl,
              pcloud.pas ? 'selfhosted' : 'privilegecloud',
              progress,
            ),
          )
        : undefined,
      config.entra
        ? step('entra', () => extractEntra(createEntraClient(config.entra!, http), config.entra!, progress))
        : undefined,
      config.activeDirectory
        ? step('activedirectory', () => extractActiveDirectory(config.activeDirectory!, progress))
        : undefined,
    ]);

    let identityOut: SourceOutput | undefined;
    if (identityRaw) {
      identityOut = transformIdentity(identityRaw);
      outputs.push(identityOut);
    }
    if (pcloudRaw) {
      if (identityOut) {
        outputs.push(transformPrivilegeCloud(pcloudRaw, new IdentityLookup(identityOut.nodes), now()));
      } else {
        // Without Identity, safe members cannot be resolved: treat the source as not completed.
        fail('privilegecloud', new Error('not loaded: safe members cannot be resolved without the Identity data'));
      }
    }
    const entraOut = entraRaw ? transformEntra(entraRaw) : undefined;
    const adOut = adRaw ? transformActiveDirectory(adRaw) : undefined;
    if (entraOut) outputs.push(entraOut);
    if (adOut) outputs.push(adOut);
    // Correlation needs Identity and the directory; its edges are scoped per directory tenant, so a directory that
    // failed keeps its last good correlation edges.
    if (identityOut && (entraOut || adOut)) {
      const correlation = correlate({
        identity: identityOut,
        ...(entraOut ? { entra: { tenantId: entraOut.tenantId, nodes: entraOut.nodes } } : {}),
        ...(adOut ? { activeDirectory: { tenantId: adOut.tenantId, nodes: adOut.nodes } } : {}),
        ...(config.correlationRules ? { rules: config.correlationRules } : {}),
      });
      for (const dir of [entraOut, adOut]) {
        if (!dir) continue;
        outputs.push({
          source: 'correlation',
          tenantId: dir.tenantId,
          nodes: [],
          edges: correlation.edges.filter((e) => e.tenantId === dir.tenantId),
          warnings: correlation.warnings,
        });
      }
      run.counts.correlation = correlation.counts;
    }
    for (const out of outputs) {
      if (out.source === 'correlation') continue;
      run.counts[out.source] = countByKind(out);
      for (const w of out.warnings.slice(0, 50)) log('warn', w, { source: out.source });
      if (out.warnings.length > 50) log('warn', `${out.warnings.length - 50} more warnings`, { source: out.source });
    }

    if (failed.size > 0 && (!config.allowPartial || outputs.length === 0)) {
      run.status = 'failed';
      run.partialSources = [...failed];
      run.finishedAt = new Date(now()).toISOString();
      await store.recordSyncRun(run);
      throw new SyncFailedError(run);
    }

    const writer = await store.beginSync(run.id);
    try {
      await timed(run.durationsMs, 'load', async () => {
        for (const out of outputs) await writer.upsert(out.nodes, out.edges);
      });
      const completed: CompletedScope[] = outputs.map((o) => ({
        source: o.source as SourceName,
        tenantId: o.tenantId,
      }));
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
      run.errors.push({ source: 'store', message: error instanceof Error ? error.message : String(error) });
      run.finishedAt = new Date(now()).toISOString();
      await writer.abort(run);
      throw error instanceof SyncFailedError ? error : new SyncFailedError(run);
    }
    log('info', 'sync finished', { syncId: run.id, status: run.status, durationsMs: run.durationsMs });
    return run;
  } finally {
    // Logs off the PAS session (the platform token has nothing to close).
    await Promise.allSettled([auth.close?.(), pcloudAuth !== auth ? pcloudAuth.close?.() : undefined]);
  }
}
