/**
 * Identity roles: the built-ins (sysadmin, Everybody, the Privilege Cloud roles, a Script role), the one role cycle,
 * random roles with user and group members, and Role → Role nesting exactly MAX_ROLE_DEPTH hops deep.
 */
import type { IdentityRole } from '../format/index.js';
import { ALL_RIGHTS, libRight, tileRight } from './admin-rights.js';
import type { Ctx } from './context.js';
import { DEPARTMENTS, LOCATIONS, ROLE_FUNCTIONS, SPECIAL_ROLES } from './names.js';
import { asciiFold, NameRegistry } from './naming.js';
import { Rng, Weighted } from './rng.js';

/** The deepest Role → Role nesting (number of hops) in every generated tenant. */
export const MAX_ROLE_DEPTH = 6;

const HEIGHT = new Weighted<number>([
  [0, 55],
  [1, 22],
  [2, 10],
  [3, 6],
  [4, 4],
  [5, 2],
  [6, 1],
]);

/** Fixed role indexes. */
export const R = {
  sysadmin: 0,
  everybody: 1,
  pcAdmins: 2,
  pcAuditors: 3,
  pcSafeManagers: 4,
  script: 5,
  cycleA: 6,
  cycleB: 7,
};
export const FIXED_ROLES = 8;
/** Index of the fixed Privilege Cloud sync service user (users.ts), which holds the safe managers role. */
export const SYNC_SERVICE_USER = 2;

export function generateRoles(ctx: Ctx): void {
  const rng = Rng.stream(ctx.seed, 'roles');
  const { roles, users, groups, principals } = ctx;
  const safeIds = new NameRegistry();
  const role = (id: string, name: string, safeId: string | null, extra: Partial<IdentityRole> = {}): IdentityRole => {
    const claimed = principals.unique(name, (b, n) => `${b} (${n})`);
    const r: IdentityRole = {
      id,
      name: claimed,
      description: null,
      roleType: 'PrincipalList',
      readOnly: false,
      isHidden: false,
      adminRights: [],
      members: [],
      ...extra,
    };
    roles.push(r);
    const sanitized = asciiFold(claimed)
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
    ctx.roleSafeId.push(safeIds.unique(safeId ?? (sanitized || 'Role'), (b, n) => `${b}_${n}`));
    return r;
  };

  role('sysadmin', 'System Administrator', null, {
    description: 'Built-in role: full administrative rights on the tenant',
    readOnly: true,
    adminRights: ALL_RIGHTS.map((r) => ({ ...r })),
  });
  role('everybody', 'Everybody', null, {
    description: 'Built-in role: every user of the tenant',
    roleType: 'Everybody',
    readOnly: true,
  });
  role(rng.guid(), 'Privilege Cloud Administrators', 'Privilege_Cloud_Admins_ID', {
    description: 'Privilege Cloud administrators',
    adminRights: [libRight('adminportallogin'), tileRight('passwordvaultShowTile'), libRight('rouserman')],
  });
  role(rng.guid(), 'Privilege Cloud Auditors', 'Privilege_Cloud_Auditors_ID', {
    description: 'Privilege Cloud auditors',
    adminRights: [tileRight('passwordvaultShowTile'), tileRight('auditShowTile')],
  });
  role(rng.guid(), 'Privilege Cloud Safe Managers', 'Privilege_Cloud_Safe_Managers_ID', {
    description: 'Privilege Cloud safe managers',
    adminRights: [tileRight('passwordvaultShowTile')],
  });
  role(rng.guid(), 'High-Risk Users (dynamic)', null, {
    description: 'Script role: users whose risk level is Medium or High',
    roleType: 'Script',
    scriptMembers: users.filter((u) => u.riskLevel === 'High' || u.riskLevel === 'Medium').map((u) => u.id),
  });
  role(rng.guid(), 'On-Call Rota', null, { description: 'Nested in Escalation Rota, which is nested in this role' });
  role(rng.guid(), 'Escalation Rota', null, { description: 'Nested in On-Call Rota, which is nested in this role' });

  const nameFor = (i: number): string => {
    if (i < SPECIAL_ROLES.length) return SPECIAL_ROLES[i]!;
    const dept = rng.pick(DEPARTMENTS);
    const fn = rng.pick(ROLE_FUNCTIONS);
    return rng.chance(0.25) ? `${rng.pick(LOCATIONS)} ${dept} ${fn}` : `${dept} ${fn}`;
  };
  let generic = 0;
  while (roles.length < ctx.spec.roles) {
    if (roles.length === 20 || roles.length === 100) {
      // Larger tenants get more Script roles.
      const fdsUsers = users.filter((_, i) => ctx.userKind[i] === 'FDS');
      role(rng.guid(), roles.length === 20 ? 'Entra Guests (dynamic)' : 'Never Logged In (dynamic)', null, {
        roleType: 'Script',
        description: 'Script role',
        scriptMembers: (roles.length === 20 ? fdsUsers : users.filter((u) => u.lastLogin === null)).map((u) => u.id),
      });
      continue;
    }
    const r = role(rng.guid(), nameFor(generic++), null);
    if (rng.chance(0.4)) r.description = `${r.name} role`;
    if (rng.chance(0.15)) {
      const n = rng.range(1, 3);
      for (let k = 0; k < n; k++) {
        const right = rng.pick(ALL_RIGHTS);
        if (!r.adminRights.some((a) => a.path === right.path)) r.adminRights.push({ ...right });
      }
    }
  }

  // Explicit user and group members.
  const avgUsers = Math.max(2, Math.min(10, Math.round(users.length / roles.length / 5)));
  roles.forEach((r, i) => {
    if (r.roleType !== 'PrincipalList') return;
    const seen = new Set<string>();
    const addMember = (type: 'User' | 'Group' | 'Role', id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      r.members.push({ type, id });
    };
    if (i === R.sysadmin) addMember('User', users[0]!.id);
    if (i === R.sysadmin || i === R.pcAdmins) {
      for (const a of ctx.adminUsers) addMember('User', users[a]!.id);
      addMember('Group', groups[0]!.id); // PAM-Admins@corp.example
    }
    const n = rng.int(2 * avgUsers + 1);
    for (let k = 0; k < n; k++) addMember('User', users[rng.int(users.length)]!.id);
    if (rng.chance(0.4) || i === R.pcSafeManagers) {
      const g = rng.range(1, 2);
      for (let k = 0; k < g; k++) addMember('Group', groups[rng.int(groups.length)]!.id);
    }
  });
  // The reader (OAuth client) holds the auditor role, as a read-only integration would; the Privilege Cloud sync
  // service user holds the safe managers role.
  roles[R.pcAuditors]!.members.push({ type: 'User', id: users[1]!.id });
  const managers = roles[R.pcSafeManagers]!.members;
  if (!managers.some((m) => m.type === 'User' && m.id === users[SYNC_SERVICE_USER]!.id)) {
    managers.push({ type: 'User', id: users[SYNC_SERVICE_USER]!.id });
  }

  // The one cycle: On-Call Rota ∋ Escalation Rota ∋ On-Call Rota.
  roles[R.cycleA]!.members.push({ type: 'Role', id: roles[R.cycleB]!.id });
  roles[R.cycleB]!.members.push({ type: 'Role', id: roles[R.cycleA]!.id });

  // Nesting: every nestable role gets a height h (longest Role chain below it); a role of height h contains one
  // role of height h-1 and maybe others of lower heights, so the deepest chain is exactly MAX_ROLE_DEPTH hops.
  const nestable: number[] = [];
  roles.forEach((r, i) => {
    if (r.roleType === 'PrincipalList' && i !== R.cycleA && i !== R.cycleB) nestable.push(i);
  });
  rng.shuffle(nestable);
  const byHeight: number[][] = Array.from({ length: MAX_ROLE_DEPTH + 1 }, () => []);
  const height = new Map<number, number>();
  nestable.forEach((ri, k) => {
    const h = k <= MAX_ROLE_DEPTH ? MAX_ROLE_DEPTH - k : HEIGHT.sample(rng);
    height.set(ri, h);
    byHeight[h]!.push(ri);
  });
  // The guaranteed chain: nestable[0] (height 6) ∋ nestable[1] (5) ∋ … ∋ nestable[6] (0).
  for (let k = 0; k < nestable.length; k++) {
    const ri = nestable[k]!;
    const h = height.get(ri)!;
    if (h === 0) continue;
    const r = roles[ri]!;
    const child = k < MAX_ROLE_DEPTH ? nestable[k + 1]! : rng.pick(byHeight[h - 1]!);
    const children = new Set<number>([child]);
    const extra = rng.int(3);
    for (let e = 0; e < extra; e++) children.add(rng.pick(byHeight[rng.int(h)]!));
    for (const c of children) r.members.push({ type: 'Role', id: roles[c]!.id });
  }
}
