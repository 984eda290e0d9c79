/** The JSON objects Privilege Cloud serves (safes, members, accounts, vault users and groups), in its field order. */
import { permissionsToFlags } from '../../../graph/permissions.js';
import type { Account, Safe, SafeMember, VaultGroup, VaultUser } from '../../../tenant/format/index.js';
import type { Variations } from '../../shared/variations.js';
import type { TenantModel } from '../model.js';

export function safeUrlId(name: string): string {
  return encodeURIComponent(name);
}

/** Safe object with the field order recorded on ISPSS. */
export function safeObject(
  model: TenantModel,
  s: Safe,
  opts: { includeAccounts: boolean; extendedDetails: boolean },
  variations: Variations,
) {
  // extendedDetails=false "returns only safeName"; the exact reduced set is undocumented. safeUrlId is kept so
  // that members can still be listed.
  const base: Record<string, unknown> = opts.extendedDetails
    ? {
        safeNumber: s.safeNumber,
        location: s.location,
        creator: { id: s.creator.id, name: s.creator.name },
        olacEnabled: s.olacEnabled,
        numberOfVersionsRetention: s.numberOfVersionsRetention,
        numberOfDaysRetention: s.numberOfDaysRetention,
        autoPurgeEnabled: s.autoPurgeEnabled,
        creationTime: s.creationTime,
        lastModificationTime: s.lastModificationTime,
        safeUrlId: safeUrlId(s.name),
        safeName: s.name,
        description: s.description,
        managingCPM: s.managingCPM,
        isExpiredMember: false,
      }
    : { safeUrlId: safeUrlId(s.name), safeName: s.name };
  // Fields some real answers leave out when they have no value (issue 14).
  if (base.numberOfVersionsRetention === null && variations.varies('Safe', 'numberOfVersionsRetention', s.name)) {
    delete base.numberOfVersionsRetention;
  }
  if (base.description === '' && variations.varies('Safe', 'description', s.name)) delete base.description;
  if (opts.includeAccounts) base.accounts = model.accountsOfSafe(s.name).map((a) => ({ id: a.id, name: a.name }));
  return base;
}

/** A safe of the PAS 12.1-and-older `{Safes, Total}` list (CyberArk docs; psPAS Find-PASSafe, cybr-cli). */
export function legacySafeObject(s: Safe) {
  return { SafeUrlId: safeUrlId(s.name), SafeName: s.name, Description: s.description, Location: s.location };
}

export function isExpired(m: SafeMember, nowSeconds: number): boolean {
  return m.membershipExpirationDate !== null && m.membershipExpirationDate < nowSeconds;
}

/**
 * Member object with the documented field order and all 22 permissions in documented order. The id of a vault principal
 * is a number in some versions and a numeric string in others (`217` in the docs, `"93"` in a recorded session): the
 * variations serve both. A null expiration date and a false isReadOnly are left out of some answers.
 */
export function memberObject(s: Safe, m: SafeMember, nowSeconds: number, variations: Variations) {
  const key = `${s.name}|${m.memberName}`;
  const numeric = /^\d{1,15}$/.test(m.memberId) && variations.varies('Member', 'memberId as number', key);
  const out: Record<string, unknown> = {
    safeUrlId: safeUrlId(s.name),
    safeName: s.name,
    safeNumber: s.safeNumber,
    memberId: numeric ? Number(m.memberId) : m.memberId,
    memberName: m.memberName,
    memberType: m.memberType,
    membershipExpirationDate: m.membershipExpirationDate,
    isExpiredMembershipEnable: isExpired(m, nowSeconds),
    isPredefinedUser: m.isPredefinedUser,
    isReadOnly: m.isReadOnly,
    permissions: permissionsToFlags(m.permissions),
  };
  if (m.membershipExpirationDate === null && variations.varies('Member', 'membershipExpirationDate', key)) {
    delete out.membershipExpirationDate;
  }
  if (!m.isReadOnly && variations.varies('Member', 'isReadOnly', key)) delete out.isReadOnly;
  return out;
}

/**
 * Account object with the field order recorded on ISPSS; missing optional fields are omitted. The tenant
 * format has no category modification time and no platform properties: the creation time stands in for the first,
 * and the properties are served as `{}`, as for an account whose platform sets none (test/fixtures/privilegecloud/accounts.ts).
 */
export function accountObject(a: Account) {
  const out: Record<string, unknown> = {
    categoryModificationTime: a.createdTime,
    platformId: a.platformId,
    safeName: a.safeName,
    id: a.id,
    name: a.name,
  };
  if (a.address !== undefined) out.address = a.address;
  if (a.userName !== undefined) out.userName = a.userName;
  out.secretType = a.secretType;
  out.platformAccountProperties = {};
  const sm: Record<string, unknown> = { automaticManagementEnabled: a.automaticManagementEnabled };
  if (a.manualManagementReason !== undefined) sm.manualManagementReason = a.manualManagementReason;
  if (a.status !== undefined) sm.status = a.status;
  if (a.lastModifiedTime !== undefined) sm.lastModifiedTime = a.lastModifiedTime;
  if (a.lastReconciledTime !== undefined) sm.lastReconciledTime = a.lastReconciledTime;
  if (a.lastVerifiedTime !== undefined) sm.lastVerifiedTime = a.lastVerifiedTime;
  out.secretManagement = sm;
  if (a.remoteMachines !== undefined) {
    out.remoteMachinesAccess = { remoteMachines: a.remoteMachines, accessRestrictedToRemoteMachines: false };
  }
  out.createdTime = a.createdTime;
  return out;
}

export function userObject(u: VaultUser, groups: readonly VaultGroup[] | undefined) {
  const out: Record<string, unknown> = {
    id: u.id,
    username: u.username,
    source: u.source,
    userType: u.userType,
    componentUser: u.componentUser,
    vaultAuthorization: u.vaultAuthorization,
    location: '\\',
    personalDetails: { firstName: u.firstName, middleName: '', lastName: u.lastName },
  };
  if (u.uuid !== undefined) out.UUID = u.uuid;
  if (groups) {
    out.groupsMembership = groups
      .filter((g) => g.members.some((m) => m.id === u.id))
      .map((g) => ({ groupID: g.id, groupName: g.groupName, groupType: g.groupType }));
  }
  return out;
}

export function groupObject(g: VaultGroup, includeMembers: boolean) {
  const out: Record<string, unknown> = {
    id: g.id,
    groupType: g.groupType,
    groupName: g.groupName,
    description: g.description,
    location: '\\',
  };
  if (g.directory !== undefined) out.directory = g.directory;
  if (g.dn !== undefined) out.dn = g.dn;
  if (includeMembers) out.members = g.members.map((m) => ({ UserName: m.username, id: m.id }));
  return out;
}
