/** Row validation against the graph schema (zod types derived from NODE_SCHEMA and EDGE_SCHEMA). */
import { z } from 'zod';
import {
  EDGE_KINDS,
  EDGE_SCHEMA,
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  NODE_KINDS,
  NODE_SCHEMA,
  type NodeKind,
  type PropDef,
} from './schema.js';

/** Zod type of one property value. Null means "not known"; loaders drop nulls rather than store them. */
function zodForProp(def: PropDef): z.ZodType {
  switch (def.type) {
    case 'string':
    case 'datetime':
    case 'json':
      return def.values ? z.enum(def.values as [string, ...string[]]).nullable() : z.string().nullable();
    case 'boolean':
      return z.boolean().nullable();
    case 'integer':
      return z.number().int().nullable();
    case 'float':
      return z.number().nullable();
    case 'string[]':
      return z.array(z.string()).nullable();
  }
}

function objectSchema(props: Readonly<Record<string, PropDef>>): z.ZodType<Record<string, unknown>> {
  return z
    .object(Object.fromEntries(Object.entries(props).map(([name, def]) => [name, zodForProp(def).optional()])))
    .strict();
}

export const nodePropsSchemas = Object.fromEntries(
  NODE_KINDS.map((k) => [k, objectSchema(NODE_SCHEMA[k].properties)]),
) as unknown as Record<NodeKind, z.ZodType<Record<string, unknown>>>;

export const edgePropsSchemas = Object.fromEntries(
  EDGE_KINDS.map((k) => [k, objectSchema(EDGE_SCHEMA[k].properties)]),
) as unknown as Record<EdgeKind, z.ZodType<Record<string, unknown>>>;

export class SchemaViolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaViolationError';
  }
}

/** Checks a node against the schema; the message names the kind, id and field. */
export function validateNode(node: GraphNode): void {
  const result = nodePropsSchemas[node.kind].safeParse(node.props);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SchemaViolationError(
      `${node.kind} ${node.id}: property ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
}

export function validateEdge(edge: GraphEdge): void {
  const def = EDGE_SCHEMA[edge.kind];
  if (!def.from.includes(edge.from.kind) || !def.to.includes(edge.to.kind)) {
    throw new SchemaViolationError(`${edge.kind} cannot join ${edge.from.kind} to ${edge.to.kind}`);
  }
  const result = edgePropsSchemas[edge.kind].safeParse(edge.props);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SchemaViolationError(
      `${edge.kind} ${edge.from.id} -> ${edge.to.id}: property ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
}

/** Graph key of a tenant-owned object. */
