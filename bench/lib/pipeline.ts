/**
 * The sync pipeline's pieces as the benchmarks need them: the real extractors over HTTP against a simulator process,
 * the real transforms, and the access graph computeEffective reads (the same slice MemorySyncWriter.readAccessGraph
 * returns on a fresh store: every node and edge but accounts, tenants and sync runs).
 */

import { ACCESS_GRAPH_EXCLUDED_KINDS, type AccessGraph } from '../../src/graph/access-graph.js';
import type { HttpClientOptions } from '../../src/http/index.js';
import type { IdentitySourceConfig } from '../../src/sources/identity/client.js';
import { sourceByName } from '../../src/sources/index.js';
import type { SourceOutput } from '../../src/sources/output.js';
import { SharedObjects } from '../../src/sources/shared.js';
import type { SourceContext, SourceInputs } from '../../src/sources/source.js';
import type { SyncConfig } from '../../src/sync/config.js';
import type { SimulatorProcess } from './processes.js';

/** Loopback, no injected faults: retries back off quickly. */
export const BENCH_HTTP: Partial<HttpClientOptions> = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 };

export function identityConfig(sim: SimulatorProcess): IdentitySourceConfig {
  return { identityUrl: sim.identityUrl, clientId: sim.clientId, clientSecret: sim.clientSecret };
}

export function syncConfig(sim: SimulatorProcess, http: Partial<HttpClientOptions> = {}): SyncConfig {
  return {
    identity: identityConfig(sim),
    privilegeCloud: { pcloudUrl: sim.pcloudUrl },
    http: { ...BENCH_HTTP, ...http },
  };
}

export interface Extracted {
  outputs: SourceOutput[];
  ms: { identity: number; privilegecloud: number; transform: number };
}

/**
 * Extracts the two CyberArk sources of the registry in parallel (as runSync does: one shared platform token) and
 * transforms them.
 */
export async function extractAndTransform(
  sim: SimulatorProcess,
  http: Partial<HttpClientOptions> = {},
  nowMs = Date.now(),
): Promise<Extracted> {
  const config: Readonly<Record<string, unknown>> = syncConfig(sim, http);
  const sources = [sourceByName('identity'), sourceByName('privilegecloud')];
  const shared = new SharedObjects();
  const settings = Object.fromEntries(sources.map((s) => [s.configKey, config[s.configKey]]));
  const ctx: SourceContext = { http: { ...BENCH_HTTP, ...http }, now: Date.now, settings, shared: shared.get };
  const t0 = performance.now();
  const ms = { identity: 0, privilegecloud: 0, transform: 0 };
  const raws = await Promise.all(
    sources.map((s) =>
      s.extract(settings[s.configKey], ctx, s.connect?.(settings[s.configKey], ctx)).then((raw) => {
        ms[s.name as 'identity' | 'privilegecloud'] = performance.now() - t0;
        return raw;
      }),
    ),
  );
  await shared.close();
  const t1 = performance.now();
  const inputs: SourceInputs = {};
  const outputs = sources.map((s, i) => {
    const output = s.transform(raws[i], inputs, { now: nowMs });
    inputs[s.name] = output;
    return output;
  });
  ms.transform = performance.now() - t1;
  return { outputs, ms };
}

/** The access graph of a fresh sync (what MemorySyncWriter.readAccessGraph returns on an empty store). */
export function accessGraphOf(outputs: SourceOutput[]): AccessGraph {
  const nodes = outputs.flatMap((o) => o.nodes.filter((n) => !ACCESS_GRAPH_EXCLUDED_KINDS.has(n.kind)));
  const kept = new Set(nodes.map((n) => `${n.kind}|${n.id}`));
  const edges = outputs.flatMap((o) =>
    o.edges.filter((e) => kept.has(`${e.from.kind}|${e.from.id}`) && kept.has(`${e.to.kind}|${e.to.id}`)),
  );
  return { nodes, edges };
}

export function rowCounts(outputs: SourceOutput[]): { nodes: number; edges: number } {
  return {
    nodes: outputs.reduce((n, o) => n + o.nodes.length, 0),
    edges: outputs.reduce((n, o) => n + o.edges.length, 0),
  };
}
