import type { GraphEdge, NodeKind, PropValue, SourceName } from '../graph/schema.js';
import { IntColumn } from './columns.js';

/** What an effective edge needs to know about the nodes it joins. */
export interface EffectiveNodeRef {
  kind: NodeKind;
  id: string;
  tenantId: string;
}

/** Chain 0 is the empty chain (a path whose principal is itself the member). */
export const NO_CHAIN = 0;

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
