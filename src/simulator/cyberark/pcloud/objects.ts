/** The JSON objects Privilege Cloud serves (safes, members, accounts, vault users and groups), in its field order. */
import { permissionsToFlags } from '../../../graph/permissions.js';
import type { Account, Safe, SafeMember, VaultGroup, VaultUser } from '../../../tenant/format/index.js';
import type { TenantModel } from '../model.js';

export function safeUrlId(name: string): string {
  return encodeURIComponent(name);
}

/** Safe object with the §7.1 field order (as recorded on ISPSS). */
export function safeObject(model: TenantModel, s: Safe, opts: { includeAccounts: boolean; extendedDetails: boolean }) {
  // extendedDetails=false "returns only safeName"; the exact reduced set is UNCONFIRMED (§7.1). safeUrlId is kept so
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
  if (opts.includeAccounts) base.accounts = model.accountsOfSafe(s.name).map((a) => ({ id: a.id, name: a.name }));
  return base;
}

export function isExpired(m: SafeMember, nowSeconds: number): boolean {
  return m.membershipExpirationDate !== null && m.membershipExpirationDate < nowSeconds;
}

/** Member object with the §7.2 field order and all 22 permissions in documented order. */
export function memberObject(s: Safe, m: SafeMember, nowSeconds: number) {
  return {
    safeUrlId: safeUrlId(s.name),
    safeName: s.name,
    safeNumber: s.safeNumber,
    memberId: m.memberId,
    memberName: m.memberName,
    memberType: m.memberType,
    membershipExpirationDate: m.membershipExpirationDate,
    isExpiredMembershipEnable: isExpired(m, nowSeconds),
    isPredefinedUser: m.isPredefinedUser,
    isReadOnly: m.isReadOnly,
    permissions: permissionsToFlags(m.permissions),
  };
}

/** Account object with the §7.3 field order; missing optional fields are omitted. */
export function accountObject(a: Account) {
  const out: Record<string, unknown> = { platformId: a.platformId, safeName: a.safeName, id: a.id, name: a.name };
  if (a.address !== undefined) out.address = a.address;
  if (a.userName !== undefined) out.userName = a.userName;
  out.secretType = a.secretType;
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
