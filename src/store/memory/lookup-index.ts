/** Lookups over one loaded graph, built lazily and kept for as long as that graph is the current one. */
import { nodeName } from '../../graph/access-graph.js';
import type { NodeKind } from '../../graph/schema.js';
import { REVERSE_GRANT_EDGES } from '../../graph/traversal.js';
import type { G } from './graph.js';
import type { StoredEdge } from './snapshot.js';

/**
 * Lookups by kind, and by lower-cased name or native id within a kind. The name and native-id maps of a kind are
 * built the first time that kind is looked up that way: a server answering who-can never pays for the 500k accounts.
 */
export class LookupIndex {
  readonly byKind = new Map<NodeKind, string[]>();
  private readonly byName = new Map<NodeKind, Map<string, string | string[]>>();
  private readonly byNative = new Map<NodeKind, Map<string, string | string[]>>();

  constructor(private readonly g: G) {
    g.forEachNode((key, a) => push(this.byKind, a.kind, key));
  }

  private directoryIn: Map<string, { source: string; edge: StoredEdge }[]> | undefined;

  /**
   * The ASSUMES_USER and IS_GROUP edges into a node (the directory identities that are this CyberArk user or group),
   * indexed once per graph: graphology does not index edges by kind, and walking a role's or group's in-edges to find
   * them meant walking 100,000 HAS_ROLE or MEMBER_OF edges for the Everybody role on a large tenant.
   */
  directoryEdgesInto(key: string): readonly { source: string; edge: StoredEdge }[] {
    if (!this.directoryIn) {
      const index = new Map<string, { source: string; edge: StoredEdge }[]>();
      this.g.forEachEdge((_, edge, source, target) => {
        if (REVERSE_GRANT_EDGES.includes(edge.kind)) push(index, target, { source, edge });
      });
      this.directoryIn = index;
    }
    return this.directoryIn.get(key) ?? [];
  }

  /** Keys of the nodes of `kind` whose lower-cased name (or native id) is `value`. */
  find(kind: NodeKind, field: 'name' | 'native', value: string): string[] {
    const maps = field === 'name' ? this.byName : this.byNative;
    let map = maps.get(kind);
    if (!map) {
      map = new Map();
      for (const key of this.byKind.get(kind) ?? []) {
        const a = this.g.getNodeAttributes(key);
        add(map, field === 'name' ? nodeName(a).toLowerCase() : a.nativeId.toLowerCase(), key);
      }
      maps.set(kind, map);
    }
    return all(map.get(value));
  }
}

/** Adds to a map whose values are one key, or several (rare: an array only then). */
function add(map: Map<string, string | string[]>, key: string, value: string): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, value);
  else if (typeof found === 'string') map.set(key, [found, value]);
  else found.push(value);
}

function all(found: string | string[] | undefined): string[] {
  return found === undefined ? [] : typeof found === 'string' ? [found] : found;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
