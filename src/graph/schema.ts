/**
 * The one declarative graph schema. Everything that touches the shape of the graph derives from these definitions:
 * Neo4j constraints and batched UNWIND loads, the embedded (graphology) loader, row validation and docs/schema.md.
 * No source writes ingest Cypher by hand: a source produces GraphNode/GraphEdge rows and the stores do the rest.
 * The schema is three modules: kinds.ts (kinds, property descriptions, row types), node-schema.ts and edge-schema.ts
 * (the tables); this entry gathers them, and validation against them is in validate.ts.
 */

export { COMMON_EDGE_PROPERTIES, EDGE_SCHEMA } from './edge-schema.js';
export * from './kinds.js';
export { COMMON_NODE_PROPERTIES, NODE_SCHEMA } from './node-schema.js';
