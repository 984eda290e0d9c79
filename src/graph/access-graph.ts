/**
 * Node keys and names, and the slice of the graph effective permissions are computed from. One home for what the
 * stores, the effective-permission computation, the queries and the benchmarks all need.
 */
import { type GraphEdge, type GraphNode, NODE_KINDS, NODE_SCHEMA, type NodeKind } from './schema.js';

/** The slice of the graph effective permissions are computed from. */
export interface AccessGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Node kinds that take no part in access: accounts hang off safes, tenants and sync runs are bookkeeping. */
export const ACCESS_GRAPH_EXCLUDED_KINDS: ReadonlySet<NodeKind> = new Set([
  'Account',
  'IdentityTenant',
  'PrivilegeCloudTenant',
  'EntraTenant',
  'ADDomain',
  'SyncRun',
]);

/** Node kinds of the access graph. */
export const ACCESS_GRAPH_KINDS: readonly NodeKind[] = NODE_KINDS.filter((k) => !ACCESS_GRAPH_EXCLUDED_KINDS.has(k));

/** A node's key across kinds: `${kind}|${id}` (ids are unique only within a kind). */
export function nodeKey(kind: NodeKind, id: string): string {
  return `${kind}|${id}`;
}

/** A node's display name: its schema name property, or its id when that is empty. */
export function nodeName(node: Pick<GraphNode, 'kind' | 'id' | 'props'>): string {
  const value = node.props[NODE_SCHEMA[node.kind].nameProperty];
  return typeof value === 'string' && value !== '' ? value : node.id;
}

/** Code-unit order (locale-independent, so both stores and every machine sort alike). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
