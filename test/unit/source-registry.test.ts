/**
 * The source registry: the sync reads whatever sources it is given (a new source is one folder and one line in
 * src/sources/index.ts), and the registered sources own distinct node kinds and write only what they declare.
 * The fake sources here exist in this test only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_KINDS, type SourceName } from '../../src/graph/schema.js';
import { isSourceError, type SourceError } from '../../src/http/index.js';
import { startGraphSimulator, startSimulator } from '../../src/simulator/index.js';
import { SOURCES, sourceByName } from '../../src/sources/index.js';
import { inTenant, type SourceOutput, tenantNode } from '../../src/sources/output.js';
import { SharedObjects } from '../../src/sources/shared.js';
import type { SourceContext, SourceInputs, SyncSource } from '../../src/sources/source.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import type { SyncConfig } from '../../src/sync/config.js';
import { runSync, SyncFailedError } from '../../src/sync/run.js';
import { generateTenant } from '../../src/tenant/generate/index.js';

interface FakeSettings {
  tenant: string;
  users: string[];
  /** The extraction fails with this message. */
  fails?: string;
}

/**
 * A directory of users read from its settings: the shape of what a source folder's index.ts exports. Its name is one
 * the graph schema does not know; the sync does not need it to.
 */
function fakeSource(
  name: string,
  options: { dependsOn?: string[]; dependencyMissing?: string } = {},
): SyncSource<FakeSettings, FakeSettings> & { transformed: string[][] } {
  const source = name as SourceName;
  const transformed: string[][] = [];
  return {
    name: source,
    title: `Fake ${name}`,
    configKey: name,
    configured: () => undefined,
    dependsOn: (options.dependsOn ?? []) as SourceName[],
    ...(options.dependencyMissing ? { dependencyMissing: options.dependencyMissing } : {}),
    owns: { nodes: ['EntraTenant', 'EntraUser'], edges: ['IN_TENANT'] },
    async extract(settings) {
      if (settings.fails) throw new Error(settings.fails);
      return settings;
    },
    transform(raw, inputs: SourceInputs): SourceOutput {
      transformed.push(Object.keys(inputs));
      const users = raw.users.map((u) => ({
        kind: 'EntraUser' as const,
        id: `${raw.tenant}:${u}`,
        nativeId: u,
        tenantId: raw.tenant,
        source,
        props: { display_name: u },
      }));
      return {
        source,
        tenantId: raw.tenant,
        nodes: [tenantNode('EntraTenant', raw.tenant, source, { name: raw.tenant }), ...users],
        edges: users.map((u) => inTenant(u, 'EntraTenant')),
        warnings: [],
      };
    },
    async check() {
      return { ok: true, checks: [] };
    },
    transformed,
  };
}

/** The fake sources' settings under their config keys (SyncConfig types only the registered sources' keys). */
const configOf = (settings: Record<string, FakeSettings | undefined>, options: Partial<SyncConfig> = {}) =>
  ({ ...settings, ...options }) as unknown as SyncConfig;

describe('runSync over a registry of fake sources', () => {
  let dataDir: string;
  let store: MemoryStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-registry-'));
    store = new MemoryStore({ dataDir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const people = { tenant: 'people.example', users: ['ann', 'bob'] };
  const staff = { tenant: 'staff.example', users: ['cy'] };
  const holders = { tenant: 'badges.example', users: ['dee'] };

  it('loads and counts the nodes of a source it is given; sources without settings take no part', async () => {
    const run = await runSync(store, configOf({ people }), {}, [fakeSource('people'), fakeSource('staff')]);
    expect(run.status).toBe('completed');
    expect(run.sources).toEqual(['people']);
    expect(run.counts.people).toEqual({ EntraTenant: 1, EntraUser: 2, IN_TENANT: 2 });
    expect(Object.keys(run.durationsMs)).toEqual(['extract.people', 'load', 'effective', 'commit']);
    expect((await store.stats()).nodes).toMatchObject({ EntraTenant: 1, EntraUser: 2 });
    const found = await (await store.reader()).findNodes(['EntraUser'], 'id', 'people.example:ann');
    expect(found.map((n) => n.id)).toEqual(['people.example:ann']);
  });

  it('marks a failed source partial under allowPartial and keeps its last good data; fails the run otherwise', async () => {
    const sources = [fakeSource('people'), fakeSource('staff')];
    expect((await runSync(store, configOf({ people, staff }), {}, sources)).status).toBe('completed');

    const failing = { people: { ...people, users: [], fails: 'directory unreachable' }, staff };
    await expect(runSync(store, configOf(failing), {}, sources)).rejects.toThrow(SyncFailedError);
    const [failed] = await store.syncRuns(1);
    expect(failed).toMatchObject({ status: 'failed', partialSources: ['people'] });

    const run = await runSync(store, configOf(failing, { allowPartial: true }), {}, sources);
    expect(run.status).toBe('partial');
    expect(run.partialSources).toEqual(['people']);
    expect(run.errors).toEqual([{ source: 'people', message: 'directory unreachable' }]);
    expect(run.counts).toEqual({ staff: { EntraTenant: 1, EntraUser: 1, IN_TENANT: 1 }, effective: expect.anything() });
    // people's users from the first sync are still there.
    expect((await store.stats()).nodes).toMatchObject({ EntraTenant: 2, EntraUser: 3 });
  });

  it('fails a source whose dependency did not load, with its own message, and transforms dependents last', async () => {
    const badges = fakeSource('badges', { dependsOn: ['people'], dependencyMissing: 'not loaded: badges need people' });
    const people2 = fakeSource('people');
    // Listed before its dependency: still transformed after it, with its output as input.
    const ok = await runSync(store, configOf({ badges: holders, people }), {}, [badges, people2]);
    expect(ok.status).toBe('completed');
    expect(ok.sources).toEqual(['badges', 'people']);
    expect(badges.transformed).toEqual([['people']]);

    // Under allowPartial the run is partial: people fails, badges (which needs people) with it, staff loads.
    const failing = { badges: holders, people: { ...people, fails: 'directory unreachable' }, staff };
    const run = await runSync(store, configOf(failing, { allowPartial: true }), {}, [
      badges,
      people2,
      fakeSource('staff'),
    ]);
    expect(run.status).toBe('partial');
    expect(run.errors).toEqual([
      { source: 'people', message: 'directory unreachable' },
      { source: 'badges', message: 'not loaded: badges need people' },
    ]);
    expect(run.partialSources).toEqual(['people', 'badges']);
    expect(badges.transformed).toHaveLength(1);
  });
});

describe('the registered sources', () => {
  it('are Identity, Privilege Cloud, Entra ID and Active Directory, in the order runs list them', () => {
    expect(SOURCES.map((s) => [s.name, s.configKey])).toEqual([
      ['identity', 'identity'],
      ['privilegecloud', 'privilegeCloud'],
      ['entra', 'entra'],
      ['activedirectory', 'activeDirectory'],
    ]);
    for (const s of SOURCES) expect(sourceByName(s.name)).toBe(s);
  });

  it('own distinct node kinds, which together are every kind but SyncRun', () => {
    const owners = new Map<string, string[]>();
    for (const s of SOURCES) for (const kind of s.owns.nodes) owners.set(kind, [...(owners.get(kind) ?? []), s.name]);
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
    expect([...owners.keys()].sort()).toEqual(NODE_KINDS.filter((k) => k !== 'SyncRun').sort());
  });

  it('write only the node and edge kinds they declare (Identity, Privilege Cloud and Entra ID on the simulators)', async () => {
    const tenant = generateTenant('small', 7);
    const sim = await startSimulator({ tenant });
    const graph = await startGraphSimulator({ entra: tenant.entra! });
    const settings: Record<string, unknown> = {
      ...sim.syncSettings(),
      ...graph.syncSettings(),
    };
    const shared = new SharedObjects();
    const ctx: SourceContext = { http: {}, now: Date.now, settings, shared: shared.get };
    try {
      const inputs: SourceInputs = {};
      for (const name of ['identity', 'privilegecloud', 'entra'] as const) {
        const source = sourceByName(name);
        const output = source.transform(
          await source.extract(settings[source.configKey], ctx, source.connect?.(settings[source.configKey], ctx)),
          inputs,
          {
            now: Date.now(),
          },
        );
        inputs[name] = output;
        expect(output.nodes.length).toBeGreaterThan(0);
        const nodeKinds = new Set(output.nodes.map((n) => n.kind));
        const edgeKinds = new Set(output.edges.map((e) => e.kind));
        expect([...nodeKinds].filter((k) => !source.owns.nodes.includes(k))).toEqual([]);
        expect([...edgeKinds].filter((k) => !source.owns.edges.includes(k))).toEqual([]);
      }
    } finally {
      await shared.close();
      await sim.close();
      await graph.close();
    }
  });

  it('connect every source before reading any: settings no client accepts stop the sync, unrecorded, before a request', async () => {
    const tenant = generateTenant('small', 7);
    const sim = await startSimulator({ tenant });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-registry-'));
    const store = new MemoryStore({ dataDir });
    try {
      // Plain http to a host that is not loopback: the Privilege Cloud client refuses it.
      const config: SyncConfig = { ...sim.syncSettings(), privilegeCloud: { pcloudUrl: 'http://pcloud.example' } };
      const error = await runSync(store, config).catch((e: unknown) => e);
      expect(isSourceError(error)).toBe(true);
      expect((error as SourceError).message).toMatch(/^privilegecloud: baseUrl: .*https is required/);
      expect(sim.counters.total()).toBe(0);
      expect(await store.syncRuns()).toEqual([]);
    } finally {
      await store.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
