/**
 * What is read from Active Directory: the search filters and attributes, and the raw entries (values checked by the
 * reader, converted by the transform).
 */

export const SOURCE = 'activedirectory' as const;

/** Users: person objects of class user (excludes computers, whose objectCategory is computer). */
export const USER_FILTER = '(&(objectCategory=person)(objectClass=user))';
export const GROUP_FILTER = '(objectClass=group)';

export const USER_ATTRIBUTES = [
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'mail',
  'objectGUID',
  'objectSid',
  'userAccountControl',
  'lastLogonTimestamp',
  'primaryGroupID',
  'memberOf',
] as const;

export const GROUP_ATTRIBUTES = [
  'distinguishedName',
  'sAMAccountName',
  'cn',
  'objectGUID',
  'objectSid',
  'groupType',
  'member',
  'memberOf',
] as const;

/** Returned as Buffers; ldapts matches these names case-sensitively against the server's spelling. */
export const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'objectguid', 'objectsid', 'OBJECTGUID', 'OBJECTSID'];

/** LDAP_SERVER_RANGE_RETRIEVAL_NOERR_OID: no operationsError when a range starts past the last value. */
export const RANGE_RETRIEVAL_NOERR_OID = '1.2.840.113556.1.4.1948';

/** A user entry as read, values checked but not converted. */
export interface AdRawUser {
  dn: string;
  sAMAccountName: string | null;
  userPrincipalName: string | null;
  displayName: string | null;
  mail: string | null;
  objectGUID: Buffer;
  objectSid: Buffer | null;
  userAccountControl: string | null;
  lastLogonTimestamp: string | null;
  /** RID of the primary group (Domain Users by default), whose membership `member`/`memberOf` never list. */
  primaryGroupID: string | null;
  memberOf: string[];
}

export interface AdRawGroup {
  dn: string;
  sAMAccountName: string | null;
  cn: string | null;
  objectGUID: Buffer;
  objectSid: Buffer | null;
  groupType: string | null;
  member: string[];
  memberOf: string[];
}

export interface ActiveDirectoryRaw {
  /** DNS name of the domain: the tenant id. */
  domain: string;
  baseDn: string;
  url: string;
  users: AdRawUser[];
  groups: AdRawGroup[];
  warnings: string[];
  stats: { userPages: number; groupPages: number; rangeRequests: number; references: number };
}
