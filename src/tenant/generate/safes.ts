/**
 * Safes: the vault system safes, then the normal safes with their names, settings and predefined members (the
 * vault's predefined users and groups, the managing CPM). Their other members come from ./members.ts.
 */
import type { SafePermissionKey } from '../../graph/permissions.js';
import type { Safe, SafeMember } from '../format/index.js';
import { type Ctx, DAY, EPOCH_S } from './context.js';
import { addSafeMembers } from './members.js';
import { LOCATIONS, SAFE_ENVS, SAFE_PLATFORMS, SAFE_TEAMS, SPECIAL_SAFES, SYSTEM_SAFES } from './names.js';
import { NameRegistry } from './naming.js';
import { AUDITOR_PERMS, CPM_PERMS, PERMISSION_PRESETS } from './permissions.js';
import { Rng } from './rng.js';
import { MAX_SAFE_MEMBERS } from './scale.js';
import type { BuiltinVault } from './vault.js';

function safeName(rng: Rng): string {
  const platform = rng.pick(SAFE_PLATFORMS);
  const env = rng.pick(SAFE_ENVS);
  const team = rng.pick(SAFE_TEAMS);
  switch (rng.int(4)) {
    case 0:
      return `${platform}-${env}-${team}`;
    case 1:
      return `${platform} ${env} (${team})`;
    case 2:
      return `P-${rng.pick(LOCATIONS)}-${platform}-${env}`;
    default:
      return `${team} ${platform}`;
  }
}

const clip28 = (name: string): string => name.slice(0, 28).replace(/[\s,&+(-]+$/u, '');
export function generateSafes(ctx: Ctx, vault: BuiltinVault): Safe[] {
  const rng = Rng.stream(ctx.seed, 'safes');
  const { users, spec } = ctx;
  const safes: Safe[] = [];
  const names = new NameRegistry();
  const nSystem = SYSTEM_SAFES.length;
  const nNormal = spec.safes - nSystem;

  const predefinedMember = (
    name: string,
    type: 'User' | 'Group',
    id: number,
    perms: readonly SafePermissionKey[],
  ): SafeMember => ({
    memberId: String(id),
    memberName: name,
    memberType: type,
    permissions: perms.slice(),
    membershipExpirationDate: null,
    isPredefinedUser: true,
    isReadOnly: true,
  });
  const basePredefined = (cpm: string): SafeMember[] => {
    const out = vault.predefined.map(([name, type, id, perms]) => predefinedMember(name, type, id, perms));
    for (const [name, id] of vault.cpms) {
      if (cpm.split(',').includes(name)) out.push(predefinedMember(name, 'User', id, CPM_PERMS));
    }
    return out;
  };
  const times = () => {
    const created = EPOCH_S - DAY - rng.int(3 * 365 * DAY);
    const modified = created + rng.int(EPOCH_S - created);
    return { creationTime: created, lastModificationTime: modified * 1_000_000 + rng.int(1_000_000) };
  };

  // System safes.
  let safeNumber = 2;
  for (const name of SYSTEM_SAFES) {
    names.claim(name);
    const members = basePredefined(name === 'PasswordManager_Pending' ? 'PasswordManager' : '');
    if (name === 'PVWAConfig') {
      members.push(predefinedMember('PVWAAppUsers', 'Group', vault.pvwaAppUsers, PERMISSION_PRESETS.full));
    }
    safes.push({
      name,
      description: `Vault system safe (${name})`,
      safeNumber: safeNumber++,
      location: '\\',
      managingCPM: name === 'PasswordManager_Pending' ? 'PasswordManager' : '',
      olacEnabled: false,
      numberOfVersionsRetention: null,
      numberOfDaysRetention: 7,
      autoPurgeEnabled: false,
      ...times(),
      creator: { id: '2', name: 'Administrator' },
      members,
    });
  }

  // Normal safes: names, settings and predefined members first.
  safeNumber = 100;
  const caps: number[] = [];
  const creatorIsIdentity: boolean[] = [];
  for (let s = 0; s < nNormal; s++) {
    const base = s < SPECIAL_SAFES.length ? SPECIAL_SAFES[s]! : clip28(safeName(rng));
    const name = names.unique(base, (b, n) => {
      const suffix = ` ${n}`;
      return b.slice(0, 28 - suffix.length).trimEnd() + suffix;
    });
    const c = rng.float();
    const managingCPM = c < 0.85 ? 'PasswordManager' : c < 0.93 ? 'CPM_EMEA' : '';
    const members = basePredefined(managingCPM);
    if (rng.chance(0.3)) {
      members.push(predefinedMember('PVWAAppUsers', 'Group', vault.pvwaAppUsers, AUDITOR_PERMS));
    }
    if (rng.chance(0.3)) {
      members.push(predefinedMember('PSMAppUsers', 'Group', vault.psmAppUsers, PERMISSION_PRESETS.read_only));
    }
    const identityCreator = rng.chance(0.85);
    const creatorIdx = rng.pick(ctx.adminUsers);
    const creator = identityCreator
      ? { id: users[creatorIdx]!.id, name: users[creatorIdx]!.username }
      : { id: '2', name: 'Administrator' };
    const byVersions = rng.chance(0.2);
    safes.push({
      name,
      description: rng.chance(0.4) ? '' : `${name} accounts`,
      safeNumber,
      location: '\\',
      managingCPM,
      olacEnabled: rng.chance(0.05),
      numberOfVersionsRetention: byVersions ? rng.pick([5, 10, 20]) : null,
      numberOfDaysRetention: byVersions ? null : rng.pick([7, 7, 14, 30]),
      autoPurgeEnabled: rng.chance(0.05),
      ...times(),
      creator,
      members,
    });
    safeNumber += rng.chance(0.1) ? rng.range(2, 4) : 1;
    caps.push(Math.min(MAX_SAFE_MEMBERS - members.length, users.length));
    creatorIsIdentity.push(identityCreator);
  }

  addSafeMembers(ctx, vault, rng, safes.slice(nSystem), caps, creatorIsIdentity);
  return safes;
}
