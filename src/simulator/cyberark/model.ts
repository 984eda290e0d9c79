/**
 * Indexes and derived facts over a tenant, computed once when the simulator starts (the tenant is treated as
 * immutable while the simulator runs).
 */
import { createHash } from 'node:crypto';
import { grantAllowsUse } from '../../graph/permissions.js';
import type {
  Account,
  Application,
  DirectoryService,
  IdentityGroup,
  IdentityRole,
  IdentityUser,
  Safe,
  Tenant,
} from '../../tenant/format/index.js';

const lower = (s: string) => s.toLowerCase();

function indexBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(key(item))) map.set(key(item), item);
  return map;
}

/** A stable GUID derived from a string (used for the tenant_id claim and for synthetic subjects). */
export function stableGuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class TenantModel {
  readonly tenant: Tenant;
  readonly tenantGuid: string;
  readonly dirs: Map<string, DirectoryService>;
  readonly usersById: Map<string, IdentityUser>;
  readonly usersByName: Map<string, IdentityUser>;
  readonly groupsById: Map<string, IdentityGroup>;
  readonly rolesById: Map<string, IdentityRole>;
  readonly appsById: Map<string, Application>;
  readonly safesByName: Map<string, Safe>;
  readonly accountsBySafe: Map<string, Account[]>;
  readonly accountsById: Map<string, Account>;
  /** Role id (lower-cased) → ids of the users who hold it (direct, nested, Everybody, Script). */
  readonly roleUsers: Map<string, Set<string>>;
  /** User id (lower-cased) → ids of the roles the user holds. */
  readonly userRoles: Map<string, string[]>;

  constructor(tenant: Tenant) {
    this.tenant = tenant;
    const id = tenant.identity;
    const pc = tenant.privilegeCloud;
    this.tenantGuid = stableGuid(`tenant:${id.tenantId}`);
    this.dirs = indexBy(id.directoryServices, (d) => lower(d.uuid));
    this.usersById = indexBy(id.users, (u) => lower(u.id));
    this.usersByName = indexBy(id.users, (u) => lower(u.username));
    this.groupsById = indexBy(id.groups, (g) => lower(g.id));
    this.rolesById = indexBy(id.roles, (r) => lower(r.id));
    this.appsById = indexBy(id.applications, (a) => lower(a.id));
    this.safesByName = indexBy(pc.safes, (s) => s.name);
    this.accountsById = indexBy(pc.accounts, (a) => a.id);
    this.accountsBySafe = new Map();
    for (const a of pc.accounts) {
      const key = lower(a.safeName);
      const list = this.accountsBySafe.get(key);
      if (list) list.push(a);
      else this.accountsBySafe.set(key, [a]);
    }

    this.roleUsers = new Map();
    for (const role of id.roles) this.roleUsers.set(lower(role.id), this.#usersOfRole(role, new Set()));
    this.userRoles = new Map();
    for (const role of id.roles) {
      for (const userId of this.roleUsers.get(lower(role.id)) ?? []) {
        const key = lower(userId);
        const list = this.userRoles.get(key);
        if (list) list.push(role.id);
        else this.userRoles.set(key, [role.id]);
      }
    }
  }

  /** Everybody covers every user except service users and OAuth confidential clients (which are service users). */
  static inEverybody(user: IdentityUser): boolean {
    return !user.serviceUser && !user.oauthClient;
  }

  #usersOfRole(role: IdentityRole, visiting: Set<string>): Set<string> {
    const out = new Set<string>();
    const key = lower(role.id);
    if (visiting.has(key)) return out;
    visiting.add(key);
    if (role.roleType === 'Everybody') {
      for (const u of this.tenant.identity.users) if (TenantModel.inEverybody(u)) out.add(u.id);
    }
    for (const u of role.scriptMembers ?? []) out.add(this.usersById.get(lower(u))?.id ?? u);
    for (const m of role.members) {
      if (m.type === 'User') out.add(this.usersById.get(lower(m.id))?.id ?? m.id);
      else if (m.type === 'Role') {
        const nested = this.rolesById.get(lower(m.id));
        if (nested) for (const u of this.#usersOfRole(nested, visiting)) out.add(u);
      }
      // Group members: the tenant format holds no Identity group membership, so they add no users here.
    }
    visiting.delete(key);
    return out;
  }

  dirOf(uuid: string): DirectoryService | undefined {
    return this.dirs.get(lower(uuid));
  }

  user(id: string): IdentityUser | undefined {
    return this.usersById.get(lower(id));
  }

  role(id: string): IdentityRole | undefined {
    return this.rolesById.get(lower(id));
  }

  app(id: string): Application | undefined {
    return this.appsById.get(lower(id));
  }

  rolesOfUser(userId: string): IdentityRole[] {
    return (this.userRoles.get(lower(userId)) ?? []).map((r) => this.role(r)).filter((r): r is IdentityRole => !!r);
  }

  principalName(type: 'User' | 'Group' | 'Role', id: string): string {
    if (type === 'User') return this.user(id)?.username ?? id;
    if (type === 'Group') return this.groupsById.get(lower(id))?.name ?? id;
    return this.role(id)?.name ?? id;
  }

  /** Apps whose ACL lets this role run them (Execute or Automatic) through a direct Role ACE. */
  appsOfRole(roleId: string): Application[] {
    const key = lower(roleId);
    return this.tenant.identity.applications.filter((a) =>
      a.acl.some((e) => e.principalType === 'Role' && lower(e.principalId) === key && grantAllowsUse(e.grant)),
    );
  }

  /** Apps a user may run: direct user ACEs plus the ACEs of every role the user holds (nested and Everybody too). */
  appsOfUser(userId: string): Application[] {
    const key = lower(userId);
    const roles = new Set((this.userRoles.get(key) ?? []).map(lower));
    return this.tenant.identity.applications.filter((a) =>
      a.acl.some(
        (e) =>
          grantAllowsUse(e.grant) &&
          ((e.principalType === 'User' && lower(e.principalId) === key) ||
            (e.principalType === 'Role' && roles.has(lower(e.principalId)))),
      ),
    );
  }

  accountsOfSafe(name: string): Account[] {
    return this.accountsBySafe.get(lower(name)) ?? [];
  }
}
