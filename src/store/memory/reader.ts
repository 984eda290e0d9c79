/** The embedded store's read primitives (GraphReader, src/queries/reader.ts) over one loaded graph. */
import { compareStrings as compare, nodeKey, nodeName } from '../../graph/access-graph.js';
import { type NodeKind, PRINCIPAL_KINDS, type PropValue } from '../../graph/schema.js';
import { FORWARD_GRANT_EDGES } from '../../graph/traversal.js';
import {
  type EffectivePage,
  type GraphReader,
  normalizeNodeProps,
  type ReaderEdge,
  type ReaderNode,
  type ReaderStep,
} from '../../queries/reader.js';
import { principalKindRank } from '../../queries/shape.js';
import type { EffectiveTable } from './effective-table.js';
import type { G } from './graph.js';
import type { LookupIndex } from './lookup-index.js';

/** The read primitives of the query engine, over a loaded graphology graph. */
export class MemoryReader implements GraphReader {
  constructor(
    private readonly g: G,
    private readonly idx: LookupIndex,
    private readonly effective: EffectiveTable | undefined,
  ) {}

  private node(key: string): ReaderNode {
    const a = this.g.getNodeAttributes(key);
    return {
      key,
      kind: a.kind,
      id: a.id,
      nativeId: a.nativeId,
      tenantId: a.tenantId,
      props: normalizeNodeProps(a.kind, a.props),
    };
  }

  async findNodes(kinds: readonly NodeKind[], field: 'id' | 'name' | 'native', value: string): Promise<ReaderNode[]> {
    const keys =
      field === 'id'
        ? kinds.map((k) => nodeKey(k, value)).filter((k) => this.g.hasNode(k))
        : kinds.flatMap((k) => this.idx.find(k, field, value));
    return keys.map((k) => this.node(k));
  }

  async names(kinds: readonly NodeKind[]): Promise<string[]> {
    const out = new Set<string>();
    for (const k of kinds) {
      for (const key of this.idx.byKind.get(k) ?? []) {
        const a = this.g.getNodeAttributes(key);
        out.add(nodeName(a));
        if (a.nativeId) out.add(a.nativeId);
      }
    }
    return [...out];
  }

  /** Per principal node key, its place in answers (principalKindRank, lower-cased name, id); built once per graph. */
  private principalRanks(): Map<string, number> {
    if (!this.ranks) {
      const keyed: { key: string; kind: number; lower: string; id: string }[] = [];
      for (const kind of PRINCIPAL_KINDS) {
        for (const key of this.idx.byKind.get(kind) ?? []) {
          const a = this.g.getNodeAttributes(key);
          keyed.push({ key, kind: principalKindRank(kind), lower: nodeName(a).toLowerCase(), id: a.id });
        }
      }
      keyed.sort((a, b) => a.kind - b.kind || compare(a.lower, b.lower) || compare(a.id, b.id));
      this.ranks = new Map(keyed.map((k, i) => [k.key, i]));
    }
    return this.ranks;
  }

  private ranks: Map<string, number> | undefined;

  /** The answer rank of each node of the computed set (-1: not a principal the graph holds). */
  private setRanks(table: EffectiveTable): Int32Array {
    if (!table.setRanks) {
      const ranks = this.principalRanks();
      table.setRanks = Int32Array.from(table.stored.keys, (k) => ranks.get(k) ?? -1);
    }
    return table.setRanks;
  }

  /** A role whose members cannot be listed (the key test first: this runs for every principal of a large safe). */
  private isDynamicRole(key: string): boolean {
    return key.startsWith('CyberArkRole|') && this.g.getNodeAttributes(key).props.members_unknown === true;
  }

  /** Per resource and permission asked about: how many principals match and the dynamic roles among them. */
  private readonly intoTotals = new Map<string, { total: number; dynamicRoles: string[] }>();

  /**
   * A page of the compact set's edges into the resource (writeEffectiveSet): edge ids come in answer order and
   * permissions are checked once per distinct list. The first request for a resource and permission walks every edge
   * to count them (about 100,000 for a safe the Everybody role is in); later ones stop at the end of their page.
   */
  private tablePage(
    table: EffectiveTable,
    resourceKey: string,
    permission: string | null,
    offset: number,
    end: number,
    grants: (permissions: readonly PropValue[]) => boolean,
  ): EffectivePage {
    const { set, keys } = table.stored;
    const rank = this.setRanks(table);
    const listGrants = set.permissionLists.map(grants);
    const totalsKey = `${permission ?? ''}\u0000${resourceKey}`;
    const known = this.intoTotals.get(totalsKey);
    const edges: ReaderEdge[] = [];
    const dynamicRoles: string[] = [];
    let n = 0;
    for (const e of table.intoOrdered(resourceKey, () => rank)) {
      const principal = set.principal.get(e);
      if (rank[principal] === -1 || !listGrants[set.permissionList.get(e)]) continue;
      if (n >= offset && n < end) edges.push({ node: this.node(keys[principal]!), props: set.props(e) });
      n++;
      if (known) {
        if (n >= end) break;
      } else if (this.isDynamicRole(keys[principal]!)) {
        dynamicRoles.push(keys[principal]!);
      }
    }
    const totals = known ?? { total: n, dynamicRoles };
    if (!known) this.intoTotals.set(totalsKey, totals);
    return { total: totals.total, edges, dynamicRoles: totals.dynamicRoles.map((k) => this.node(k)) };
  }

  async effectiveInto(
    resourceKey: string,
    permission: string | null,
    offset: number,
    limit: number | null,
  ): Promise<EffectivePage> {
    const end = limit === null ? Number.POSITIVE_INFINITY : offset + limit;
    const grants = (permissions: readonly PropValue[]) =>
      permission === null ? permissions.length > 0 : permissions.includes(permission);

    // The computed edges are either the compact set (writeEffectiveSet, what runSync writes) or graph edges
    // (writeEffective): each write drops the other form (dropEffective).
    if (this.effective) return this.tablePage(this.effective, resourceKey, permission, offset, end, grants);
    const ranks = this.principalRanks();
    const found: { key: string; rank: number; props: Record<string, PropValue> }[] = [];
    this.g.forEachInEdge(resourceKey, (_, e, source) => {
      if (e.kind !== 'HAS_EFFECTIVE_PERMISSION') return;
      const permissions = Array.isArray(e.props.permissions) ? e.props.permissions : [];
      if (grants(permissions)) found.push({ key: source, rank: ranks.get(source) ?? -1, props: e.props });
    });
    found.sort((a, b) => a.rank - b.rank);
    return {
      total: found.length,
      edges: found.slice(offset, end).map((f) => ({ node: this.node(f.key), props: f.props })),
      dynamicRoles: found.filter((f) => this.isDynamicRole(f.key)).map((f) => this.node(f.key)),
    };
  }

  async effectiveFrom(principalKey: string): Promise<ReaderEdge[]> {
    const out: ReaderEdge[] = [];
    this.g.forEachOutEdge(principalKey, (_, e, _s, target) => {
      if (e.kind === 'HAS_EFFECTIVE_PERMISSION') out.push({ node: this.node(target), props: e.props });
    });
    this.effective?.from(principalKey, (resource, props) => {
      if (this.g.hasNode(resource)) out.push({ node: this.node(resource), props });
    });
    return out;
  }

  async directoryLinks(keys: readonly string[]) {
    const out: { target: string; node: ReaderNode; matchRule: string | null }[] = [];
    for (const key of keys) {
      for (const { source, edge } of this.idx.directoryEdgesInto(key)) {
        out.push({
          target: key,
          node: this.node(source),
          matchRule: typeof edge.props.match_rule === 'string' ? edge.props.match_rule : null,
        });
      }
    }
    return out;
  }

  async grantSteps(keys: readonly string[]) {
    const out: { from: string; step: ReaderStep }[] = [];
    for (const key of keys) {
      this.g.forEachOutEdge(key, (_, e, _s, target) => {
        if (FORWARD_GRANT_EDGES.includes(e.kind)) {
          out.push({
            from: key,
            step: { to: this.node(target), kind: e.kind, reverse: false, implicit: e.props.implicit === true },
          });
        }
      });
      for (const { source, edge } of this.idx.directoryEdgesInto(key)) {
        out.push({ from: key, step: { to: this.node(source), kind: edge.kind, reverse: true, implicit: false } });
      }
    }
    return out;
  }

  async safeMemberships(keys: readonly string[], safeKey: string) {
    const out: { from: string; props: Record<string, PropValue> }[] = [];
    for (const key of keys) {
      this.g.forEachOutEdge(key, (_, e, _s, target) => {
        if (e.kind === 'SAFE_MEMBER' && target === safeKey) out.push({ from: key, props: e.props });
      });
    }
    return out;
  }

  async containingSafe(accountKey: string): Promise<ReaderNode | undefined> {
    let safe: ReaderNode | undefined;
    this.g.forEachInEdge(accountKey, (_, e, source) => {
      if (e.kind === 'CONTAINS') safe = this.node(source);
    });
    return safe;
  }

  async listNodes(kind: NodeKind, search: string | undefined, offset: number, limit: number) {
    const items = (this.idx.byKind.get(kind) ?? [])
      .map((k) => this.node(k))
      .map((n) => ({ n, lower: nodeName(n).toLowerCase() }))
      .filter((x) => !search || x.lower.includes(search))
      .sort((a, b) => compare(a.lower, b.lower) || compare(a.n.id, b.n.id));
    return { total: items.length, items: items.slice(offset, offset + limit).map((x) => x.n) };
  }
}
