/**
 * The read primitives a store implements for the queries (src/queries/engine.ts). The embedded store implements them
 * over graphology (src/store/memory/reader.ts), Neo4j with one Cypher file per primitive (cypher/, run by
 * src/store/neo4j/reader.ts); the conformance suite proves both answer alike.
 */
import { type EdgeKind, NODE_SCHEMA, type NodeKind, type PropValue } from '../graph/schema.js';

export interface ReaderNode {
  /** `${kind}|${id}` */
  key: string;
  kind: NodeKind;
  id: string;
  nativeId: string;
  tenantId: string;
  props: Record<string, PropValue>;
}

export interface ReaderStep {
  to: ReaderNode;
  kind: EdgeKind;
  reverse: boolean;
  implicit: boolean;
}

export interface ReaderEdge {
  node: ReaderNode;
  props: Record<string, PropValue>;
}

export interface EffectivePage {
  total: number;
  edges: ReaderEdge[];
  /** Roles whose members cannot be listed. */
  dynamicRoles: ReaderNode[];
}

/** Read primitives a store implements. Results may come in any order (the queries sort), unless a primitive says so. */
export interface GraphReader {
  /** Nodes of the kinds whose graph id, lower-cased name or lower-cased native id equals the value. */
  findNodes(kinds: readonly NodeKind[], field: 'id' | 'name' | 'native', value: string): Promise<ReaderNode[]>;
  /**
   * Every name and native id of nodes of the kinds, once each (for "did you mean" suggestions: an account is often
   * asked for by its id; only called on a miss).
   */
  names(kinds: readonly NodeKind[]): Promise<string[]>;
  /**
   * HAS_EFFECTIVE_PERMISSION edges into a resource whose permissions include `permission` (any, when null: edges with
   * at least one), in answer order (principalKindRank, lower-cased name, id): the `limit` edges after `offset` (all
   * when limit is null), how many match in all, and the dynamic roles (members_unknown) among all that match, in any
   * order.
   */
  effectiveInto(
    resourceKey: string,
    permission: string | null,
    offset: number,
    limit: number | null,
  ): Promise<EffectivePage>;
  /** HAS_EFFECTIVE_PERMISSION edges out of a principal, with their resources. */
  effectiveFrom(principalKey: string): Promise<ReaderEdge[]>;
  /** ASSUMES_USER / IS_GROUP edges into each CyberArk user or group, with the directory identity. */
  directoryLinks(keys: readonly string[]): Promise<{ target: string; node: ReaderNode; matchRule: string | null }[]>;
  /** Grant-carrying steps out of each node (src/graph/traversal.ts). */
  grantSteps(keys: readonly string[]): Promise<{ from: string; step: ReaderStep }[]>;
  /** SAFE_MEMBER edges from any of the nodes into the safe. */
  safeMemberships(
    keys: readonly string[],
    safeKey: string,
  ): Promise<{ from: string; props: Record<string, PropValue> }[]>;
  /** The safe that CONTAINS the account. */
  containingSafe(accountKey: string): Promise<ReaderNode | undefined>;
  /** Nodes of a kind whose lower-cased name contains `search`, ordered by lower-cased name then id, paged. */
  listNodes(
    kind: NodeKind,
    search: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ total: number; items: ReaderNode[] }>;
}

/**
 * A node's schema properties with absent ones as null, so that stores which drop null properties (Neo4j) and
 * stores which keep them (the embedded one) return identical objects.
 */
export function normalizeNodeProps(kind: NodeKind, props: Record<string, PropValue>): Record<string, PropValue> {
  const out: Record<string, PropValue> = {};
  for (const name of Object.keys(NODE_SCHEMA[kind].properties)) out[name] = props[name] ?? null;
  return out;
}

/** Anything that can hand out read primitives over its graph as it is now (a store). */
export interface ReadableGraph {
  /**
   * The graph's read primitives; a query runs all its reads on one reader. The embedded store's reader is the snapshot
   * loaded at this call, so a query sees one graph even when a sync commits meanwhile; Neo4j's reads the live database
   * (a sync deletes nothing before its commit). Throws StoreError('no-graph') when no sync has written a graph yet.
   */
  reader(): Promise<GraphReader>;
}
