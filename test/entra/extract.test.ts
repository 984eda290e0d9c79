import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode } from '../../src/graph/schema.js';
import { validateEdge, validateNode } from '../../src/graph/validate.js';
import { type GraphSimulator, startGraphSimulator } from '../../src/simulator/index.js';
import {
  createEntraClient,
  entraScope,
  entraTokenUrl,
  extractEntra,
  graphBase,
} from '../../src/sources/entra/extract.js';
import type { EntraRaw } from '../../src/sources/entra/schemas.js';
import { transformEntra } from '../../src/sources/entra/transform.js';
import type { ProgressEvent } from '../../src/sources/source.js';
import type { Tenant } from '../../src/tenant/format/index.js';
import { buildEntraTenant, G, PRIMARY_DOMAIN, TENANT_ID, userId } from './fixture.js';
import { countMatching, entraConfig, FAST_HTTP } from './helpers.js';

const tenant = buildEntraTenant();
const entra = tenant.entra!;
let sim: GraphSimulator;

beforeAll(async () => {
  sim = await startGraphSimulator({ entra });
});
afterAll(async () => {
  await sim?.close();
});

/** What the graph must hold, computed from the tenant file alone. */
function oracle(t: Tenant) {
  const e = t.entra!;
  const id = (objectId: string) => `${e.tenantId}:${objectId.toLowerCase()}`;
  const memberOf = new Set<string>();
  for (const g of e.groups) {
    for (const m of g.members)
      memberOf.add(`${m.type === 'user' ? 'EntraUser' : 'EntraGroup'} ${id(m.id)} -> ${id(g.id)}`);
  }
  return {
    users: new Set(e.users.map((u) => id(u.id))),
    groups: new Set(e.groups.map((g) => id(g.id))),
    memberOf,
  };
}

const edgeKey = (e: GraphEdge) => `${e.from.kind} ${e.from.id} -> ${e.to.id}`;
const ofKind = (nodes: GraphNode[], kind: string) => nodes.filter((n) => n.kind === kind);

describe('config helpers', () => {
  it('builds the token URL and the scope from the configurable authority and Graph URLs', () => {
    const cfg = { tenantId: TENANT_ID, clientId: 'c', clientSecret: 's' };
    expect(entraTokenUrl(cfg)).toBe(`https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/token`);
    expect(entraScope(cfg)).toBe('https://graph.microsoft.com/.default');
    expect(graphBase('https://graph.microsoft.us/v1.0/')).toBe('https://graph.microsoft.us');
    expect(entraTokenUrl({ ...cfg, authorityUrl: 'https://login.microsoftonline.us/' })).toBe(
      `https://login.microsoftonline.us/${TENANT_ID}/oauth2/v2.0/token`,
    );
    expect(() => entraTokenUrl({ ...cfg, tenantId: ' ' })).toThrow(/entra: tenantId: /);
  });

  it('refuses plain http to a non-loopback host and a bad page size', async () => {
    expect(() => createEntraClient(entraConfig(sim, { graphUrl: 'http://graph.example' }))).toThrow(
      /https is required/,
    );
    const client = createEntraClient(entraConfig(sim), FAST_HTTP);
    await expect(extractEntra(client, entraConfig(sim), { pageSize: 1000 })).rejects.toThrow(/pageSize/);
  });
});

describe('extract + transform against the simulator', () => {
  let raw: EntraRaw;
  const events: ProgressEvent[] = [];

  beforeAll(async () => {
    sim.counters.reset();
    const config = entraConfig(sim, { primaryDomain: PRIMARY_DOMAIN });
    raw = await extractEntra(createEntraClient(config, FAST_HTTP), config, {
      pageSize: 25,
      progress: (e) => events.push(e),
    });
  });

  it('reads every user, group and direct membership, paging with nextLink', () => {
    expect(raw.users).toHaveLength(entra.users.length);
    expect(raw.groups).toHaveLength(entra.groups.length);
    expect(Object.keys(raw.members)).toHaveLength(entra.groups.length);
    expect(raw.members[G.allStaff]).toHaveLength(106);
    expect(raw.warnings).toEqual([]);
    // One token; pages of 25: users 36 → 2, groups 82 → 4, members: 1 page per group except All Staff (106 → 5).
    expect(countMatching(sim, /^POST \/.*\/oauth2\/v2\.0\/token$/)).toBe(1);
    expect(sim.counters.get('GET /v1.0/users')).toBe(2);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(4);
    expect(sim.counters.get(`GET /v1.0/groups/${G.allStaff}/members`)).toBe(5);
    expect(countMatching(sim, /\/members$/)).toBe(entra.groups.length - 1 + 5);
    expect(sim.counters.total()).toBe(1 + 2 + 4 + entra.groups.length - 1 + 5);
  });

  it('reports progress per phase', () => {
    const phases = events.filter((e) => e.type === 'phase').map((e) => e.phase);
    expect(phases).toEqual(['users', 'groups', 'group members']);
    const last = events.filter((e) => e.type === 'progress' && e.phase === 'group members').at(-1);
    expect(last).toMatchObject({ done: entra.groups.length, total: entra.groups.length });
    expect(events.every((e) => e.source === 'entra')).toBe(true);
  });

  it('produces the oracle’s nodes and edges, all valid against the schema', () => {
    const out = transformEntra(raw);
    const expected = oracle(tenant);
    expect(out.source).toBe('entra');
    expect(out.tenantId).toBe(TENANT_ID);
    expect(out.warnings).toEqual([]);
    for (const n of out.nodes) validateNode(n);
    for (const e of out.edges) validateEdge(e);

    const [tenantNode] = ofKind(out.nodes, 'EntraTenant');
    expect(tenantNode).toMatchObject({
      id: TENANT_ID,
      tenantId: '',
      props: { name: PRIMARY_DOMAIN, graph_url: sim.graphUrl },
    });
    expect(new Set(ofKind(out.nodes, 'EntraUser').map((n) => n.id))).toEqual(expected.users);
    expect(new Set(ofKind(out.nodes, 'EntraGroup').map((n) => n.id))).toEqual(expected.groups);
    const memberOf = out.edges.filter((e) => e.kind === 'MEMBER_OF').map(edgeKey);
    expect(memberOf).toHaveLength(expected.memberOf.size);
    expect(new Set(memberOf)).toEqual(expected.memberOf);
    const inTenant = out.edges.filter((e) => e.kind === 'IN_TENANT');
    expect(inTenant).toHaveLength(expected.users.size + expected.groups.size);
    expect(inTenant.every((e) => e.to.kind === 'EntraTenant' && e.to.id === TENANT_ID)).toBe(true);
    expect(out.nodes.every((n) => n.source === 'entra')).toBe(true);
  });

  it('keeps every user property: synced, guests with #EXT# UPNs, disabled, mixed-case UPNs', () => {
    const out = transformEntra(raw);
    const user = (n: number) => out.nodes.find((x) => x.id === `${TENANT_ID}:${userId(n)}`)!;
    const t = entra.users.find((u) => u.id === userId(25))!;
    expect(user(25).props).toEqual({
      user_principal_name: 'jane.doe@corp.example',
      upn_lower: 'jane.doe@corp.example',
      display_name: 'Doe, Jane',
      mail: 'jane.doe@corp.example',
      account_enabled: true,
      user_type: 'Member',
      on_premises_sid: t.onPremisesSecurityIdentifier,
      on_premises_distinguished_name: 'CN=Doe\\, Jane,OU=Finance,DC=corp,DC=example',
      on_premises_sam_account_name: 'jdoe',
      on_premises_user_principal_name: 'jdoe@corp.example',
      on_premises_immutable_id: t.onPremisesImmutableId,
      on_premises_sync_enabled: true,
    });
    expect(user(1).props).toMatchObject({
      user_principal_name: 'Alice.Adams1@Corp.Example',
      upn_lower: 'alice.adams1@corp.example',
    });
    expect(user(33).props).toMatchObject({
      user_principal_name: 'Max.Mustermann_Beispiel.DE#EXT#@corpexample.onmicrosoft.com',
      upn_lower: 'max.mustermann_beispiel.de#ext#@corpexample.onmicrosoft.com',
      user_type: 'Guest',
      account_enabled: false,
      on_premises_sync_enabled: null,
    });
    expect(user(26).props).toMatchObject({ on_premises_sync_enabled: false, on_premises_sam_account_name: 'oldsync' });
    expect(user(27).props).toMatchObject({ account_enabled: false, on_premises_distinguished_name: null });
    const pam = out.nodes.find((x) => x.id === `${TENANT_ID}:${G.pamAdmins}`)!;
    expect(pam.props).toEqual({
      display_name: 'PAM Admins',
      mail: null,
      security_enabled: true,
      group_types: [],
      on_premises_sid: entra.groups.find((g) => g.id === G.pamAdmins)!.onPremisesSecurityIdentifier,
      on_premises_sam_account_name: 'PAM-Admins',
      on_premises_sync_enabled: true,
    });
    const m365 = out.nodes.find((x) => x.id === `${TENANT_ID}:${G.m365}`)!;
    expect(m365.props).toMatchObject({ group_types: ['Unified'], security_enabled: false });
  });

  it('keeps nested groups and the cycle as plain MEMBER_OF edges', () => {
    const out = transformEntra(raw);
    const keys = new Set(out.edges.filter((e) => e.kind === 'MEMBER_OF').map(edgeKey));
    const gid = (id: string) => `${TENANT_ID}:${id}`;
    // [member, group]
    for (const [member, group] of [
      [G.cycleB, G.cycleA],
      [G.cycleC, G.cycleB],
      [G.cycleA, G.cycleC],
      [G.pamAdmins, G.allPrivileged],
      [G.tier0, G.pamAdmins],
    ] as const) {
      expect(keys.has(`EntraGroup ${gid(member)} -> ${gid(group)}`), `${member} in ${group}`).toBe(true);
    }
  });
});

describe('defaults', () => {
  it('reads with $top=999 (one page per collection) and names the tenant by its id without a primary domain', async () => {
    sim.counters.reset();
    const config = entraConfig(sim, { graphUrl: `${sim.graphUrl}/v1.0/` });
    const raw = await extractEntra(createEntraClient(config, FAST_HTTP), config);
    expect(sim.counters.get('GET /v1.0/users')).toBe(1);
    expect(sim.counters.get('GET /v1.0/groups')).toBe(1);
    expect(sim.counters.get(`GET /v1.0/groups/${G.allStaff}/members`)).toBe(1);
    const out = transformEntra(raw);
    expect(out.nodes[0]).toMatchObject({ kind: 'EntraTenant', props: { name: TENANT_ID, graph_url: sim.graphUrl } });
    expect(out.edges.filter((e) => e.kind === 'MEMBER_OF')).toHaveLength(oracle(tenant).memberOf.size);
  });
});
