import { describe, expect, it } from 'vitest';
import { validateEdge, validateNode } from '../../src/graph/validate.js';
import type { EntraRaw } from '../../src/sources/entra/schemas.js';
import { entraNodeId, transformEntra, upnKey } from '../../src/sources/entra/transform.js';

const T = '8F0E1D2C-3B4A-4596-A7B8-C9D0E1F2A3B4';
const t = T.toLowerCase();
const U1 = 'AAAAAAAA-0000-4000-8000-000000000001';
const U2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const G1 = 'bbbbbbbb-0000-4000-8000-000000000001';
const G2 = 'bbbbbbbb-0000-4000-8000-000000000002';

function raw(overrides: Partial<EntraRaw> = {}): EntraRaw {
  return {
    tenantId: T,
    primaryDomain: null,
    graphUrl: 'https://graph.microsoft.com',
    users: [
      { id: U1, userPrincipalName: ' Mixed.Case@Corp.Example ', accountEnabled: true, userType: 'Member' },
      { id: U2, userPrincipalName: 'x_partner.example#EXT#@corp.onmicrosoft.com', userType: 'Guest' },
    ],
    groups: [
      { id: G1, displayName: 'One', groupTypes: null },
      { id: G2, displayName: 'Two', groupTypes: ['Unified'] },
    ],
    members: {},
    warnings: [],
    ...overrides,
  };
}

describe('transformEntra', () => {
  it('lower-cases tenant and object ids in graph keys; upn_lower is trimmed and lower-cased', () => {
    const out = transformEntra(raw());
    expect(out.tenantId).toBe(t);
    expect(out.nodes[0]).toMatchObject({ kind: 'EntraTenant', id: t, props: { name: t } });
    const u1 = out.nodes.find((n) => n.nativeId === U1)!;
    expect(u1.id).toBe(entraNodeId(T, U1));
    expect(u1.id).toBe(`${t}:${U1.toLowerCase()}`);
    expect(u1.props.upn_lower).toBe('mixed.case@corp.example');
    expect(upnKey('A_B.C#EXT#@X.onmicrosoft.com')).toBe('a_b.c#ext#@x.onmicrosoft.com');
    expect(out.nodes.find((n) => n.nativeId === G1)!.props.group_types).toEqual([]);
    for (const n of out.nodes) validateNode(n);
    for (const e of out.edges) validateEdge(e);
  });

  it('makes MEMBER_OF for users and groups; skips, and counts, other member types and unknown objects', () => {
    const out = transformEntra(
      raw({
        members: {
          [G1.toUpperCase()]: [
            { '@odata.type': '#microsoft.graph.user', id: U1.toLowerCase() },
            { '@odata.type': '#microsoft.graph.group', id: G2 },
            { '@odata.type': '#microsoft.graph.device', id: 'd1' },
            { '@odata.type': '#microsoft.graph.device', id: 'd2' },
            { '@odata.type': '#microsoft.graph.servicePrincipal', id: 'sp1' },
            { '@odata.type': '#microsoft.graph.orgContact', id: 'c1' },
            { id: 'no-type' },
            { '@odata.type': '#microsoft.graph.user', id: 'cccccccc-0000-4000-8000-000000000009' },
            { '@odata.type': '#microsoft.graph.user', id: U1 }, // listed twice: one edge
          ],
          [G2]: [
            { '@odata.type': '#microsoft.graph.group', id: G1 }, // cycle
            { '@odata.type': '#microsoft.graph.group', id: G2 }, // itself
            { '@odata.type': '#microsoft.graph.user', id: U2 },
          ],
        },
      }),
    );
    const memberOf = out.edges.filter((e) => e.kind === 'MEMBER_OF').map((e) => `${e.from.id} -> ${e.to.id}`);
    const id = (x: string) => entraNodeId(T, x);
    expect(memberOf.sort()).toEqual(
      [`${id(U1)} -> ${id(G1)}`, `${id(G2)} -> ${id(G1)}`, `${id(G1)} -> ${id(G2)}`, `${id(U2)} -> ${id(G2)}`].sort(),
    );
    expect(out.edges.filter((e) => e.kind === 'IN_TENANT')).toHaveLength(4);
    expect(out.warnings).toEqual([
      'group "Two" lists itself as a member; skipped',
      'skipped 5 group member(s) that are neither users nor groups: 2 #microsoft.graph.device, 1 #microsoft.graph.orgContact, 1 #microsoft.graph.servicePrincipal, 1 (no @odata.type)',
      'skipped 1 group member(s) missing from the user and group listings: user cccccccc-0000-4000-8000-000000000009 in group "One"',
    ]);
  });

  it('keeps the first of duplicated rows and passes on extraction warnings', () => {
    const base = raw();
    const out = transformEntra({
      ...base,
      primaryDomain: 'corp.example',
      users: [...base.users, { id: U1.toLowerCase(), userPrincipalName: 'other@corp.example' }],
      warnings: ['group x (X) was deleted while reading; skipped'],
    });
    expect(out.nodes[0]!.props.name).toBe('corp.example');
    expect(out.nodes.filter((n) => n.kind === 'EntraUser')).toHaveLength(2);
    expect(out.nodes.find((n) => n.nativeId === U1)!.props.user_principal_name).toBe(' Mixed.Case@Corp.Example ');
    expect(out.warnings).toEqual([
      'group x (X) was deleted while reading; skipped',
      `user ${U1.toLowerCase()} was listed twice; the first row is kept`,
    ]);
  });
});
