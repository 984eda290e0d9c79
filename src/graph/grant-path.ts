/**
 * A grant path: how a principal reaches what it holds, step by step. The effective-permission computation stores
 * paths on HAS_EFFECTIVE_PERMISSION edges; the queries return them (src/queries/types.ts re-exports these types as
 * part of every answer's shape).
 */
import type { EdgeKind, NodeKind } from './schema.js';

/** One step of a grant path; `via` is the edge that led here from the previous step. */
export interface PathStep {
  kind: NodeKind;
  id: string;
  name: string;
  via?: EdgeKind;
  /** True when `via` was followed against its direction (e.g. a CyberArk user ← ASSUMES_USER ← its AD user). */
  reverse?: boolean;
  /** On the last step of a grant path: what that membership (or application ACE) grants. */
  permissions?: string[];
}

export type GrantPath = PathStep[];
