/**
 * Raw Privilege Cloud / PAS REST v2 shapes (CyberArk docs, psPAS, a recorded session), validated with zod.
 */
import { z } from 'zod';
import { nameField, shortText, textField } from '../../http/index.js';

const optStr = textField.nullish();

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Key spellings of older PAS answers that lower-casing the first letter does not bring to today's (OLACEnabled). */
const LEGACY_KEYS: Readonly<Record<string, string>> = { OLACEnabled: 'olacEnabled', OLACEnabledFlag: 'olacEnabled' };

/**
 * Older PAS versions answer in PascalCase (`SafeName`, `ManagingCPM`; ark-sdk-python lower-cases the first letter of
 * every key for the same reason). Keys already in today's spelling win over their legacy twins.
 */
export function camelKeys(row: unknown): unknown {
  if (!isObject(row)) return row;
  const out: Json = {};
  for (const [k, v] of Object.entries(row)) {
    const key = LEGACY_KEYS[k] ?? (k.length > 0 ? k[0]!.toLowerCase() + k.slice(1) : k);
    if (key !== k && key in row) continue;
    out[key] = v;
  }
  return out;
}

/**
 * A safe row in either shape: today's, or the older `{SafeName, Description, Location, ManagingCPM, …}` without a
 * `safeUrlId`, which is then the URL-encoded name (what the server itself uses).
 */
function normaliseSafe(row: unknown): unknown {
  const out = camelKeys(row);
  if (isObject(out) && typeof out.safeName === 'string' && out.safeUrlId === undefined) {
    out.safeUrlId = encodeURIComponent(out.safeName);
  }
  return out;
}

/**
 * A list page in either shape: `{value, count, nextLink}`, or the older `{Safes: […], Total: n}` (CyberArk docs:
 * PAS 12.1 and before; no nextLink, so the list continues by offset).
 */
function listPage(itemKeys: readonly string[], row: (r: unknown) => unknown) {
  return (page: unknown): unknown => {
    if (!isObject(page)) return page;
    const out: Json = { ...page };
    const items = itemKeys.find((k) => Array.isArray(page[k]));
    if (out.value === undefined && items) {
      out.value = page[items];
      delete out[items];
      if (out.count === undefined && typeof page.Total === 'number') out.count = page.Total;
      delete out.Total;
    }
    if (Array.isArray(out.value)) out.value = out.value.map(row);
    return out;
  };
}

/**
 * Safe member permissions as today's object of 22 booleans, from an object with PascalCase keys or a list of
 * `{key, value}` pairs (older answers). Keys that are none of the 22 are kept as they came; the transform reports them.
 */
function normalisePermissions(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: Json = {};
    for (const pair of value) {
      const p = camelKeys(pair);
      if (isObject(p) && typeof p.key === 'string') out[p.key] = p.value;
    }
    return camelKeys(out);
  }
  return camelKeys(value);
}

function normaliseMember(row: unknown): unknown {
  const out = camelKeys(row);
  if (!isObject(out)) return out;
  if (out.memberName === undefined && typeof out.userName === 'string') out.memberName = out.userName;
  if (out.permissions !== undefined) out.permissions = normalisePermissions(out.permissions);
  return out;
}
const optBool = z.boolean().nullish();
/** Times arrive as numbers, and in some versions as numeric strings (older CyberArk docs). */
const epoch = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish();
/** memberId: a number, numeric string, GUID or synthetic id (CyberArk docs; a recorded session); a string here. */
const looseId = z.union([shortText, z.number()]).transform(String);

export const safeRow = z.looseObject({
  safeName: nameField,
  safeUrlId: nameField,
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

export const safesPage = z.preprocess(
  listPage(['Safes'], normaliseSafe),
  z.looseObject({
    value: z.array(safeRow),
    count: z.number().int().nullish(),
    nextLink: optStr,
  }),
);

/** Permission values arrive as booleans; anything else is kept for the transform to report (issue 14, item 6). */
export const memberRow = z.looseObject({
  memberId: looseId.nullish(),
  memberName: nameField,
  memberType: nameField,
  membershipExpirationDate: epoch,
  isExpiredMembershipEnable: optBool,
  isPredefinedUser: optBool,
  isReadOnly: optBool,
  permissions: z.record(shortText, z.unknown()),
});

export const membersPage = z.preprocess(
  listPage(['SafeMembers', 'members'], normaliseMember),
  z.looseObject({
    value: z.array(memberRow),
    count: z.number().int().nullish(),
    nextLink: optStr,
  }),
);

export const accountRow = z.looseObject({
  id: nameField,
  name: nameField,
  safeName: nameField,
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
  groupName: nameField,
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
