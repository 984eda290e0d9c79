/** Effective permissions on hand-built graphs, where the right answer is evident from the picture. */
import { describe, expect, it } from 'vitest';
import { choosePaths, computeEffective } from '../../src/effective/compute.js';
import type { EdgeKind, GraphEdge, GraphNode, NodeKind } from '../../src/graph/schema.js';
import type { GrantPath } from '../../src/queries/types.js';

const nodes: GraphNode[] = [];
const edges: GraphEdge[] = [];
const n = (kind: NodeKind, id: string, name = id) => {
  const props: GraphNode['props'] =
    kind === 'CyberArkUser' ? { login_name: name } : kind === 'VaultUser' ? { username: name } : { name };
  nodes.push({ kind, id, nativeId: id, tenantId: 'T', source: 'identity', props });
  return { kind, id };
};
const e = (kind: EdgeKind, from: { kind: NodeKind; id: string }, to: { kind: NodeKind; id: string }, props = {}) =>
  edges.push({ kind, from, to, tenantId: 'T', source: 'identity', props });

// alice → R1 → R2 → R3 (cycle R3 → R1); R3 is a member of safe S1 (retrieve).
const alice = n('CyberArkUser', 'alice');
const bob = n('CyberArkUser', 'bob');
const carol = n('CyberArkUser', 'carol');
const r1 = n('CyberArkRole', 'R1');
const r2 = n('CyberArkRole', 'R2');
const r3 = n('CyberArkRole', 'R3');
const everybody = n('CyberArkRole', 'Everybody');
const group = n('CyberArkGroup', 'G');
const adUser = n('ADUser', 'ad-bob');
const adGroup = n('ADGroup', 'ad-g');
const adParent = n('ADGroup', 'ad-parent');
const s1 = n('Safe', 'S1');
const s2 = n('Safe', 'S2');
const app = n('CyberArkApplication', 'App');
e('HAS_ROLE', alice, r1);
e('HAS_ROLE', r1, r2);
e('HAS_ROLE', r2, r3);
e('HAS_ROLE', r3, r1);
for (const u of [alice, bob, carol]) e('HAS_ROLE', u, everybody, { implicit: true });
e('SAFE_MEMBER', r3, s1, { permissions: ['retrieveAccounts', 'listAccounts'] });
e('SAFE_MEMBER', everybody, s2, { permissions: ['listAccounts'] });
e('SAFE_MEMBER', alice, s2, { permissions: ['useAccounts'] });
e('SAFE_MEMBER', carol, s1, { permissions: ['manageSafe'], is_expired: true });
// bob gets S1 only through AD nesting: bob ← ASSUMES_USER ← ad-bob → ad-g → ad-parent → IS_GROUP → G → R2.
e('ASSUMES_USER', adUser, bob);
e('MEMBER_OF', adUser, adGroup);
e('MEMBER_OF', adGroup, adParent);
e('IS_GROUP', adParent, group);
e('HAS_ROLE', group, r2);
e('CAN_ACCESS', r1, app, { grant: 2147483776 | 0 });

const effective = computeEffective({ nodes, edges }, { maxPaths: 1 });
const find = (from: string, to: string) => effective.find((x) => x.from.id === from && x.to.id === to);
const paths = (from: string, to: string) => JSON.parse(String(find(from, to)!.props.paths_json)) as GrantPath[];
const names = (p: GrantPath) => p.map((s) => (s.via ? `${s.reverse ? '<' : ''}${s.via}:${s.name}` : s.name)).join(' ');

describe('choosing the stored paths', () => {
  it('covers every permission first, then fills up to the limit, in shortest-first order', () => {
    // masks in BFS order: 0b001, 0b001, 0b010, 0b011, 0b100
    expect(choosePaths([1, 1, 2, 3, 4], 2)).toEqual([0, 2, 4]);
    expect(choosePaths([1, 1, 2, 3, 4], 4)).toEqual([0, 1, 2, 4]);
    expect(choosePaths([1, 1, 1], 10)).toEqual([0, 1, 2]);
  });
});

describe('effective permissions', () => {
  it('follow nested roles and terminate on a role cycle', () => {
    expect(find('alice', 'S1')!.props.permissions).toEqual(['retrieveAccounts', 'listAccounts']);
    expect(names(paths('alice', 'S1')[0]!)).toBe('alice HAS_ROLE:R1 HAS_ROLE:R2 HAS_ROLE:R3 SAFE_MEMBER:S1');
    // Every role in the cycle reaches R3's membership.
    for (const r of ['R1', 'R2', 'R3'])
      expect(find(r, 'S1')!.props.permissions).toEqual(['retrieveAccounts', 'listAccounts']);
  });

  it('union permissions over every grant path and count the paths', () => {
    const edge = find('alice', 'S2')!;
    expect(edge.props.permissions).toEqual(['useAccounts', 'listAccounts']);
    expect(edge.props.path_count).toBe(2);
    // maxPaths 1, but each permission of the union keeps the shortest path that explains it.
    expect(paths('alice', 'S2').map(names)).toEqual([
      'alice SAFE_MEMBER:S2',
      'alice HAS_ROLE:Everybody SAFE_MEMBER:S2',
    ]);
    expect(paths('alice', 'S2').map((p) => p.at(-1)!.permissions)).toEqual([['useAccounts'], ['listAccounts']]);
  });

  it('flow through directory nesting and identity correlation', () => {
    expect(find('bob', 'S1')!.props.permissions).toEqual(['retrieveAccounts', 'listAccounts']);
    expect(names(paths('bob', 'S1')[0]!)).toBe(
      'bob <ASSUMES_USER:ad-bob MEMBER_OF:ad-g MEMBER_OF:ad-parent IS_GROUP:G HAS_ROLE:R2 HAS_ROLE:R3 SAFE_MEMBER:S1',
    );
    expect(find('G', 'S1')).toBeDefined();
  });

  it('exclude expired memberships', () => {
    expect(find('carol', 'S1')).toBeUndefined();
    expect(find('carol', 'S2')!.props.permissions).toEqual(['listAccounts']);
  });

  it('compute application access the same way, with unsigned grant bits', () => {
    expect(find('alice', 'App')!.props.permissions).toEqual(['Execute', 'Automatic']);
    // bob reaches R1 through R2 → R3 → R1 (the cycle); carol holds only Everybody.
    expect(find('bob', 'App')).toBeDefined();
    expect(find('carol', 'App')).toBeUndefined();
  });

  it('give no effective edges to directory-only identities', () => {
    expect(effective.some((x) => x.from.kind === 'ADUser' || x.from.kind === 'ADGroup')).toBe(false);
  });
});
