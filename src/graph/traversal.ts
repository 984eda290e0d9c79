/**
 * Which edges carry access, and in which direction. A principal "acts as" every node it reaches over these edges,
 * and holds the safe memberships and application ACEs of each of them. Both the effective-permission computation
 * and the path queries (embedded and Cypher) follow exactly these rules; test/architecture/cypher-traversal.test.ts
 * checks that every cypher/ file traverses exactly the edge kinds declared here.
 *
 * - HAS_ROLE, MEMBER_OF, IS_GROUP are followed forward (member → role/group, directory group → CyberArk group).
 * - ASSUMES_USER and IS_GROUP are identity equivalences, also followed backwards: a CyberArk user acts as the AD or
 *   Entra user that is it, and so inherits that user's directory group memberships; a CyberArk group acts as the
 *   directory group that is it, and so inherits that group's nesting.
 */
import type { EdgeKind, NodeKind } from './schema.js';

export const FORWARD_GRANT_EDGES: readonly EdgeKind[] = ['HAS_ROLE', 'MEMBER_OF', 'IS_GROUP', 'ASSUMES_USER'];
export const REVERSE_GRANT_EDGES: readonly EdgeKind[] = ['ASSUMES_USER', 'IS_GROUP'];
/** Edges that hold what a reached node grants: safe memberships and application ACEs. */
export const GRANT_HOLDING_EDGES: readonly EdgeKind[] = ['SAFE_MEMBER', 'CAN_ACCESS'];
/** Every edge kind the effective-permission computation reads (the access graph: cypher/access_graph_edges.cypher). */
export const ACCESS_GRAPH_EDGES: readonly EdgeKind[] = [
  ...new Set([...FORWARD_GRANT_EDGES, ...REVERSE_GRANT_EDGES, ...GRANT_HOLDING_EDGES]),
];

/** Principals that get HAS_EFFECTIVE_PERMISSION edges. */
export const EFFECTIVE_PRINCIPAL_KINDS: readonly NodeKind[] = [
  'CyberArkUser',
  'CyberArkGroup',
  'CyberArkRole',
  'VaultUser',
  'VaultGroup',
];

/** Default number of grant paths stored on each HAS_EFFECTIVE_PERMISSION edge. */
export const DEFAULT_MAX_STORED_PATHS = 10;

/** Default depth bound of the paths query (edges from the principal to the safe). */
export const DEFAULT_PATHS_MAX_DEPTH = 8;
export const MAX_PATHS_MAX_DEPTH = 12;
/** The paths query returns at most this many paths (and says it truncated). */
export const MAX_PATHS_RETURNED = 200;
