/** The access graph indexed for the computation: nodes by number, their grant steps and the grants they hold. */
import { type AccessGraph, compareStrings as compare, nodeKey, nodeName } from '../graph/access-graph.js';
import type { GrantPath } from '../graph/grant-path.js';
import { SAFE_PERMISSION_KEYS } from '../graph/permissions.js';
import type { EdgeKind, GraphNode } from '../graph/schema.js';
import { FORWARD_GRANT_EDGES, REVERSE_GRANT_EDGES } from '../graph/traversal.js';

export interface Step {
  to: number;
  kind: EdgeKind;
  reverse: boolean;
}

export interface Grant {
  resource: number;
  /** Safe permission bitmask (bit i = SAFE_PERMISSION_KEYS[i]) or application grant bits. */
  mask: number;
  isApp: boolean;
}

const PERMISSION_BIT = new Map<string, number>(SAFE_PERMISSION_KEYS.map((k, i) => [k, 1 << i]));

function safeMask(permissions: unknown): number {
  let mask = 0;
  if (Array.isArray(permissions)) for (const p of permissions) mask |= PERMISSION_BIT.get(p) ?? 0;
  return mask;
}

export function maskToPermissions(mask: number): string[] {
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
