/**
 * The embedded store's in-memory graph: graphology for nodes and edges, the compact EffectiveTable for computed edges,
 * and how a snapshot file becomes one (loadGraph) with the repeated strings and references shared (Compactor).
 */
import { MultiDirectedGraph } from 'graphology';
import { EffectiveSet } from '../../effective/effective-set.js';
import { nodeKey } from '../../graph/access-graph.js';
import type { NodeKind, PropValue } from '../../graph/schema.js';
import { EffectiveTable } from './effective-table.js';
import type { StoredEdge, StoredNode } from './snapshot.js';
import { readSnapshot } from './snapshot-read.js';

export type G = MultiDirectedGraph<StoredNode, StoredEdge>;

/** A graph as the store holds it: graphology for everything but the computed edges of the last sync. */
export interface Loaded {
  g: G;
  effective: EffectiveTable | undefined;
}

/** Edges without properties share this one (frozen: nothing may write into it). */
const EMPTY_PROPS = Object.freeze({}) as Record<string, PropValue>;
/** Strings longer than this are not interned (ids, names and paths rarely repeat). */
const INTERN_MAX_LENGTH = 40;

/**
 * Shares what repeats across a million rows: short strings (kinds, tenant and sync ids, sources, enum-like property
 * values, permission names), one endpoint reference per node for all its edges, and one empty property object. On a
 * large tenant this is about a third of the embedded store's heap. Values are replaced by equal ones only.
 */
export class Compactor {
  private readonly strings = new Map<string, string>();
  private readonly refs = new Map<string, { kind: NodeKind; id: string }>();

  constructor(private readonly g: G) {}

  str<T extends string>(s: T): T {
    if (s.length > INTERN_MAX_LENGTH) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known as T;
    this.strings.set(s, s);
    return s;
  }

  props(p: Record<string, PropValue>): Record<string, PropValue> {
    let empty = true;
    for (const k in p) {
      empty = false;
      const v = p[k];
      if (typeof v === 'string') p[k] = this.str(v);
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = this.str(v[i]!);
    }
    return empty ? EMPTY_PROPS : p;
  }

  node<N extends StoredNode>(n: N): N {
    n.kind = this.str(n.kind);
    n.tenantId = this.str(n.tenantId);
    n.source = this.str(n.source);
    n.syncId = this.str(n.syncId);
    n.props = this.props(n.props);
    return n;
  }

  /** The node's shared `{ kind, id }` (the node must be in the graph). */
  ref(key: string): { kind: NodeKind; id: string } {
    let ref = this.refs.get(key);
    if (!ref) {
      const a = this.g.getNodeAttributes(key);
      ref = { kind: a.kind, id: a.id };
      this.refs.set(key, ref);
    }
    return ref;
  }

  edge(e: StoredEdge, from: string, to: string): StoredEdge {
    e.kind = this.str(e.kind);
    e.from = this.ref(from);
    e.to = this.ref(to);
    e.tenantId = this.str(e.tenantId);
    e.source = this.str(e.source);
    e.syncId = this.str(e.syncId);
    e.props = this.props(e.props);
    return e;
  }
}

export function newGraph(): G {
  return new MultiDirectedGraph<StoredNode, StoredEdge>({ allowSelfLoops: true });
}

/**
 * The snapshot of `dir` as a graph; undefined when there is none. A node twice, an edge twice (one per kind between
 * two nodes, as the writer keeps them) or an edge whose end is not in the file is an UnusableSnapshot: loaded, the
 * graph would answer without them (or throw in graphology) instead of saying the file is damaged.
 */
export async function loadGraph(dir: string): Promise<Loaded | undefined> {
  const g = newGraph();
  const compact = new Compactor(g);
  let effective: EffectiveTable | undefined;
  const info = await readSnapshot(
    dir,
    (n) => {
      const key = nodeKey(n.kind, n.id);
      if (g.hasNode(key)) throw new Error(`node ${key} appears twice`);
      g.addNode(key, compact.node(n));
    },
    (e) => {
      const from = nodeKey(e.from.kind, e.from.id);
      const to = nodeKey(e.to.kind, e.to.id);
      if (!g.hasNode(from) || !g.hasNode(to)) {
        throw new Error(`${e.kind} edge ${from} -> ${to} joins a node the snapshot does not hold`);
      }
      if (g.hasDirectedEdge(from, to) && g.someOutEdge(from, to, (_, a) => a.kind === e.kind)) {
        throw new Error(`${e.kind} edge ${from} -> ${to} appears twice`);
      }
      g.addEdge(from, to, compact.edge(e, from, to));
    },
    (section) => {
      const { keys, parts } = section;
      // Every computed edge joins two nodes of the graph (the sync wrote them from it). Indexes are in range
      // (effective-read.ts checked them); each key is looked up once, not once per edge.
      const present = Uint8Array.from(keys, (key) => (g.hasNode(key) ? 1 : 0));
      for (let i = 0; i < parts.principal.length; i++) {
        const p = parts.principal.get(i);
        const r = parts.resource.get(i);
        if (present[p] !== 1 || present[r] !== 1) {
          const missing = keys[present[p] !== 1 ? p : r];
          throw new Error(`a computed edge joins ${missing}, a node the snapshot does not hold`);
        }
      }
      // Keys of no edge (none the sync writes) stand for a node by their kind and id alone.
      const nodes = keys.map((key) => {
        if (g.hasNode(key)) return g.getNodeAttributes(key);
        const bar = key.indexOf('|');
        return { kind: key.slice(0, bar) as NodeKind, id: key.slice(bar + 1), tenantId: '' };
      });
      const set = new EffectiveSet(nodes, parts);
      effective = new EffectiveTable({ set, keys, syncId: section.syncId });
    },
  );
  return info ? { g, effective } : undefined;
}
