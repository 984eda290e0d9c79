/**
 * CyberArk Identity's predefined roles, recognised by more than their RoleType: the Everybody role by its id (the id
 * `everybody` has no public source; the RoleType does) or, when a row carries no RoleType, by its name; the
 * Privilege Cloud roles by the synthetic ids under which safes list them.
 */

/** Ids of the Everybody role on real tenants (compared case-insensitively). */
export const EVERYBODY_ROLE_IDS: readonly string[] = ['everybody'];
/**
 * The synthetic safe-member ids under which Privilege Cloud lists its predefined Identity roles (as members of type
 * Group: a recorded Privilege Cloud session, and scripts that add these roles to safes), and the roles' names.
 */
export const PREDEFINED_ROLE_MEMBER_IDS: Readonly<Record<string, string>> = {
  privilege_cloud_admins_id: 'Privilege Cloud Administrators',
  privilege_cloud_users_id: 'Privilege Cloud Users',
  privilege_cloud_auditors_id: 'Privilege Cloud Auditors',
};

interface RoleFacts {
  ID: string;
  Name?: string | null | undefined;
  RoleType?: string | null | undefined;
}

/**
 * The Everybody role holds every user that is not a service user, implicitly: the API lists no members for it. A
 * RoleType of Everybody says so; so does the well-known id; the name says so only where the row has no RoleType
 * (a role of another type cannot be named Everybody: the name is the built-in role's).
 */
export function isEverybodyRole(role: RoleFacts): boolean {
  const type = (role.RoleType ?? '').trim().toLowerCase();
  if (type === 'everybody') return true;
  if (EVERYBODY_ROLE_IDS.includes(role.ID.trim().toLowerCase())) return true;
  return type === '' && (role.Name ?? '').trim().toLowerCase() === 'everybody';
}

/** The RoleType arkgraph records: Everybody when isEverybodyRole says so, else the row's (PrincipalList by default). */
export function roleTypeOf(role: RoleFacts): string {
  if (isEverybodyRole(role)) return 'Everybody';
  const type = (role.RoleType ?? '').trim();
  return type === '' ? 'PrincipalList' : type;
}
