/**
 * Effective permissions: for every principal and every safe (and application), the union of what it holds over all
 * grant paths — direct membership, roles held directly or through groups, the Everybody role, nested roles and
 * directory nesting (see src/graph/traversal.ts for the rules). Expired safe memberships grant nothing.
 *
 * Pure and store-agnostic: it reads an AccessGraph and returns HAS_EFFECTIVE_PERMISSION edges, so both stores hold
 * identical computed edges. Each edge keeps its grant paths: one per granting membership (the shortest path from the
 * principal to the member that holds it), shortest first, at most `maxPaths`, and `path_count` counts them all.
 */
import { appGrantNames, SAFE_PERMISSION_KEYS } from '../graph/permissions.js';
import {
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  NODE_SCHEMA,
  type NodeKind,
  type SourceName,
} from '../graph/schema.js';
import {
  DEFAULT_MAX_STORED_PATHS,
  EFFECTIVE_PRINCIPAL_KINDS,
  FORWARD_GRANT_EDGES,
  REVERSE_GRANT_EDGES,
} from '../graph/traversal.js';
import type { GrantPath, PathStep } from '../queries/types.js';
import type { AccessGraph } from '../store/types.js';

export interface EffectiveOptions {
  maxPaths?: number;
}

interface Step {
  to: number;
  kind: EdgeKind;
  reverse: boolean;
}

interface Grant {
  resource: number;
  /** Safe permission bitmask (bit i = SAFE_PERMISSION_KEYS[i]) or application grant bits. */
  mask: number;
  isApp: boolean;
}

const PERMISSION_BIT = new Map<string, number>(SAFE_PERMISSION_KEYS.map((k, i) => [k, 1 << i]));

export function nodeKey(kind: NodeKind, id: string): string {
  return `${kind}|${id}`;
}

export function nodeName(node: Pick<GraphNode, 'kind' | 'id' | 'props'>): string {
  const value = node.props[NODE_SCHEMA[node.kind].nameProperty];
  return typeof value === 'string' && value !== '' ? value : node.id;
}

function safeMask(permissions: unknown): number {
  let mask = 0;
  if (Array.isArray(permissions)) for (const p of permissions) mask |= PERMISSION_BIT.get(p) ?? 0;
  return mask;
}

function maskToPermissions(mask: number): string[] {
  return SAFE_PERMISSION_KEYS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** An indexed view of the access graph, shared by the computation and the embedded path queries. */
export class GrantIndex {
  readonly nodes: GraphNode[];
  readonly index = new Map<string, number>();
  readonly names: string[];
  readonly steps: Step[][];
  readonly grants: Grant[][];
  /** Safes each node holds an expired membership of (they grant nothing, but a review should know). */
  readonly expired: number[][];
  readonly membersUnknown: boolean[];

  constructor(graph: AccessGraph) {
    this.nodes = graph.nodes;
    graph.nodes.forEach((n, i) => {
      this.index.set(nodeKey(n.kind, n.id), i);
    });
    this.names = graph.nodes.map(nodeName);
    this.steps = graph.nodes.map(() => []);
    this.grants = graph.nodes.map(() => []);
    this.expired = graph.nodes.map(() => []);
    this.membersUnknown = graph.nodes.map((n) => n.kind === 'CyberArkRole' && n.props.members_unknown === true);
    const forward = new Set(FORWARD_GRANT_EDGES);
    const reverse = new Set(REVERSE_GRANT_EDGES);
    for (const e of graph.edges) {
      const from = this.index.get(nodeKey(e.from.kind, e.from.id));
      const to = this.index.get(nodeKey(e.to.kind, e.to.id));
      if (from === undefined || to === undefined) continue;
      if (forward.has(e.kind)) this.steps[from]!.push({ to, kind: e.kind, reverse: false });
      if (reverse.has(e.kind)) this.steps[to]!.push({ to: from, kind: e.kind, reverse: true });
      if (e.kind === 'SAFE_MEMBER' && e.props.is_expired === true) {
        this.expired[from]!.push(to);
      } else if (e.kind === 'SAFE_MEMBER') {
        this.grants[from]!.push({ resource: to, mask: safeMask(e.props.permissions), isApp: false });
      } else if (e.kind === 'CAN_ACCESS') {
        this.grants[from]!.push({ resource: to, mask: Number(e.props.grant ?? 0) >>> 0, isApp: true });
      }
    }
    // Deterministic traversal order: by edge kind, then by the name and id of the node reached.
    for (const list of this.steps) {
      list.sort(
        (a, b) =>
          a.kind.localeCompare(b.kind) ||
          compare(this.names[a.to]!, this.names[b.to]!) ||
          compare(this.nodes[a.to]!.id, this.nodes[b.to]!.id),
      );
    }
  }

  step(i: number, via?: Step): GrantPath[number] {
    const n = this.nodes[i]!;
    const step: GrantPath[number] = { kind: n.kind, id: n.id, name: this.names[i]! };
    if (via) {
      step.via = via.kind;
      if (via.reverse) step.reverse = true;
    }
    return step;
  }
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Which grant paths to keep (indices into the holders, which are in BFS order: shortest first). First, the shortest
 * path for every permission in the union, so that any permission can be explained; then the next shortest, up to
 * `max`. Returned in BFS order.
 */
export function choosePaths(masks: readonly number[], max: number): number[] {
  const chosen = new Set<number>();
  let covered = 0;
  for (let i = 0; i < masks.length; i++) {
    if ((masks[i]! & ~covered) >>> 0 !== 0) {
      chosen.add(i);
      covered = (covered | masks[i]!) >>> 0;
    }
  }
  for (let i = 0; i < masks.length && chosen.size < max; i++) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}

export function computeEffective(graph: AccessGraph, options: EffectiveOptions = {}): GraphEdge[] {
  const maxPaths = options.maxPaths ?? DEFAULT_MAX_STORED_PATHS;
  const g = new GrantIndex(graph);
  const n = g.nodes.length;
  const stamp = new Int32Array(n);
  const parent = new Int32Array(n);
  const parentStep: (Step | undefined)[] = new Array(n);
  const depth = new Int32Array(n);
  const principalKinds = new Set(EFFECTIVE_PRINCIPAL_KINDS);
  const out: GraphEdge[] = [];

  // JSON of one path step, cached per (node, edge that led to it): the same steps recur across many edges
  // (every user reaching a safe through the Everybody role shares two of its three steps).
  const stepJson = new Map<string, string>();
  const stepText = (i: number, via: Step | undefined): string => {
    const key = via ? `${i}|${via.kind}|${via.reverse ? 1 : 0}` : `${i}`;
    let text = stepJson.get(key);
    if (text === undefined) {
      text = JSON.stringify(g.step(i, via));
      stepJson.set(key, text);
    }
    return text;
  };
  /** The path's JSON, and whether it runs through a role whose members are unknown. */
  const grantJson = new Map<string, string>();
  /** The last step: the resource, reached by the membership (or ACE), with what that membership grants. */
  const resourceStep = (resource: number, via: EdgeKind, mask: number, isApp: boolean): string => {
    const key = `${resource}|${mask}`;
    let text = grantJson.get(key);
    if (text === undefined) {
      const step: PathStep = {
        ...g.step(resource),
        via,
        permissions: isApp ? appGrantNames(mask) : maskToPermissions(mask),
      };
      text = JSON.stringify(step);
      grantJson.set(key, text);
    }
    return text;
  };
  const pathTo = (
    target: number,
    resource: number,
    resourceVia: EdgeKind,
    mask: number,
    isApp: boolean,
  ): { json: string; dynamic: boolean } => {
    const parts: string[] = [resourceStep(resource, resourceVia, mask, isApp)];
    let dynamic = false;
    let cur = target;
    while (cur !== -1) {
      parts.push(stepText(cur, parentStep[cur]));
      if (g.membersUnknown[cur]) dynamic = true;
      cur = parent[cur]!;
    }
    return { json: `[${parts.reverse().join(',')}]`, dynamic };
  };

  for (let start = 0; start < n; start++) {
    const startNode = g.nodes[start]!;
    if (!principalKinds.has(startNode.kind)) continue;
    const mark = start + 1;
    stamp[start] = mark;
    parent[start] = -1;
    parentStep[start] = undefined;
    depth[start] = 0;
    const queue = [start];
    // resource -> { mask, members reached that hold a grant on it }
    const byResource = new Map<number, { mask: number; isApp: boolean; holders: number[]; masks: number[] }>();
    const expiredReached = new Map<number, number>();
    for (let q = 0; q < queue.length; q++) {
      const cur = queue[q]!;
      for (const safe of g.expired[cur]!) expiredReached.set(safe, (expiredReached.get(safe) ?? 0) + 1);
      for (const grant of g.grants[cur]!) {
        let acc = byResource.get(grant.resource);
        if (!acc) {
          acc = { mask: 0, isApp: grant.isApp, holders: [], masks: [] };
          byResource.set(grant.resource, acc);
        }
        acc.mask = (acc.mask | grant.mask) >>> 0;
        acc.holders.push(cur);
        acc.masks.push(grant.mask >>> 0);
      }
      for (const s of g.steps[cur]!) {
        if (stamp[s.to] === mark) continue;
        stamp[s.to] = mark;
        parent[s.to] = cur;
        parentStep[s.to] = s;
        depth[s.to] = depth[cur]! + 1;
        queue.push(s.to);
      }
    }
    for (const [resource, acc] of byResource) {
      const resourceNode = g.nodes[resource]!;
      const permissions = acc.isApp ? appGrantNames(acc.mask) : maskToPermissions(acc.mask);
      if (permissions.length === 0) continue;
      // Holders were reached in BFS order, i.e. shortest first with a deterministic tie-break.
      const kept = choosePaths(acc.masks, maxPaths);
      const paths = kept.map((k) =>
        pathTo(acc.holders[k]!, resource, acc.isApp ? 'CAN_ACCESS' : 'SAFE_MEMBER', acc.masks[k]!, acc.isApp),
      );
      const viaDynamic = paths.some((p) => p.dynamic);
      out.push({
        kind: 'HAS_EFFECTIVE_PERMISSION',
        from: { kind: startNode.kind, id: startNode.id },
        to: { kind: resourceNode.kind, id: resourceNode.id },
        tenantId: resourceNode.tenantId,
        source: 'effective' satisfies SourceName,
        props: {
          permissions,
          resource_id: resourceNode.id,
          resource_type: resourceNode.kind,
          principal_id: startNode.id,
          principal_type: startNode.kind,
          datasource_id: resourceNode.tenantId,
          paths_json: `[${paths.map((p) => p.json).join(',')}]`,
          path_count: acc.holders.length,
          expired_membership_count: acc.isApp ? 0 : (expiredReached.get(resource) ?? 0),
          via_dynamic_role: viaDynamic,
        },
      });
    }
  }
  return out;
}

/** Whether an application grant lets the principal use the application (Execute or Automatic). */
export function appGrantAllowsUse(names: readonly string[]): boolean {
  return names.includes('Execute') || names.includes('Automatic');
}
