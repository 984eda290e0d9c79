/**
 * Raw CyberArk Identity shapes (Identity developer docs; CyberArk's SDKs), validated with zod. Objects are
 * loose: fields we do not use are tolerated, fields we use are checked, so a changed API fails loudly and says where.
 */
import { z } from 'zod';
import { nameField, shortText, textField } from '../../http/index.js';

const optStr = textField.nullish();
const optBool = z.boolean().nullish();

export const directoryServiceRow = z.looseObject({
  Service: shortText,
  Name: shortText,
  DisplayName: optStr,
  Tenant: optStr,
  Status: optStr,
  Forest: optStr,
  directoryServiceUuid: nameField,
});

export const userRow = z.looseObject({
  ID: nameField,
  Username: nameField,
  DisplayName: optStr,
  Email: optStr,
  LastLogin: optStr,
  StatusEnum: optStr,
  RiskLevel: optStr,
  SourceDs: optStr,
  SourceDsType: optStr,
  DirectoryServiceUuid: optStr,
  Forest: optStr,
  MobileNumber: optStr,
  /** True for service users and OAuth confidential clients, who are not in the Everybody role (issue 14). */
  ServiceUser: optBool,
  SecurityQuestionSet: optBool,
  SecurityQuestionCount: z.number().int().nullish(),
});

/**
 * `UserMgmt/GetUserAttributes` (idsec-sdk-golang users service and its test mocks): read for the users whose
 * User row does not say whether they are service users. `InEverybodyRole` false marks a service user.
 */
export const userAttributes = z.looseObject({
  InEverybodyRole: optBool,
  OauthClient: optBool,
  ServiceUser: optBool,
});

/** SystemName is missing from some real DirectoryServiceQuery rows (issue 14): the User table's login is used then. */
export const dsqUserRow = z.looseObject({
  InternalName: nameField,
  SystemName: optStr,
  DisplayName: optStr,
  EMail: optStr,
  DistinguishedName: optStr,
  ServiceType: optStr,
  DirectoryServiceUuid: optStr,
  ExternalUuid: optStr,
  Forest: optStr,
  Locked: optBool,
  Enabled: optBool,
  StatusEnum: optStr,
});

export const dsqGroupRow = z.looseObject({
  InternalName: nameField,
  SystemName: optStr,
  DisplayName: optStr,
  ServiceType: optStr,
  DirectoryServiceUuid: optStr,
  ExternalUuid: optStr,
  DistinguishedName: optStr,
});

export const dsqRoleRow = z.looseObject({
  _ID: nameField,
  Name: optStr,
  IsHidden: optBool,
});

export const roleRow = z.looseObject({
  ID: nameField,
  Name: shortText.nullish(),
  Description: optStr,
  RoleType: optStr,
  ReadOnly: optBool,
});

export const roleMemberRow = z.looseObject({
  Guid: nameField,
  Name: optStr,
  Type: nameField,
});

export const adminRightRow = z.looseObject({
  Path: nameField,
  Description: optStr,
});

export const applicationRow = z.looseObject({
  ID: nameField,
  Name: optStr,
  DisplayName: optStr,
  Description: optStr,
  Category: optStr,
  State: optStr,
  AppType: optStr,
  TemplateName: optStr,
  OnPrem: optBool,
  Version: z.union([shortText, z.number()]).nullish(),
});

export const aceRow = z.looseObject({
  Principal: nameField,
  PrincipalName: optStr,
  PrincipalType: nameField,
  Grant: z.number().int(),
});

export type DirectoryServiceRow = z.infer<typeof directoryServiceRow>;
export type UserRow = z.infer<typeof userRow>;
export type UserAttributes = z.infer<typeof userAttributes>;
export type DsqUserRow = z.infer<typeof dsqUserRow>;
export type DsqGroupRow = z.infer<typeof dsqGroupRow>;
export type DsqRoleRow = z.infer<typeof dsqRoleRow>;
export type RoleRow = z.infer<typeof roleRow>;
export type RoleMemberRow = z.infer<typeof roleMemberRow>;
export type AdminRightRow = z.infer<typeof adminRightRow>;
export type ApplicationRow = z.infer<typeof applicationRow>;
export type AceRow = z.infer<typeof aceRow>;

/** Everything the Identity extractor read, before any interpretation. */
export interface IdentityRaw {
  identityUrl: string;
  directoryServices: DirectoryServiceRow[];
  users: UserRow[];
  /**
   * GetUserAttributes answers by user id, for the users whose User row has no ServiceUser value and for role
   * members the User table did not list.
   */
  userAttributes: Record<string, UserAttributes>;
  directoryUsers: DsqUserRow[];
  directoryGroups: DsqGroupRow[];
  directoryRoles: DsqRoleRow[];
  roles: RoleRow[];
  roleMembers: Record<string, RoleMemberRow[]>;
  roleAdminRights: Record<string, AdminRightRow[]>;
  applications: ApplicationRow[];
  applicationAces: Record<string, AceRow[]>;
}
