/**
 * Safe members that are not predefined: exactly spec.memberships of them, spread unevenly over the normal safes,
 * drawn from every kind of principal (Identity users and roles, directory groups, vault users and groups). The first
 * slots of the tenant take FORCED_KINDS so that even the smallest tenant holds each kind, one expired and one
 * future-dated membership.
 */
import type { SafePermissionKey } from '../../graph/permissions.js';
import type { Safe, SafeMember, VaultGroup, VaultUser } from '../format/index.js';
import { AD_FOREST, type Ctx, DAY, EPOCH_S } from './context.js';
import { AUDITOR_PERMS, PERMISSION_PRESETS, randomPermissions, SAFE_MANAGER_PERMS } from './permissions.js';
import { distribute, type Rng, Weighted } from './rng.js';
import { R, SYNC_SERVICE_USER } from './roles.js';
import { type BuiltinVault, vaultGroup, vaultUser } from './vault.js';

type MemberKind =
  | 'user'
  | 'roleGroup'
  | 'roleRole'
  | 'dirGroup'
  | 'vaultByName'
  | 'vaultOnly'
  | 'vaultGroup'
  | 'everybody'
  | 'pcAdmins'
  | 'scriptRole'
  | 'fdsGroup'
  | 'serviceUser'
  | 'safeManagers';

const KIND_CHOICE = new Weighted<MemberKind>([
  ['user', 38],
  ['roleGroup', 26],
  ['roleRole', 3],
  ['dirGroup', 12],
  ['vaultByName', 7],
  ['vaultOnly', 8],
  ['vaultGroup', 4],
]);
/** The first non-creator member slots of the tenant take these kinds, so that every tenant has each of them. */
const FORCED_KINDS: readonly MemberKind[] = [
  'everybody',
  'pcAdmins',
  'roleRole',
  'vaultByName',
  'vaultOnly',
  'dirGroup',
  'fdsGroup',
  'vaultGroup',
  'scriptRole',
  'user',
  // A service user holding rights directly, and a role that a service user holds (issue 14: service users are not in
  // Everybody, but they do reach safes).
  'serviceUser',
  'safeManagers',
];

/**
 * Adds the non-predefined members to the normal safes (`normal`, in order), continuing the safes' random stream.
 * `caps` is how many more members each safe can take; `creatorIsIdentity` whether its creator is an Identity user.
 */
export function addSafeMembers(
  ctx: Ctx,
  vault: BuiltinVault,
  rng: Rng,
  normal: readonly Safe[],
  caps: readonly number[],
  creatorIsIdentity: readonly boolean[],
): void {
  const { users, roles, groups, spec } = ctx;
  const nNormal = normal.length;
  // Non-predefined members: exactly spec.memberships, spread unevenly.
  const min = spec.memberships >= nNormal ? 1 : 0;
  const counts = distribute(rng, spec.memberships, caps, () => 0.2 + rng.float() ** 2, min);
  const dirVaultGroup = new Map<number, VaultGroup>();
  const identityVaultUser = new Map<number, VaultUser>([[0, ctx.vaultUsers.find((u) => u.uuid === users[0]!.id)!]]);
  const fdsGroups = groups.map((_, i) => i).filter((i) => ctx.groupKind[i] === 'FDS');
  const adGroups = groups.map((_, i) => i).filter((i) => ctx.groupKind[i] === 'AD');
  const pcRoles = [R.pcAdmins, R.pcAuditors, R.pcSafeManagers];
  const scriptRoles = roles.map((_, i) => i).filter((i) => roles[i]!.roleType === 'Script');
  let slot = 0;

  const rolePerms = (ri: number): SafePermissionKey[] => {
    if (ri === R.pcAdmins) return PERMISSION_PRESETS.full.slice();
    if (ri === R.pcAuditors) return AUDITOR_PERMS.slice();
    if (ri === R.pcSafeManagers) return SAFE_MANAGER_PERMS.slice();
    return randomPermissions(rng);
  };
  const directoryVaultGroup = (gi: number): VaultGroup => {
    let g = dirVaultGroup.get(gi);
    if (!g) {
      const group = groups[gi]!;
      const ad = ctx.groupKind[gi] === 'AD';
      g = vaultGroup(ctx.nextVaultId++, group.name, {
        groupType: 'Directory',
        description: group.description ?? '',
        directory: ad ? AD_FOREST : 'FDS',
        ...(ad && group.distinguishedName ? { dn: group.distinguishedName } : {}),
      });
      dirVaultGroup.set(gi, g);
      ctx.vaultGroups.push(g);
    }
    return g;
  };
  const identityBacked = (ui: number): VaultUser => {
    let v = identityVaultUser.get(ui);
    if (!v) {
      const u = users[ui]!;
      v = vaultUser(ctx.nextVaultId++, u.username, {
        uuid: u.id,
        firstName: ctx.userFirst[ui]!,
        lastName: ctx.userLast[ui]!,
      });
      identityVaultUser.set(ui, v);
      ctx.vaultUsers.push(v);
    }
    return v;
  };
  type Candidate = Pick<SafeMember, 'memberId' | 'memberName' | 'memberType' | 'permissions'>;
  const candidate = (kind: MemberKind): Candidate => {
    switch (kind) {
      case 'user': {
        const u = users[rng.int(users.length)]!;
        return { memberId: u.id, memberName: u.username, memberType: 'User', permissions: randomPermissions(rng) };
      }
      case 'serviceUser': {
        const u = users[SYNC_SERVICE_USER]!;
        return {
          memberId: u.id,
          memberName: u.username,
          memberType: 'User',
          permissions: PERMISSION_PRESETS.read_only.slice(),
        };
      }
      case 'everybody':
      case 'pcAdmins':
      case 'safeManagers':
      case 'scriptRole':
      case 'roleGroup': {
        const ri =
          kind === 'everybody'
            ? R.everybody
            : kind === 'safeManagers'
              ? R.pcSafeManagers
              : kind === 'pcAdmins'
                ? R.pcAdmins
                : kind === 'scriptRole'
                  ? rng.pick(scriptRoles)
                  : rng.chance(0.25)
                    ? rng.pick(pcRoles)
                    : rng.int(roles.length);
        const perms = kind === 'everybody' ? PERMISSION_PRESETS.read_only.slice() : rolePerms(ri);
        return { memberId: ctx.roleSafeId[ri]!, memberName: roles[ri]!.name, memberType: 'Group', permissions: perms };
      }
      case 'roleRole': {
        const ri = rng.int(roles.length);
        return { memberId: roles[ri]!.id, memberName: roles[ri]!.name, memberType: 'Role', permissions: rolePerms(ri) };
      }
      case 'dirGroup':
      case 'fdsGroup': {
        const gi = kind === 'fdsGroup' ? fdsGroups[0]! : rng.chance(0.7) ? rng.pick(adGroups) : rng.int(groups.length);
        const g = directoryVaultGroup(gi);
        return {
          memberId: String(g.id),
          memberName: g.groupName,
          memberType: 'Group',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultByName': {
        const v = identityBacked(rng.int(users.length));
        return {
          memberId: String(v.id),
          memberName: v.username,
          memberType: 'User',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultOnly': {
        const v = rng.pick(vault.vaultOnly);
        return {
          memberId: String(v.id),
          memberName: v.username,
          memberType: 'User',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultGroup': {
        const g = rng.pick(vault.vaultGroups);
        return {
          memberId: String(g.id),
          memberName: g.groupName,
          memberType: 'Group',
          permissions: randomPermissions(rng),
        };
      }
    }
  };

  for (let s = 0; s < nNormal; s++) {
    const safe = normal[s]!;
    const taken = new Set(safe.members.map((m) => m.memberName.toLowerCase()));
    const add = (c: Candidate, expiration: number | null, readOnly: boolean) => {
      taken.add(c.memberName.toLowerCase());
      safe.members.push({
        memberId: c.memberId,
        memberName: c.memberName,
        memberType: c.memberType,
        permissions: c.permissions,
        membershipExpirationDate: expiration,
        isPredefinedUser: false,
        isReadOnly: readOnly,
      });
    };
    let remaining = counts[s]!;
    if (remaining > 0 && creatorIsIdentity[s]) {
      // The creator is a member with full rights that nobody can edit (isReadOnly), as recorded on Privilege Cloud.
      add(
        {
          memberId: safe.creator.id,
          memberName: safe.creator.name,
          memberType: 'User',
          permissions: PERMISSION_PRESETS.full.slice(),
        },
        null,
        true,
      );
      remaining--;
    }
    for (; remaining > 0; remaining--) {
      const kind = slot < FORCED_KINDS.length ? FORCED_KINDS[slot]! : KIND_CHOICE.sample(rng);
      let c = candidate(kind);
      for (let attempt = 0; taken.has(c.memberName.toLowerCase()); attempt++) {
        c = candidate(attempt < 8 ? kind : 'user');
        if (attempt > 64) {
          const free = users.find((u) => !taken.has(u.username.toLowerCase()))!;
          c = { memberId: free.id, memberName: free.username, memberType: 'User', permissions: randomPermissions(rng) };
        }
      }
      let expiration: number | null = null;
      // Slots 4 and 9 (a vault-only user and an Identity user) carry the guaranteed expired and future dates.
      const random = slot >= FORCED_KINDS.length;
      if (slot === 4 || (random && rng.chance(0.01))) expiration = EPOCH_S - rng.range(1, 365) * DAY;
      else if (slot === 9 || (random && rng.chance(0.015))) expiration = EPOCH_S + rng.range(1, 365) * DAY;
      add(c, expiration, false);
      slot++;
    }
  }
}
