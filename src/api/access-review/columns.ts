/**
 * The rows of the access-review export: one per (principal, resource, grant path). The column order is a public
 * contract (docs/api.md): new columns are only ever appended.
 */
import type { DirectoryIdentity, GrantPath } from '../../queries/types.js';

export const EXPORT_COLUMNS = [
  'scope',
  'resource_type',
  'resource_id',
  'resource_name',
  'resource_tenant_id',
  'principal_type',
  'principal_id',
  'principal_name',
  'principal_login',
  'principal_display_name',
  'principal_email',
  'principal_kind',
  'principal_active',
  'principal_last_login_at',
  'directory_identities',
  'directory_enabled',
  'permissions',
  'path_index',
  'path_count',
  'grant_path',
  'grant_path_json',
  'reviewer_candidates',
  'reviewer_candidate_count',
  'no_login_90d',
  'disabled_in_directory',
  'orphan',
  'expired_membership',
  'via_dynamic_role',
  'flags',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

export const FLAG_COLUMNS = [
  'no_login_90d',
  'disabled_in_directory',
  'orphan',
  'expired_membership',
  'via_dynamic_role',
] as const;

export interface AccessReviewRow {
  scope: string;
  resource_type: 'Safe' | 'CyberArkApplication';
  resource_id: string;
  resource_name: string;
  resource_tenant_id: string;
  principal_type: string;
  principal_id: string;
  principal_name: string;
  principal_login: string | null;
  principal_display_name: string | null;
  principal_email: string | null;
  /** human / non-human for CyberArk users (identity_type), null otherwise. */
  principal_kind: 'human' | 'non-human' | null;
  principal_active: boolean | null;
  principal_last_login_at: string | null;
  directory_identities: DirectoryIdentity[];
  /** All correlated directory identities enabled → true; any disabled → false; none or unknown → null. */
  directory_enabled: boolean | null;
  permissions: string[];
  /** 1-based index of this path among the principal's stored paths to the resource. */
  path_index: number;
  /** All grant paths of the principal to the resource, including those beyond the stored limit. */
  path_count: number;
  grant_path: string;
  grant_path_json: GrantPath;
  /** Up to MAX_REVIEWERS login names: active human users first, then by name. */
  reviewer_candidates: string[];
  /** All CyberArk users holding the reviewer permission on the resource. */
  reviewer_candidate_count: number;
  no_login_90d: boolean | null;
  disabled_in_directory: boolean | null;
  orphan: boolean | null;
  expired_membership: boolean | null;
  via_dynamic_role: boolean;
  flags: string[];
}

/** Reviewer candidates listed per row (the count column has them all). */
export const MAX_REVIEWERS = 25;
