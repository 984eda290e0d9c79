/**
 * Effective permissions: for every principal and every safe (and application), the union of what it holds over all
 * grant paths — direct membership, roles held directly or through groups, the Everybody role, nested roles and
 * directory nesting (see src/graph/traversal.ts for the rules). Expired safe memberships grant nothing.
 *
 * Pure and store-agnostic: it reads an AccessGraph and returns HAS_EFFECTIVE_PERMISSION edges, so both stores hold
 * identical computed edges. Each edge keeps its grant paths: one per granting membership (the shortest path from the
 * principal to the member that holds it), shortest first, at most `maxPaths`, and `path_count` counts them all.
 */
import type { AccessGraph } from '../graph/access-graph.js';
import type { PathStep } from '../graph/grant-path.js';
import { appGrantNames } from '../graph/permissions.js';
import type { EdgeKind, GraphEdge } from '../graph/schema.js';
import { DEFAULT_MAX_STORED_PATHS, EFFECTIVE_PRINCIPAL_KINDS } from '../graph/traversal.js';
import { PairMap } from './columns.js';
import { EffectiveSet, NO_CHAIN } from './effective-set.js';
import { GrantIndex, maskToPermissions, type Step } from './grant-index.js';

export interface EffectiveOptions {
  maxPaths?: number;
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
