import type { GraphEdge, GraphNode, SourceName } from '../graph/schema.js';

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

/** Progress events, for progress bars on a TTY and structured logs otherwise. */
export type ProgressEvent =
  | { type: 'phase'; source: string; phase: string }
  | { type: 'progress'; source: string; phase: string; done: number; total?: number };

export type ProgressListener = (event: ProgressEvent) => void;

/** Builds the IN_TENANT edge of an owned node. */
export function inTenant(node: GraphNode, tenantKind: GraphNode['kind']): GraphEdge {
  return {
    kind: 'IN_TENANT',
    from: { kind: node.kind, id: node.id },
    to: { kind: tenantKind, id: node.tenantId },
    tenantId: node.tenantId,
    source: node.source,
    props: {},
  };
}
