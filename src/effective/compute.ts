/**
 * Effective permissions: for every principal and every safe (and application), the union of what it holds over all
 * grant paths — direct membership, roles held directly or through groups, the Everybody role, nested roles and
 * directory nesting (see src/graph/traversal.ts for the rules). Expired safe memberships grant nothing.
 *
 * Pure and store-agnostic: it reads an AccessGraph and returns HAS_EFFECTIVE_PERMISSION edges, so both stores hold
 * identical computed edges. Each edge keeps its grant paths: one per granting membership (the shortest path from the
 * principal to the member that holds it), shortest first, at most `maxPaths`, and `path_count` counts them all.
 */
import { type AccessGraph, compareStrings as compare, nodeKey, nodeName } from '../graph/access-graph.js';
import { appGrantNames, SAFE_PERMISSION_KEYS } from '../graph/permissions.js';
import type { EdgeKind, GraphEdge, GraphNode, NodeKind, PropValue, SourceName } from '../graph/schema.js';
import {
  DEFAULT_MAX_STORED_PATHS,
  EFFECTIVE_PRINCIPAL_KINDS,
  FORWARD_GRANT_EDGES,
  REVERSE_GRANT_EDGES,
} from '../graph/traversal.js';
import type { GrantPath, PathStep } from '../queries/types.js';

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

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/**
 * A growable column of 32-bit integers in fixed-size chunks: growing never copies, and the memory allocated is the
 * memory used (a doubling array allocates twice the final size, and on a large heap every 64 MiB of new typed-array
 * memory costs a full garbage collection).
 */
export class IntColumn {
  private chunks: Int32Array[] = [];
  private current: Int32Array | undefined;
  length = 0;

  static int32(): IntColumn {
    return new IntColumn();
  }

  /** A column holding `values` (viewed, not copied). */
  static of(values: Int32Array): IntColumn {
    const c = new IntColumn();
    for (let start = 0; start < values.length; start += CHUNK_SIZE) {
      c.chunks.push(values.subarray(start, Math.min(values.length, start + CHUNK_SIZE)));
    }
    c.length = values.length;
    return c;
  }

  push(value: number): void {
    const offset = this.length & CHUNK_MASK;
    if (offset === 0) {
      this.current = new Int32Array(CHUNK_SIZE);
      this.chunks.push(this.current);
    }
    this.current![offset] = value;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  /** Gives back the unused end of the last chunk (call once nothing more is pushed). */
  trim(): this {
    const last = this.chunks.length - 1;
    const used = this.length - last * CHUNK_SIZE;
    if (last >= 0 && this.chunks[last]!.length !== used) {
      this.chunks[last] = this.chunks[last]!.slice(0, used);
      this.current = undefined;
    }
    return this;
  }
}

/**
 * A hash map from a pair of 32-bit integers to a non-negative integer, open addressing over typed arrays: a lookup
 * allocates nothing (a Map keyed by `a * 2^24 + b` boxes every key beyond 2^31 and made the garbage collector a third
 * of the computation on large tenants).
 */
class PairMap {
  private a: Int32Array;
  private b: Int32Array;
  private v: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 12) {
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.v = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.v[i] !== -1 && (this.a[i] !== a || this.b[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    return this.v[this.slot(a | 0, b | 0)]!;
  }

  set(a: number, b: number, value: number): void {
    const i = this.slot(a | 0, b | 0);
    if (this.v[i] === -1) {
      this.a[i] = a;
      this.b[i] = b;
      this.count++;
    }
    this.v[i] = value;
    if (this.count * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { a, b, v } = this;
    const capacity = v.length * 2;
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.v = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === -1) continue;
      const j = this.slot(a[i]!, b[i]!);
      this.a[j] = a[i]!;
      this.b[j] = b[i]!;
      this.v[j] = v[i]!;
    }
  }
}

/** What an effective edge needs to know about the nodes it joins. */
export interface EffectiveNodeRef {
  kind: NodeKind;
  id: string;
  tenantId: string;
}

const NO_CHAIN = 0;

/** The columns of an EffectiveSet (to rebuild one, e.g. from a snapshot). */
export type EffectiveSetParts = Pick<
  EffectiveSet,
  | 'fragments'
  | 'ownFragment'
  | 'chainPrefix'
  | 'chainFragment'
  | 'chainDynamic'
  | 'pathChain'
  | 'pathLast'
  | 'permissionLists'
  | 'principal'
  | 'resource'
  | 'permissionList'
  | 'pathCount'
  | 'expiredCount'
  | 'dynamic'
  | 'pathStart'
  | 'pathRefs'
>;

/**
 * HAS_EFFECTIVE_PERMISSION edges in a compact, columnar form. Grant paths are stored once and shared: a path is a
 * chain (the steps after the principal up to the member that holds the grant, interned as a trie of step
 * fragments) plus its last step (the resource, reached by the membership, with what that membership grants); the
 * principal's own step is its node's fragment. Every step is a JSON fragment, so an edge's `paths_json` is a join of
 * fragments, byte for byte what computeEffective always produced. edge(i) materializes one edge as a GraphEdge.
 */
export class EffectiveSet {
  /** JSON of path steps. */
  readonly fragments: string[];
  /** Per node: the fragment of its own step as the first step of a path (-1 until needed). */
  readonly ownFragment: Int32Array;
  /** Chains, a trie: chain c = chain chainPrefix[c] followed by fragment chainFragment[c]; chain 0 is empty. */
  readonly chainPrefix: IntColumn;
  readonly chainFragment: IntColumn;
  /** 1 when the chain runs through a role whose members are unknown. */
  readonly chainDynamic: IntColumn;
  /** Paths: a chain and the last step's fragment. */
  readonly pathChain: IntColumn;
  readonly pathLast: IntColumn;
  readonly permissionLists: string[][];
  /** Edge columns. */
  readonly principal: IntColumn;
  readonly resource: IntColumn;
  readonly permissionList: IntColumn;
  readonly pathCount: IntColumn;
  /** Expired memberships of the safe reached (0 for applications). */
  readonly expiredCount: IntColumn;
  readonly dynamic: IntColumn;
  /** The edge's stored paths: pathRefs[pathStart[i] .. pathStart[i + 1]] (the last edge's run to the end). */
  readonly pathStart: IntColumn;
  readonly pathRefs: IntColumn;

  constructor(
    readonly nodes: readonly EffectiveNodeRef[],
    parts?: EffectiveSetParts,
  ) {
    if (parts) {
      this.fragments = parts.fragments;
      this.ownFragment = parts.ownFragment;
      this.chainPrefix = parts.chainPrefix;
      this.chainFragment = parts.chainFragment;
      this.chainDynamic = parts.chainDynamic;
      this.pathChain = parts.pathChain;
      this.pathLast = parts.pathLast;
      this.permissionLists = parts.permissionLists;
      this.principal = parts.principal;
      this.resource = parts.resource;
      this.permissionList = parts.permissionList;
      this.pathCount = parts.pathCount;
      this.expiredCount = parts.expiredCount;
      this.dynamic = parts.dynamic;
      this.pathStart = parts.pathStart;
      this.pathRefs = parts.pathRefs;
      return;
    }
    this.fragments = [];
    this.ownFragment = new Int32Array(nodes.length).fill(-1);
    this.chainPrefix = IntColumn.int32();
    this.chainFragment = IntColumn.int32();
    this.chainDynamic = IntColumn.int32();
    this.chainPrefix.push(-1);
    this.chainFragment.push(-1);
    this.chainDynamic.push(0);
    this.pathChain = IntColumn.int32();
    this.pathLast = IntColumn.int32();
    this.permissionLists = [];
    this.principal = IntColumn.int32();
    this.resource = IntColumn.int32();
    this.permissionList = IntColumn.int32();
    this.pathCount = IntColumn.int32();
    this.expiredCount = IntColumn.int32();
    this.dynamic = IntColumn.int32();
    this.pathStart = IntColumn.int32();
    this.pathRefs = IntColumn.int32();
  }

  get size(): number {
    return this.principal.length;
  }

  /** Gives back the columns' spare capacity (the set is complete). */
  trim(): this {
    for (const c of [
      this.chainPrefix,
      this.chainFragment,
      this.chainDynamic,
      this.pathChain,
      this.pathLast,
      this.principal,
      this.resource,
      this.permissionList,
      this.pathCount,
      this.expiredCount,
      this.dynamic,
      this.pathStart,
      this.pathRefs,
    ]) {
      c.trim();
    }
    return this;
  }

  /** The fragment of the principal's first step. */
  principalFragment(node: number): string {
    return this.fragments[this.ownFragment[node]!]!;
  }

  /** JSON of a chain's steps, comma-separated ('' for the empty chain). `cache` is indexed by chain. */
  chainJson(chain: number, cache?: (string | undefined)[]): string {
    if (chain === NO_CHAIN) return '';
    const cached = cache?.[chain];
    if (cached !== undefined) return cached;
    const prefix = this.chainPrefix.get(chain);
    const own = this.fragments[this.chainFragment.get(chain)]!;
    const text = prefix === NO_CHAIN ? own : `${this.chainJson(prefix, cache)},${own}`;
    if (cache) cache[chain] = text;
    return text;
  }

  pathJson(path: number, principalStep: string, cache?: (string | undefined)[]): string {
    const chain = this.chainJson(this.pathChain.get(path), cache);
    const last = this.fragments[this.pathLast.get(path)]!;
    return chain === '' ? `[${principalStep},${last}]` : `[${principalStep},${chain},${last}]`;
  }

  pathsJson(i: number, cache?: (string | undefined)[]): string {
    const principalStep = this.principalFragment(this.principal.get(i));
    const start = this.pathStart.get(i);
    const end = this.pathEnd(i);
    let text = '[';
    for (let k = start; k < end; k++) {
      if (k > start) text += ',';
      text += this.pathJson(this.pathRefs.get(k), principalStep, cache);
    }
    return `${text}]`;
  }

  /** Where the edge's stored paths end in pathRefs. */
  pathEnd(i: number): number {
    return i + 1 < this.size ? this.pathStart.get(i + 1) : this.pathRefs.length;
  }

  /** A fresh copy of the edge's permissions. */
  permissions(i: number): string[] {
    return this.permissionLists[this.permissionList.get(i)]!.slice();
  }

  /** The edge's properties. Who and what it joins are its endpoints, not copies in properties (docs/decisions.md). */
  props(i: number, cache?: (string | undefined)[]): Record<string, PropValue> {
    return {
      permissions: this.permissions(i),
      paths_json: this.pathsJson(i, cache),
      path_count: this.pathCount.get(i),
      expired_membership_count: this.expiredCount.get(i),
      via_dynamic_role: this.dynamic.get(i) === 1,
    };
  }

  edge(i: number, cache?: (string | undefined)[]): GraphEdge {
    const p = this.nodes[this.principal.get(i)]!;
    const r = this.nodes[this.resource.get(i)]!;
    return {
      kind: 'HAS_EFFECTIVE_PERMISSION',
      from: { kind: p.kind, id: p.id },
      to: { kind: r.kind, id: r.id },
      tenantId: r.tenantId,
      source: 'effective' satisfies SourceName,
      props: this.props(i, cache),
    };
  }

  /** Edges [from, to) as GraphEdges (all of them by default). */
  toEdges(from = 0, to = this.size): GraphEdge[] {
    const cache: (string | undefined)[] = [];
    const out: GraphEdge[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) out[i - from] = this.edge(i, cache);
    return out;
  }
}

/** A SyncWriter that takes an EffectiveSet as is (the stores do; runSync uses it when offered). */
export interface EffectiveSetWriter {
  writeEffectiveSet(set: EffectiveSet): Promise<void>;
}

export function acceptsEffectiveSet(writer: object): writer is EffectiveSetWriter {
  return typeof (writer as Partial<EffectiveSetWriter>).writeEffectiveSet === 'function';
}

export function computeEffective(graph: AccessGraph, options: EffectiveOptions = {}): GraphEdge[] {
  return computeEffectiveSet(graph, options).toEdges();
}

/**
 * For every principal, a breadth-first search over the grant edges; every grant (safe membership or application
 * ACE) of a node reached is accumulated per resource, in BFS order (shortest path first). One edge per (principal,
 * resource) with the union of permissions, the paths choosePaths() keeps, and the count of all of them.
 */
export function computeEffectiveSet(graph: AccessGraph, options: EffectiveOptions = {}): EffectiveSet {
  const maxPaths = options.maxPaths ?? DEFAULT_MAX_STORED_PATHS;
  const g = new GrantIndex(graph);
  const n = g.nodes.length;
  const set = new EffectiveSet(g.nodes);
  const principalKinds = new Set(EFFECTIVE_PRINCIPAL_KINDS);

  // BFS state, stamped with start + 1 so nothing needs clearing between principals.
  const stamp = new Int32Array(n);
  const parent = new Int32Array(n);
  const parentStep: (Step | undefined)[] = new Array(n);
  const queue = new Int32Array(n);
  // Chain of every node reached, per BFS (chainStamp === mark when chainOf is valid).
  const chainStamp = new Int32Array(n);
  const chainOf = new Int32Array(n);
  // Per resource reached: its slot in the accumulators below.
  const resourceStamp = new Int32Array(n);
  const resourceSlot = new Int32Array(n);
  // Expired memberships reached, per safe.
  const expiredStamp = new Int32Array(n);
  const expiredReached = new Int32Array(n);
  let slotResource: number[] = [];
  let slotMask: number[] = [];
  let slotIsApp: boolean[] = [];
  let slotHead: number[] = [];
  let slotTail: number[] = [];
  let slotCount: number[] = [];
  // Grants met, as linked lists per slot, in BFS order.
  let hitHolder: number[] = [];
  let hitMask: number[] = [];
  let hitNext: number[] = [];
  // choosePaths over one slot: the hits kept.
  let keep = new Uint8Array(1024);

  const edgeKindCode = new Map<EdgeKind, number>();
  const stepFragments = new Map<number, number>();
  const resourceFragments = new PairMap();
  const chains = new PairMap();
  const paths = new PairMap();
  const permissionIds = new PairMap(64);

  const fragmentOf = (i: number, via: Step | undefined): number => {
    let code = 0;
    if (via) {
      let kindCode = edgeKindCode.get(via.kind);
      if (kindCode === undefined) {
        kindCode = edgeKindCode.size;
        edgeKindCode.set(via.kind, kindCode);
      }
      code = 1 + kindCode * 2 + (via.reverse ? 1 : 0);
    }
    const key = i * 128 + code;
    let id = stepFragments.get(key);
    if (id === undefined) {
      id = set.fragments.length;
      set.fragments.push(JSON.stringify(g.step(i, via)));
      stepFragments.set(key, id);
    }
    return id;
  };
  /** The last step: the resource, reached by the membership (or ACE), with what that membership grants. */
  const resourceFragment = (resource: number, mask: number, isApp: boolean): number => {
    let id = resourceFragments.get(resource, mask);
    if (id === -1) {
      const step: PathStep = {
        ...g.step(resource),
        via: isApp ? 'CAN_ACCESS' : 'SAFE_MEMBER',
        permissions: isApp ? appGrantNames(mask) : maskToPermissions(mask),
      };
      id = set.fragments.length;
      set.fragments.push(JSON.stringify(step));
      resourceFragments.set(resource, mask, id);
    }
    return id;
  };
  /** The chain from the BFS root (exclusive) to `node` (inclusive), interned. */
  const chainTo = (node: number, mark: number): number => {
    if (chainStamp[node] === mark) return chainOf[node]!;
    const up = parent[node]!;
    let chain: number;
    if (up === -1) {
      chain = NO_CHAIN;
    } else {
      const prefix = chainTo(up, mark);
      const fragment = fragmentOf(node, parentStep[node]);
      const known = chains.get(prefix, fragment);
      if (known !== -1) {
        chain = known;
      } else {
        chain = set.chainPrefix.length;
        set.chainPrefix.push(prefix);
        set.chainFragment.push(fragment);
        set.chainDynamic.push(set.chainDynamic.get(prefix) === 1 || g.membersUnknown[node] ? 1 : 0);
        chains.set(prefix, fragment, chain);
      }
    }
    chainStamp[node] = mark;
    chainOf[node] = chain;
    return chain;
  };
  const permissionListOf = (mask: number, isApp: boolean): number => {
    let id = permissionIds.get(mask, isApp ? 1 : 0);
    if (id === -1) {
      id = set.permissionLists.length;
      set.permissionLists.push(isApp ? appGrantNames(mask) : maskToPermissions(mask));
      permissionIds.set(mask, isApp ? 1 : 0, id);
    }
    return id;
  };

  for (let start = 0; start < n; start++) {
    const startNode = g.nodes[start]!;
    if (!principalKinds.has(startNode.kind)) continue;
    const mark = start + 1;
    stamp[start] = mark;
    parent[start] = -1;
    parentStep[start] = undefined;
    let slots = 0;
    let hits = 0;
    let queueLength = 0;
    queue[queueLength++] = start;
    for (let q = 0; q < queueLength; q++) {
      const cur = queue[q]!;
      for (const safe of g.expired[cur]!) {
        if (expiredStamp[safe] !== mark) {
          expiredStamp[safe] = mark;
          expiredReached[safe] = 0;
        }
        expiredReached[safe]!++;
      }
      for (const grant of g.grants[cur]!) {
        const r = grant.resource;
        let slot: number;
        if (resourceStamp[r] !== mark) {
          resourceStamp[r] = mark;
          slot = slots++;
          resourceSlot[r] = slot;
          slotResource[slot] = r;
          slotMask[slot] = 0;
          slotIsApp[slot] = grant.isApp;
          slotHead[slot] = -1;
          slotTail[slot] = -1;
          slotCount[slot] = 0;
        } else {
          slot = resourceSlot[r]!;
        }
        slotMask[slot] = (slotMask[slot]! | grant.mask) >>> 0;
        const hit = hits++;
        hitHolder[hit] = cur;
        hitMask[hit] = grant.mask >>> 0;
        hitNext[hit] = -1;
        const tail = slotTail[slot]!;
        if (tail === -1) slotHead[slot] = hit;
        else hitNext[tail] = hit;
        slotTail[slot] = hit;
        slotCount[slot]!++;
      }
      for (const s of g.steps[cur]!) {
        if (stamp[s.to] === mark) continue;
        stamp[s.to] = mark;
        parent[s.to] = cur;
        parentStep[s.to] = s;
        queue[queueLength++] = s.to;
      }
    }
    if (slots === 0) continue;
    if (set.ownFragment[start] === -1) set.ownFragment[start] = fragmentOf(start, undefined);
    const startDynamic = g.membersUnknown[start] === true;

    for (let slot = 0; slot < slots; slot++) {
      const isApp = slotIsApp[slot]!;
      const list = permissionListOf(slotMask[slot]!, isApp);
      if (set.permissionLists[list]!.length === 0) continue;
      const resource = slotResource[slot]!;
      const count = slotCount[slot]!;
      // Holders come in BFS order: shortest first, with a deterministic tie-break. Which paths to keep is
      // choosePaths(), done in place over the slot's list of hits (no array per edge).
      const head = slotHead[slot]!;
      let kept = count;
      if (count > 1) {
        if (keep.length < hits) keep = new Uint8Array(hits * 2);
        let bits = 0;
        kept = 0;
        for (let h = head; h !== -1; h = hitNext[h]!) {
          if ((hitMask[h]! & ~bits) >>> 0 !== 0) {
            keep[h] = 1;
            kept++;
            bits = (bits | hitMask[h]!) >>> 0;
          }
        }
        for (let h = head; h !== -1 && kept < maxPaths; h = hitNext[h]!) {
          if (keep[h] === 0) {
            keep[h] = 1;
            kept++;
          }
        }
      }
      let dynamic = startDynamic;
      set.pathStart.push(set.pathRefs.length);
      for (let h = head; h !== -1; h = hitNext[h]!) {
        if (count > 1) {
          if (keep[h] === 0) continue;
          keep[h] = 0;
        }
        const chain = chainTo(hitHolder[h]!, mark);
        if (set.chainDynamic.get(chain) === 1) dynamic = true;
        const last = resourceFragment(resource, hitMask[h]!, isApp);
        let path = paths.get(chain, last);
        if (path === -1) {
          path = set.pathChain.length;
          set.pathChain.push(chain);
          set.pathLast.push(last);
          paths.set(chain, last, path);
        }
        set.pathRefs.push(path);
      }
      set.principal.push(start);
      set.resource.push(resource);
      set.permissionList.push(list);
      set.pathCount.push(count);
      set.expiredCount.push(isApp || expiredStamp[resource] !== mark ? 0 : expiredReached[resource]!);
      set.dynamic.push(dynamic ? 1 : 0);
    }
    // Drop accumulators that grew past the common size (one principal with a huge fan-out).
    if (hits > 1 << 20) {
      hitHolder = [];
      hitMask = [];
      hitNext = [];
    }
    if (slots > 1 << 20) {
      slotResource = [];
      slotMask = [];
      slotIsApp = [];
      slotHead = [];
      slotTail = [];
      slotCount = [];
    }
  }
  return set;
}

/** Whether an application grant lets the principal use the application (Execute or Automatic). */
export function appGrantAllowsUse(names: readonly string[]): boolean {
  return names.includes('Execute') || names.includes('Automatic');
}
