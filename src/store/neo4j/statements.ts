/**
 * Write statements generated from the graph schema: constraints, indexes, batched UNWIND loads and stale-data
 * cleanup. Labels and relationship types come only from the schema's enums (checked here), values only from
 * parameters.
 */

import { nodeName } from '../../graph/access-graph.js';
import {
  COMMON_NODE_PROPERTIES,
  EDGE_KINDS,
  type EdgeKind,
  type GraphEdge,
  type GraphNode,
  NODE_KINDS,
  NODE_SCHEMA,
  type NodeKind,
  type PropValue,
} from '../../graph/schema.js';

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

function label(kind: NodeKind): string {
  if (!NODE_KINDS.includes(kind) || !IDENT.test(kind)) throw new Error(`not a schema node kind: ${kind}`);
  return `\`${kind}\``;
}

function relType(kind: EdgeKind): string {
  if (!EDGE_KINDS.includes(kind) || !IDENT.test(kind)) throw new Error(`not a schema edge kind: ${kind}`);
  return `\`${kind}\``;
}

function propName(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a schema property: ${name}`);
  return `\`${name}\``;
}

/** Uniqueness constraints and indexes, all idempotent. */
export function schemaStatements(): string[] {
  const out = [
    'CREATE CONSTRAINT ark_node_key IF NOT EXISTS FOR (n:ArkNode) REQUIRE n.ark_key IS UNIQUE',
    'CREATE INDEX ark_node_kind IF NOT EXISTS FOR (n:ArkNode) ON (n.ark_kind)',
    'CREATE INDEX ark_node_name IF NOT EXISTS FOR (n:ArkNode) ON (n.ark_name_lower)',
    'CREATE INDEX ark_node_native IF NOT EXISTS FOR (n:ArkNode) ON (n.ark_native_lower)',
    'CREATE INDEX ark_node_scope IF NOT EXISTS FOR (n:ArkNode) ON (n.source, n.tenant_id)',
  ];
  for (const kind of NODE_KINDS) {
    out.push(`CREATE CONSTRAINT ${kind.toLowerCase()}_id IF NOT EXISTS FOR (n:${label(kind)}) REQUIRE n.id IS UNIQUE`);
    const indexed = Object.entries({ ...COMMON_NODE_PROPERTIES, ...NODE_SCHEMA[kind].properties }).filter(
      ([name, def]) => def.indexed && name !== 'id',
    );
    for (const [name] of indexed) {
      out.push(
        `CREATE INDEX ${kind.toLowerCase()}_${name} IF NOT EXISTS FOR (n:${label(kind)}) ON (n.${propName(name)})`,
      );
    }
  }
  return out;
}

/** MERGE on the unique ark_key, add the kind label, replace properties (a null removes a property). */
export function nodeUpsert(kind: NodeKind): string {
  return `UNWIND $rows AS row
MERGE (n:ArkNode {ark_key: row.key})
SET n:${label(kind)}
SET n += row.props`;
}

/**
 * Match both ends on ark_key, then MERGE (update the relationship between them, or add it) or CREATE (for a kind the
 * database holds none of yet); replace properties.
 */
export function edgeWrite(kind: EdgeKind, verb: 'MERGE' | 'CREATE'): string {
  if (verb !== 'MERGE' && verb !== 'CREATE') throw new Error(`not a relationship write: ${String(verb)}`);
  return `UNWIND $rows AS row
MATCH (a:ArkNode {ark_key: row.from})
MATCH (b:ArkNode {ark_key: row.to})
${verb} (a)-[r:${relType(kind)}]->(b)
SET r += row.props`;
}

/** One row when the database holds any relationship of the kind. */
export function edgeExists(kind: EdgeKind): string {
  return `MATCH ()-[r:${relType(kind)}]->() RETURN 1 AS found LIMIT 1`;
}

/** Deletes edges of a kind written by another sync, in bounded transactions. $scopes: "<source>|<tenant>". */
export function staleEdgeCleanup(kind: EdgeKind): string {
  return `MATCH ()-[r:${relType(kind)}]->()
WHERE r.sync_id <> $syncId AND r.source + '|' + r.tenant_id IN $scopes
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS`;
}

export function staleNodeCleanup(kind: NodeKind): string {
  return `MATCH (n:${label(kind)})
WHERE n.sync_id <> $syncId AND n.source + '|' + n.tenant_id IN $scopes
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS`;
}

export const EFFECTIVE_CLEANUP = `MATCH ()-[r:HAS_EFFECTIVE_PERMISSION]->()
WHERE r.sync_id <> $syncId
CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS`;

export function nodeKeyOf(kind: NodeKind, id: string): string {
  return `${kind}|${id}`;
}

/** A node as a row of nodeUpsert: schema properties plus the common and lookup properties. */
export function nodeRow(node: GraphNode, syncId: string): { key: string; props: Record<string, PropValue> } {
  const name = nodeName(node);
  return {
    key: nodeKeyOf(node.kind, node.id),
    props: {
      ...node.props,
      id: node.id,
      native_id: node.nativeId,
      tenant_id: node.tenantId,
      source: node.source,
      sync_id: syncId,
      ark_key: nodeKeyOf(node.kind, node.id),
      ark_kind: node.kind,
      ark_name: name,
      ark_name_lower: name.toLowerCase(),
      ark_native_lower: node.nativeId.toLowerCase(),
    },
  };
}

export function edgeRow(
  edge: GraphEdge,
  syncId: string,
): { from: string; to: string; props: Record<string, PropValue> } {
  return {
    from: nodeKeyOf(edge.from.kind, edge.from.id),
    to: nodeKeyOf(edge.to.kind, edge.to.id),
    props: { ...edge.props, tenant_id: edge.tenantId, source: edge.source, sync_id: syncId },
  };
}

/** Properties Neo4j holds for bookkeeping that are not schema properties of the kind. */
export const NODE_BOOKKEEPING = new Set([
  'id',
  'native_id',
  'tenant_id',
  'source',
  'sync_id',
  'ark_key',
  'ark_kind',
  'ark_name',
  'ark_name_lower',
  'ark_native_lower',
]);
export const EDGE_BOOKKEEPING = new Set(['tenant_id', 'source', 'sync_id']);
