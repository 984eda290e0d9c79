/**
 * A brute-force oracle for access questions, computed from the tenant file alone. It shares no code with
 * src/ (no graph, no traversal, no resolver): set-based fixed points over the tenant's own lists, written to be
 * obviously right rather than fast. The end-to-end tests compare arkgraph's answers with it.
 */
import type { SafeMember, Tenant } from '../../src/tenant/format/index.js';

export type PrincipalType = 'CyberArkUser' | 'CyberArkGroup' | 'CyberArkRole' | 'VaultUser' | 'VaultGroup';

/** A principal as the oracle names it: type + name (login, group/role/vault name). */
export type Who = `${PrincipalType}:${string}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CyberArkOracle {
  private readonly usersById = new Map<string, string>();
  private readonly usersByLogin = new Map<string, string>();
  private readonly roleNames = new Map<string, string>();
  private readonly groupNames = new Map<string, string>();
  /** For each role id, the role ids it holds (itself included), through nesting. */
  private readonly roleClosure = new Map<string, Set<string>>();
  /** For each user login, the role ids held (direct, Everybody, nested). Script roles' members are not visible. */
  readonly rolesOfUser = new Map<string, Set<string>>();
  /** For each group name, the role ids held. */
  readonly rolesOfGroup = new Map<string, Set<string>>();
  /** Vault group name (lower) → member names as listed (users). */
  private readonly vaultGroupMembers = new Map<string, string[]>();
  /** Inverse of the above: role id → every principal holding it (computed once; safeAccess is called a lot). */
  private readonly holders = new Map<string, Who[]>();
  private readonly accessCache = new Map<string, Map<Who, Set<string>>>();
  /** CyberArk group name → CyberArk group names it belongs to through directory nesting (itself excluded). */
  readonly groupAncestors = new Map<string, Set<string>>();
  /** CyberArk user login → CyberArk group names it belongs to through its directory identities. */
  readonly groupsOfUser = new Map<string, Set<string>>();
  /** Directory identities correlated to each CyberArk user / group (by the documented default rules). */
  readonly directoryTwins = new Map<string, { kind: string; name: string; enabled: boolean }[]>();
  private readonly directoryHops = new Set<string>();

  /**
   * `directories`: whether the sync being checked read Entra ID and AD (then directory nesting grants access);
   * without them CyberArk groups have no known members.
   */
  constructor(
    readonly tenant: Tenant,
    readonly nowMs: number,
    readonly options: { directories?: boolean } = {},
  ) {
    const id = tenant.identity;
    for (const u of id.users) {
      this.usersById.set(u.id.toLowerCase(), u.username);
      this.usersByLogin.set(u.username.toLowerCase(), u.username);
    }
    for (const r of id.roles) this.roleNames.set(r.id, r.name);
    for (const g of id.groups) this.groupNames.set(g.id, g.name);

    // Role nesting: child ∈ parent.members (type Role) ⇒ holders of child hold parent. Fixed point.
    for (const r of id.roles) this.roleClosure.set(r.id, new Set([r.id]));
    let changed = true;
    while (changed) {
      changed = false;
      for (const parent of id.roles) {
        for (const m of parent.members) {
          if (m.type !== 'Role') continue;
          const childSet = this.roleClosure.get(m.id)!;
          for (const held of this.roleClosure.get(parent.id)!) {
            if (!childSet.has(held)) {
              childSet.add(held);
              changed = true;
            }
          }
        }
      }
    }

    if (options.directories) this.computeDirectoryMemberships();

    const everybody = id.roles.filter((r) => r.roleType === 'Everybody').map((r) => r.id);
    for (const u of id.users) {
      // Everybody holds every user but service users (OAuth confidential clients are service users).
      const direct = new Set<string>(inEverybody(u) ? everybody : []);
      for (const r of id.roles) if (r.members.some((m) => m.type === 'User' && m.id === u.id)) direct.add(r.id);
      for (const groupName of this.groupsOfUser.get(u.username) ?? []) {
        const g = id.groups.find((x) => x.name === groupName)!;
        for (const r of id.roles) if (r.members.some((m) => m.type === 'Group' && m.id === g.id)) direct.add(r.id);
      }
      this.rolesOfUser.set(u.username, this.close(direct));
    }
    for (const g of id.groups) {
      const direct = new Set<string>();
      const own = [g, ...[...(this.groupAncestors.get(g.name) ?? [])].map((n) => id.groups.find((x) => x.name === n)!)];
      for (const x of own)
        for (const r of id.roles) if (r.members.some((m) => m.type === 'Group' && m.id === x.id)) direct.add(r.id);
      this.rolesOfGroup.set(g.name, this.close(direct));
    }
    const hold = (roleId: string, who: Who) => {
      const list = this.holders.get(roleId) ?? [];
      list.push(who);
      this.holders.set(roleId, list);
    };
    for (const [login, roles] of this.rolesOfUser) for (const r of roles) hold(r, `CyberArkUser:${login}`);
    for (const [group, roles] of this.rolesOfGroup) for (const r of roles) hold(r, `CyberArkGroup:${group}`);
    for (const r of id.roles)
      for (const held of this.roleClosure.get(r.id)!) if (held !== r.id) hold(held, `CyberArkRole:${r.name}`);
    for (const vg of tenant.privilegeCloud.vaultGroups) {
      this.vaultGroupMembers.set(
        vg.groupName.toLowerCase(),
        vg.members.map((m) => m.username),
      );
    }
  }

  private close(direct: Set<string>): Set<string> {
    const out = new Set<string>();
    for (const r of direct) for (const held of this.roleClosure.get(r)!) out.add(held);
    return out;
  }

  roleName(id: string): string {
    return this.roleNames.get(id)!;
  }

  /** Who a safe member is, by the documented rules (user id, login, role name, group name, else vault). */
  resolve(m: Pick<SafeMember, 'memberId' | 'memberName' | 'memberType'>): Who {
    if (m.memberType === 'User') {
      if (GUID.test(m.memberId)) {
        const login = this.usersById.get(m.memberId.toLowerCase());
        if (login) return `CyberArkUser:${login}`;
      }
      const login = this.usersByLogin.get(m.memberName.toLowerCase());
      return login ? `CyberArkUser:${login}` : `VaultUser:${m.memberName}`;
    }
    for (const [rid, name] of this.roleNames)
      if (name === m.memberName) return `CyberArkRole:${this.roleNames.get(rid)!}`;
    const ci = [...this.roleNames.values()].filter((n) => n.toLowerCase() === m.memberName.toLowerCase());
    if (ci.length === 1) return `CyberArkRole:${ci[0]}`;
    const groups = this.tenant.identity.groups.filter(
      (g) =>
        g.name.toLowerCase() === m.memberName.toLowerCase() ||
        g.displayName.toLowerCase() === m.memberName.toLowerCase(),
    );
    if (groups.length === 1) return `CyberArkGroup:${groups[0]!.name}`;
    return `VaultGroup:${m.memberName}`;
  }

  isExpired(m: SafeMember): boolean {
    return m.membershipExpirationDate !== null && m.membershipExpirationDate * 1000 <= this.nowMs;
  }

  /**
   * Every principal with at least one permission on the safe, and the union of its permissions, over the
   * non-expired memberships.
   */
  safeAccess(safeName: string): Map<Who, Set<string>> {
    const cached = this.accessCache.get(safeName);
    if (cached) return cached;
    const safe = this.tenant.privilegeCloud.safes.find((s) => s.name === safeName);
    if (!safe) throw new Error(`oracle: no safe ${safeName}`);
    const out = new Map<Who, Set<string>>();
    const grant = (who: Who, perms: readonly string[]) => {
      if (perms.length === 0) return;
      const set = out.get(who) ?? new Set<string>();
      for (const p of perms) set.add(p);
      out.set(who, set);
    };
    for (const m of safe.members) {
      if (this.isExpired(m)) continue;
      const who = this.resolve(m);
      grant(who, m.permissions);
      const [type, name] = splitWho(who);
      if (type === 'CyberArkRole') {
        const roleId = [...this.roleNames].find(([, n]) => n === name)![0];
        for (const holder of this.holders.get(roleId) ?? []) grant(holder, m.permissions);
      } else if (type === 'CyberArkGroup') {
        for (const [group, ancestors] of this.groupAncestors)
          if (ancestors.has(name)) grant(`CyberArkGroup:${group}`, m.permissions);
        for (const [login, groups] of this.groupsOfUser)
          if (groups.has(name)) grant(`CyberArkUser:${login}`, m.permissions);
      } else if (type === 'VaultGroup') {
        for (const member of this.vaultGroupMembers.get(name.toLowerCase()) ?? []) {
          const login = this.usersByLogin.get(member.toLowerCase());
          grant(login ? `CyberArkUser:${login}` : `VaultUser:${member}`, m.permissions);
        }
      }
    }
    this.accessCache.set(safeName, out);
    return out;
  }

  /** who-can: the principals holding `permission` on the safe. */
  whoCan(permission: string, safeName: string): Set<Who> {
    const out = new Set<Who>();
    for (const [who, perms] of this.safeAccess(safeName)) if (perms.has(permission)) out.add(who);
    return out;
  }

  /**
   * Directory-derived group membership. Correlation by the documented default rules: Entra user UPN = CyberArk login
   * (case-insensitive), Entra group id = CyberArk FDS group external id, AD user/group DN = CyberArk AdProxy DN. A
   * key claimed by several CyberArk identities links nothing. DNs are compared with a minimal normalisation that
   * covers the variants the generator writes (case, a space after separators, hex-escaped commas).
   */
  private computeDirectoryMemberships(): void {
    const t = this.tenant;
    const services = new Set(t.identity.directoryServices.map((d) => d.service));
    const dirOf = (uuid: string) => t.identity.directoryServices.find((d) => d.uuid === uuid)?.service;
    const dn = (v: string) =>
      v
        .trim()
        .toLowerCase()
        .replace(/\\2c/g, '\\,')
        .replace(/(?<!\\),\s+/g, ',');
    const unique = <T>(items: T[]) => (items.length === 1 ? items[0] : undefined);
    const hop = (a: string, via: string, b: string) => this.directoryHops.add(`${a}|${via}|${b}`);
    // directory group key → directory groups containing it (one level); users likewise.
    const parents = new Map<string, string[]>();
    const addParent = (child: string, parent: string) => parents.set(child, [...(parents.get(child) ?? []), parent]);
    const cyberGroupOf = new Map<string, string>(); // directory group key → CyberArk group name
    const names = new Map<string, string>(); // directory key → "Kind:name" for hops
    const twins = new Map<string, string[]>(); // CyberArk user login / group name → directory keys

    if (t.entra && services.has('FDS')) {
      for (const g of t.entra.groups) {
        names.set(`e:${g.id.toLowerCase()}`, `EntraGroup:${g.displayName}`);
        for (const m of g.members) addParent(`e:${m.id.toLowerCase()}`, `e:${g.id.toLowerCase()}`);
        const c = unique(
          t.identity.groups.filter(
            (x) => dirOf(x.directoryServiceUuid) === 'FDS' && x.externalUuid?.toLowerCase() === g.id.toLowerCase(),
          ),
        );
        if (c) {
          cyberGroupOf.set(`e:${g.id.toLowerCase()}`, c.name);
          twins.set(`g:${c.name}`, [...(twins.get(`g:${c.name}`) ?? []), `e:${g.id.toLowerCase()}`]);
          hop(`EntraGroup:${g.displayName}`, 'IS_GROUP', `CyberArkGroup:${c.name}`);
          hop(`CyberArkGroup:${c.name}`, 'IS_GROUP', `EntraGroup:${g.displayName}`);
        }
      }
      for (const u of t.entra.users) {
        names.set(`e:${u.id.toLowerCase()}`, `EntraUser:${u.userPrincipalName}`);
        const c = unique(
          t.identity.users.filter((x) => x.username.toLowerCase() === u.userPrincipalName.trim().toLowerCase()),
        );
        if (c) {
          twins.set(`u:${c.username}`, [...(twins.get(`u:${c.username}`) ?? []), `e:${u.id.toLowerCase()}`]);
          this.directoryTwins.set(c.username, [
            ...(this.directoryTwins.get(c.username) ?? []),
            { kind: 'EntraUser', name: u.userPrincipalName, enabled: u.accountEnabled },
          ]);
          hop(`CyberArkUser:${c.username}`, 'ASSUMES_USER', `EntraUser:${u.userPrincipalName}`);
        }
      }
    }
    if (t.activeDirectory && services.has('AdProxy')) {
      const adUsers = t.identity.users.filter(
        (x) => dirOf(x.directoryServiceUuid) === 'AdProxy' && x.distinguishedName,
      );
      const adGroups = t.identity.groups.filter(
        (x) => dirOf(x.directoryServiceUuid) === 'AdProxy' && x.distinguishedName,
      );
      for (const g of t.activeDirectory.groups) {
        const key = `a:${dn(g.dn)}`;
        names.set(key, `ADGroup:${g.sAMAccountName}`);
        for (const m of g.members) addParent(`a:${dn(m)}`, key);
        const c = unique(adGroups.filter((x) => dn(x.distinguishedName!) === dn(g.dn)));
        if (c) {
          cyberGroupOf.set(key, c.name);
          twins.set(`g:${c.name}`, [...(twins.get(`g:${c.name}`) ?? []), key]);
          hop(`ADGroup:${g.sAMAccountName}`, 'IS_GROUP', `CyberArkGroup:${c.name}`);
          hop(`CyberArkGroup:${c.name}`, 'IS_GROUP', `ADGroup:${g.sAMAccountName}`);
        }
      }
      for (const u of t.activeDirectory.users) {
        const key = `a:${dn(u.dn)}`;
        names.set(key, `ADUser:${u.sAMAccountName}`);
        const c = unique(adUsers.filter((x) => dn(x.distinguishedName!) === dn(u.dn)));
        if (c) {
          twins.set(`u:${c.username}`, [...(twins.get(`u:${c.username}`) ?? []), key]);
          this.directoryTwins.set(c.username, [
            ...(this.directoryTwins.get(c.username) ?? []),
            { kind: 'ADUser', name: u.sAMAccountName, enabled: !u.disabled },
          ]);
          hop(`CyberArkUser:${c.username}`, 'ASSUMES_USER', `ADUser:${u.sAMAccountName}`);
        }
      }
    }
    for (const [child, ps] of parents) {
      for (const p of ps) if (names.has(child) && names.has(p)) hop(names.get(child)!, 'MEMBER_OF', names.get(p)!);
    }
    const ancestors = (starts: string[]) => {
      const seen = new Set<string>();
      const queue = [...starts];
      while (queue.length) {
        for (const p of parents.get(queue.pop()!) ?? []) {
          if (!seen.has(p)) {
            seen.add(p);
            queue.push(p);
          }
        }
      }
      return seen;
    };
    const groupsFrom = (keys: string[], self?: string) => {
      const out = new Set<string>();
      // The directory twins themselves are the group (or the user); their ancestors' CyberArk twins are the groups.
      for (const k of [...keys, ...ancestors(keys)]) {
        const c = cyberGroupOf.get(k);
        if (c && c !== self) out.add(c);
      }
      return out;
    };
    for (const u of t.identity.users) this.groupsOfUser.set(u.username, groupsFrom(twins.get(`u:${u.username}`) ?? []));
    for (const g of t.identity.groups)
      this.groupAncestors.set(g.name, groupsFrom(twins.get(`g:${g.name}`) ?? [], g.name));
  }

  /** Whether one hop of a returned path exists in the tenant. */
  hopExists(from: { kind: string; name: string }, via: string, to: { kind: string; name: string }): boolean {
    const id = this.tenant.identity;
    const role = (name: string) => id.roles.find((r) => r.name === name);
    if (via === 'HAS_ROLE') {
      const parent = role(to.name);
      if (!parent || to.kind !== 'CyberArkRole') return false;
      if (from.kind === 'CyberArkUser') {
        const user = id.users.find((u) => u.username === from.name);
        return (
          !!user &&
          ((parent.roleType === 'Everybody' && inEverybody(user)) ||
            parent.members.some((m) => m.type === 'User' && m.id === user.id))
        );
      }
      if (from.kind === 'CyberArkGroup') {
        const group = id.groups.find((g) => g.name === from.name);
        return !!group && parent.members.some((m) => m.type === 'Group' && m.id === group.id);
      }
      if (from.kind === 'CyberArkRole') {
        const child = role(from.name);
        return !!child && parent.members.some((m) => m.type === 'Role' && m.id === child.id);
      }
      return false;
    }
    if (this.directoryHops.has(`${from.kind}:${from.name}|${via}|${to.kind}:${to.name}`)) return true;
    if (via === 'MEMBER_OF' && to.kind === 'VaultGroup') {
      return (this.vaultGroupMembers.get(to.name.toLowerCase()) ?? []).some(
        (m) => m.toLowerCase() === from.name.toLowerCase(),
      );
    }
    if (via === 'SAFE_MEMBER' && to.kind === 'Safe') {
      const safe = this.tenant.privilegeCloud.safes.find((s) => s.name === to.name);
      return !!safe && safe.members.some((m) => !this.isExpired(m) && this.resolve(m) === `${from.kind}:${from.name}`);
    }
    return false;
  }
}

/** Whether the Everybody role holds the user: every user but service users and OAuth confidential clients. */
export function inEverybody(user: { serviceUser: boolean; oauthClient: boolean }): boolean {
  return !user.serviceUser && !user.oauthClient;
}

export function splitWho(who: Who): [PrincipalType, string] {
  const i = who.indexOf(':');
  return [who.slice(0, i) as PrincipalType, who.slice(i + 1)];
}
