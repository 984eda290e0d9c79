/**
 * The vocabulary of the graph: node kinds, edge kinds, source names, how a property is described, and the rows
 * sources produce (GraphNode, GraphEdge). The tables that describe each kind are node-schema.ts and edge-schema.ts;
 * schema.ts is the entry that gathers them.
 */
export type PropType = 'string' | 'boolean' | 'integer' | 'float' | 'datetime' | 'string[]' | 'json';

export interface PropDef {
  readonly type: PropType;
  readonly doc: string;
  /** Values of a closed set, for docs and validation. */
  readonly values?: readonly string[];
  /** Create a Neo4j index on this property (lookups by name, login, DN …). */
  readonly indexed?: boolean;
}

export const NODE_KINDS = [
  'IdentityTenant',
  'CyberArkUser',
  'CyberArkGroup',
  'CyberArkRole',
  'CyberArkApplication',
  'PrivilegeCloudTenant',
  'Safe',
  'Account',
  'VaultUser',
  'VaultGroup',
  'EntraTenant',
  'EntraUser',
  'EntraGroup',
  'ADDomain',
  'ADUser',
  'ADGroup',
  'SyncRun',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = [
  'IN_TENANT',
  'HAS_ROLE',
  'MEMBER_OF',
  'ASSUMES_USER',
  'IS_GROUP',
  'SAFE_MEMBER',
  'CONTAINS',
  'CAN_ACCESS',
  'HAS_EFFECTIVE_PERMISSION',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** Which extractor (or phase) wrote a node or edge; cleanup of stale data is scoped by it. The sources themselves are
 * registered in src/sources/index.ts (SOURCES). */
export const SOURCE_NAMES = [
  'identity',
  'privilegecloud',
  'entra',
  'activedirectory',
  'correlation',
  'effective',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface NodeKindDef {
  readonly kind: NodeKind;
  readonly doc: string;
  /** The tenant kind that owns nodes of this kind (IN_TENANT edge); absent for tenant roots and SyncRun. */
  readonly ownedBy?: NodeKind;
  /** The property shown as the node's name in paths and tables. */
  readonly nameProperty: string;
  readonly properties: Readonly<Record<string, PropDef>>;
}

export interface EdgeKindDef {
  readonly kind: EdgeKind;
  readonly doc: string;
  readonly from: readonly NodeKind[];
  readonly to: readonly NodeKind[];
  readonly properties: Readonly<Record<string, PropDef>>;
}

/** Kinds that can hold access, in the order answers list them. */
export const PRINCIPAL_KINDS = ['CyberArkUser', 'CyberArkGroup', 'CyberArkRole', 'VaultUser', 'VaultGroup'] as const;

export type PropValue = string | number | boolean | string[] | null;

/** A node as sources produce it and stores load it. */
export interface GraphNode {
  kind: NodeKind;
  id: string;
  nativeId: string;
  tenantId: string;
  source: SourceName;
  props: Record<string, PropValue>;
}

export interface NodeRef {
  kind: NodeKind;
  id: string;
}

/** An edge; at most one edge of a kind joins two nodes (it is keyed by kind, from and to). */
export interface GraphEdge {
  kind: EdgeKind;
  from: NodeRef;
  to: NodeRef;
  tenantId: string;
  source: SourceName;
  props: Record<string, PropValue>;
}

export function scopedId(tenantId: string, nativeId: string): string {
  return `${tenantId}:${nativeId}`;
}
