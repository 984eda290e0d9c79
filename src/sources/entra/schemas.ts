/**
 * Raw Microsoft Graph v1.0 shapes (Graph docs: user, group, List members), validated with zod. Loose objects: Graph
 * adds properties over time. Selected properties that have no value arrive as null.
 */
import { z } from 'zod';
import { nameField, shortText, textField } from '../../http/index.js';

const optStr = textField.nullish();
const optBool = z.boolean().nullish();

/** `$select` of GET /v1.0/users. */
export const USER_SELECT = [
  'id',
  'userPrincipalName',
  'displayName',
  'mail',
  'accountEnabled',
  'userType',
  'onPremisesDistinguishedName',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesUserPrincipalName',
  'onPremisesImmutableId',
  'onPremisesSyncEnabled',
] as const;

/** `$select` of GET /v1.0/groups (v1.0 groups have no onPremisesDistinguishedName). */
export const GROUP_SELECT = [
  'id',
  'displayName',
  'mail',
  'securityEnabled',
  'groupTypes',
  'onPremisesSecurityIdentifier',
  'onPremisesSamAccountName',
  'onPremisesSyncEnabled',
] as const;

/** `$select` of GET /v1.0/groups/{id}/members: only the ids (each item also carries `@odata.type`). */
export const MEMBER_SELECT = ['id'] as const;

export const userRow = z.looseObject({
  id: nameField,
  userPrincipalName: nameField,
  displayName: optStr,
  mail: optStr,
  accountEnabled: optBool,
  userType: optStr,
  onPremisesDistinguishedName: optStr,
  onPremisesSamAccountName: optStr,
  onPremisesSecurityIdentifier: optStr,
  onPremisesUserPrincipalName: optStr,
  onPremisesImmutableId: optStr,
  onPremisesSyncEnabled: optBool,
});

export const groupRow = z.looseObject({
  id: nameField,
  displayName: optStr,
  mail: optStr,
  securityEnabled: optBool,
  groupTypes: z.array(shortText).nullish(),
  onPremisesSecurityIdentifier: optStr,
  onPremisesSamAccountName: optStr,
  onPremisesSyncEnabled: optBool,
});

/** A directoryObject: `@odata.type` is `#microsoft.graph.user`, `#microsoft.graph.group`, a device, … */
export const memberRow = z.looseObject({
  '@odata.type': optStr,
  id: nameField,
});

/** A Graph collection page. */
export function collectionPage<T extends z.ZodType>(row: T) {
  return z.looseObject({
    '@odata.context': optStr,
    '@odata.nextLink': optStr,
    value: z.array(row),
  });
}

export const usersPage = collectionPage(userRow);
export const groupsPage = collectionPage(groupRow);
export const membersPage = collectionPage(memberRow);

export type UserRow = z.infer<typeof userRow>;
export type GroupRow = z.infer<typeof groupRow>;
export type MemberRow = z.infer<typeof memberRow>;

export interface EntraRaw {
  /** The Entra tenant id as configured (lower-cased). */
  tenantId: string;
  /** Primary (verified default) domain, when configured. */
  primaryDomain: string | null;
  /** Graph base URL the data was read from. */
  graphUrl: string;
  users: UserRow[];
  groups: GroupRow[];
  /** Direct members per group id (as returned by /groups). */
  members: Record<string, MemberRow[]>;
  /** Things noticed while extracting (a group that vanished between the listing and its members …). */
  warnings: string[];
}
