/** Result shapes of the access queries. The CLI's --json output and the API return exactly these. */

import type { GrantPath } from '../graph/grant-path.js';
import type { SafePermissionKey } from '../graph/permissions.js';
import type { NodeKind } from '../graph/schema.js';

export type { GrantPath, PathStep } from '../graph/grant-path.js';

export interface DirectoryIdentity {
  kind: NodeKind;
  id: string;
  name: string;
  enabled: boolean | null;
  match_rule: string | null;
}

export interface PrincipalSummary {
  type: NodeKind;
  id: string;
  native_id: string;
  name: string;
  tenant_id: string;
  /** CyberArk users: */
  login_name?: string;
  display_name?: string | null;
  email?: string | null;
  identity_type?: string | null;
  is_active?: boolean | null;
  last_login_at?: string | null;
  /** Roles: */
  role_type?: string | null;
  members_unknown?: boolean | null;
  /** Directory identities that are this CyberArk user or group (correlation). */
  directory_identities?: DirectoryIdentity[];
}

export interface PrincipalAccess extends PrincipalSummary {
  permissions: string[];
  paths: GrantPath[];
  /** All grant paths, including those beyond the stored limit. */
  path_count: number;
  via_dynamic_role: boolean;
  /** Expired memberships of the safe the principal reaches at any depth (they grant nothing). */
  expired_membership_count: number;
}

export interface SafeRef {
  id: string;
  name: string;
  tenant_id: string;
}

/**
 * A page of principals: which slice of the answer `principals` holds. Principals are in a fixed order (CyberArk users,
 * groups, roles, vault users, vault groups; then by lower-cased name, then id), so pages never overlap or skip.
 */
export interface PrincipalPage {
  /** Principals in the whole answer, across all pages. */
  total: number;
  offset: number;
  /** The page size asked for; null when the whole answer was asked for. */
  limit: number | null;
}

/** Which principals to return: `limit` of them after skipping `offset`. */
export interface PageRequest {
  offset: number;
  limit: number;
}

export interface WhoCanResult extends PrincipalPage {
  safe: SafeRef;
  permission: SafePermissionKey;
  permission_display_name: string;
  principals: PrincipalAccess[];
  /** Things the answer cannot see, e.g. dynamic roles whose members cannot be listed (for the whole answer, not the page). */
  warnings: string[];
}

export interface ApplicationAccessResult extends PrincipalPage {
  application: { id: string; name: string; tenant_id: string };
  principals: PrincipalAccess[];
}

export interface SafeAccessResult extends PrincipalPage {
  safe: SafeRef;
  principals: PrincipalAccess[];
  warnings: string[];
}

export interface SafeAccess {
  safe: SafeRef;
  permissions: string[];
  paths: GrantPath[];
  path_count: number;
  via_dynamic_role: boolean;
}

export interface RoleHeld {
  id: string;
  name: string;
  role_type: string | null;
  /** Direct (listed), implicit (Everybody), or inherited through groups/nested roles. */
  how: 'direct' | 'implicit' | 'inherited';
  path: GrantPath;
}

export interface ApplicationAccess {
  application: { id: string; name: string; tenant_id: string };
  grants: string[];
  paths: GrantPath[];
  path_count: number;
}

export interface UserAccessResult {
  user: PrincipalSummary;
  safes: SafeAccess[];
  roles: RoleHeld[];
  applications: ApplicationAccess[];
}

export interface PathsResult {
  from: PrincipalSummary;
  safe: SafeRef;
  max_depth: number;
  /** Every simple path up to max_depth over the grant edges, shortest first, then by names. */
  paths: { path: GrantPath; permissions: SafePermissionKey[]; expired: boolean }[];
  truncated: boolean;
}

export interface AccountAccessResult extends PrincipalPage {
  account: {
    id: string;
    native_id: string;
    name: string;
    safe_name: string;
    address: string | null;
    user_name: string | null;
    platform_id: string | null;
  };
  safe: SafeRef;
  principals: PrincipalAccess[];
}

export const ASSET_TYPES = ['safes', 'users', 'groups', 'roles', 'applications', 'accounts'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export interface AssetQuery {
  type: AssetType;
  /** Case-insensitive substring of the name. */
  search?: string;
  offset?: number;
  limit?: number;
}

export interface AssetListResult {
  type: AssetType;
  total: number;
  offset: number;
  limit: number;
  items: Record<string, unknown>[];
}

/** An unknown safe, user or account: the message lists close matches. */
export class NotFoundError extends Error {
  constructor(
    readonly what: 'safe' | 'user' | 'account' | 'principal' | 'application' | 'role',
    readonly input: string,
    readonly suggestions: string[],
  ) {
    super(
      `no ${what} named "${input}"${suggestions.length ? `; did you mean: ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''}`,
    );
    this.name = 'NotFoundError';
  }
}

/** Several objects match a name (e.g. the same safe name in two tenants). */
export class AmbiguousNameError extends Error {
  constructor(
    readonly what: string,
    readonly input: string,
    readonly candidates: string[],
  ) {
    super(`"${input}" names ${candidates.length} ${what}s: ${candidates.join(', ')}; use the id`);
    this.name = 'AmbiguousNameError';
  }
}
