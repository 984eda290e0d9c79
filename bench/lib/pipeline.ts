/**
 * The sync pipeline's pieces as the benchmarks need them: the real extractors over HTTP against a simulator process,
 * the real transforms, and the access graph computeEffective reads (the same slice MemorySyncWriter.readAccessGraph
 * returns on a fresh store: every node and edge but accounts, tenants and sync runs).
 */

import { ACCESS_GRAPH_EXCLUDED_KINDS, type AccessGraph } from '../../src/graph/access-graph.js';
import type { HttpClient, HttpClientOptions } from '../../src/http/index.js';
import {
  createIdentityClient,
  extractIdentity,
  type IdentitySourceConfig,
  identityAuth,
} from '../../src/sources/identity/extract.js';
import { transformIdentity } from '../../src/sources/identity/transform.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud } from '../../src/sources/privilegecloud/extract.js';
import { IdentityLookup, transformPrivilegeCloud } from '../../src/sources/privilegecloud/transform.js';
import type { SourceOutput } from '../../src/sources/types.js';
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

/** Extracts both sources in parallel (as runSync does) and transforms them. */
export async function extractAndTransform(
  sim: SimulatorProcess,
  http: Partial<HttpClientOptions> = {},
  nowMs = Date.now(),
): Promise<Extracted> {
  const config = identityConfig(sim);
  const auth = identityAuth(config);
  const options = { ...BENCH_HTTP, ...http };
  const identityClient = createIdentityClient(config, auth, options);
  const pcloudClient: HttpClient = createPrivilegeCloudClient(sim.pcloudUrl, auth, options);
  const t0 = performance.now();
  const ms = { identity: 0, privilegecloud: 0, transform: 0 };
  const [identityRaw, pcloudRaw] = await Promise.all([
    extractIdentity(identityClient, sim.identityUrl).then((r) => {
      ms.identity = performance.now() - t0;
      return r;
    }),
    extractPrivilegeCloud(pcloudClient, sim.pcloudUrl, 'privilegecloud').then((r) => {
      ms.privilegecloud = performance.now() - t0;
      return r;
    }),
  ]);
  await auth.close?.();
  const t1 = performance.now();
  const identity = transformIdentity(identityRaw);
  const pcloud = transformPrivilegeCloud(pcloudRaw, new IdentityLookup(identity.nodes), nowMs);
  ms.transform = performance.now() - t1;
  return { outputs: [identity, pcloud], ms };
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
