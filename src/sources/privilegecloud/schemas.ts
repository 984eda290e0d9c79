/**
 * Raw Privilege Cloud / PAS REST v2 shapes (shared/reference/cyberark-api.md §7), validated with zod.
 */
import { z } from 'zod';

const optStr = z.string().nullish();
const optBool = z.boolean().nullish();
/** Times arrive as numbers, and in some versions as numeric strings (reference §7.1). */
const epoch = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish();
/** memberId is a number, a numeric string, a GUID or a synthetic id (reference §7.2): always a string here. */
const looseId = z.union([z.string(), z.number()]).transform(String);

export const safeRow = z.looseObject({
  safeName: z.string().min(1),
  safeUrlId: z.string().min(1),
  safeNumber: z.number().int().nullish(),
  description: optStr,
  location: optStr,
  creator: z.looseObject({ id: looseId.nullish(), name: optStr }).nullish(),
  olacEnabled: optBool,
  managingCPM: optStr,
  numberOfVersionsRetention: z.number().int().nullish(),
  numberOfDaysRetention: z.number().int().nullish(),
  autoPurgeEnabled: optBool,
  creationTime: epoch,
  lastModificationTime: epoch,
  isExpiredMember: optBool,
});

export const safesPage = z.looseObject({
  value: z.array(safeRow),
  count: z.number().int().nullish(),
  nextLink: optStr,
});

export const memberRow = z.looseObject({
  memberId: looseId,
  memberName: z.string().min(1),
  memberType: z.string().min(1),
  membershipExpirationDate: epoch,
  isExpiredMembershipEnable: optBool,
  isPredefinedUser: optBool,
  isReadOnly: optBool,
  permissions: z.record(z.string(), z.boolean()),
});

export const membersPage = z.looseObject({
  value: z.array(memberRow),
  count: z.number().int().nullish(),
  nextLink: optStr,
});

export const accountRow = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  safeName: z.string().min(1),
  platformId: optStr,
  address: optStr,
  userName: optStr,
  secretType: optStr,
  createdTime: epoch,
  secretManagement: z
    .looseObject({
      automaticManagementEnabled: optBool,
      manualManagementReason: optStr,
      status: optStr,
      lastModifiedTime: epoch,
      lastReconciledTime: epoch,
      lastVerifiedTime: epoch,
    })
    .nullish(),
});

export const accountsPage = z.looseObject({
  value: z.array(accountRow),
  count: z.number().int().nullish(),
  nextLink: optStr,
});

export const userGroupRow = z.looseObject({
  id: looseId,
  groupName: z.string().min(1),
  groupType: optStr,
  description: optStr,
  directory: optStr,
  dn: optStr,
  members: z
    .array(
      z
        .looseObject({ id: looseId.nullish(), UserName: optStr, username: optStr })
        .refine((m) => !!(m.UserName ?? m.username), {
          message: 'a group member needs UserName (or username)',
          path: ['UserName'],
        }),
    )
    .nullish(),
});

export const userGroupsPage = z.looseObject({
  value: z.array(userGroupRow),
  count: z.number().int().nullish(),
  nextLink: optStr,
});

export type SafeRow = z.infer<typeof safeRow>;
export type MemberRow = z.infer<typeof memberRow>;
export type AccountRow = z.infer<typeof accountRow>;
export type UserGroupRow = z.infer<typeof userGroupRow>;

export interface PrivilegeCloudRaw {
  pcloudUrl: string;
  deployment: 'privilegecloud' | 'selfhosted';
  safes: SafeRow[];
  members: Record<string, MemberRow[]>;
  accounts: AccountRow[];
  userGroups: UserGroupRow[];
}
