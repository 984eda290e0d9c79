/**
 * What a source's transform hands to the sync, and the node and edge builders the transforms share: the tenant root,
 * an edge between two nodes, the IN_TENANT edge of an owned node, and a node table that merges repeated rows.
 */
import {
  type GraphEdge,
  type GraphNode,
  type NodeKind,
  type NodeRef,
  type PropValue,
  type SourceName,
  scopedId,
} from '../graph/schema.js';

/** What a source's transform stage hands to the loader. */
export interface SourceOutput {
  source: SourceName;
  /** The tenant node this source owns (stale-data cleanup is scoped by it). */
  tenantId: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Things that did not stop the source but a person should know (unresolvable references …). */
  warnings: string[];
}

export function countByKind(output: Pick<SourceOutput, 'nodes' | 'edges'>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of output.nodes) counts[n.kind] = (counts[n.kind] ?? 0) + 1;
  for (const e of output.edges) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return counts;
}

/** The root node of a source's tenant: its id is the tenant id, and it belongs to no tenant itself. */
export function tenantNode(
  kind: NodeKind,
  tenantId: string,
  source: SourceName,
  props: Record<string, PropValue>,
): GraphNode {
  return { kind, id: tenantId, nativeId: tenantId, tenantId: '', source, props };
}

/** An edge of `kind` from one node to another (each referred to by kind and id only). */
export function edgeBetween(
  kind: GraphEdge['kind'],
  from: NodeRef,
  to: NodeRef,
  tenantId: string,
  source: SourceName,
  props: Record<string, PropValue> = {},
): GraphEdge {
  return { kind, from: { kind: from.kind, id: from.id }, to: { kind: to.kind, id: to.id }, tenantId, source, props };
}

/** Builds the IN_TENANT edge of an owned node. */
export function inTenant(node: GraphNode, tenantKind: GraphNode['kind']): GraphEdge {
  return edgeBetween('IN_TENANT', node, { kind: tenantKind, id: node.tenantId }, node.tenantId, node.source);
}

/**
 * The nodes of one tenant, one per kind and key (graph id `<tenant id>:<key>`). Adding a node that is already there
 * completes it with the later row's known (non-null) values and returns it: e.g. a group first seen as a role member,
 * then listed with its directory details.
 */
export class NodeTable {
  readonly nodes: GraphNode[] = [];
  private readonly index = new Map<string, GraphNode>();

  constructor(
    private readonly tenantId: string,
    private readonly source: SourceName,
  ) {}

  add(kind: NodeKind, nativeId: string, props: Record<string, PropValue>, key = nativeId): GraphNode {
    const id = scopedId(this.tenantId, key);
    const k = `${kind}|${id}`;
    const existing = this.index.get(k);
    if (existing) {
      for (const [p, v] of Object.entries(props)) if (v !== null && v !== undefined) existing.props[p] = v;
      return existing;
    }
    const node: GraphNode = { kind, id, nativeId, tenantId: this.tenantId, source: this.source, props };
    this.index.set(k, node);
    this.nodes.push(node);
    return node;
  }
}
