/**
 * The `identity` section of a tenant document: directory services, users, groups, roles (with their admin rights and
 * members), applications (with their ACLs) and the OAuth clients the Identity simulator accepts.
 */
import { z } from 'zod';
import { isoDate } from './scalars.js';

export const directoryServiceSchema = z
  .object({
    uuid: z.string().min(1),
    service: z.enum(['CDS', 'AdProxy', 'FDS', 'LdapProxy', 'GDS']),
    name: z.string().min(1).describe('Name, e.g. CDS, AdProxy_corp.example, FDS'),
    displayName: z.string(),
    status: z.enum(['Active', 'Inactive']).default('Active'),
    forest: z.string().optional().describe('AD forest (AdProxy only)'),
    config: z.string().optional(),
  })
  .strict();

export const identityUserSchema = z
  .object({
    id: z.string().min(1).describe('Identity user UUID (User.ID)'),
    username: z.string().min(1).describe('Login name (User.Username / SystemName)'),
    displayName: z.string(),
    email: z.string().nullable().default(null),
    directoryServiceUuid: z.string().min(1),
    status: z.enum(['Created', 'Suspended', 'Invited', 'Active']).default('Active'),
    enabled: z.boolean().default(true),
    locked: z.boolean().default(false),
    lastLogin: isoDate.nullable().default(null),
    riskLevel: z.enum(['Normal', 'Low', 'Medium', 'High', 'Unknown', 'SystemUnavailable']).default('Normal'),
    serviceUser: z
      .boolean()
      .default(false)
      .describe('Service user (not in Everybody: idsec-sdk-golang reads InEverybodyRole false as one): NonHuman'),
    oauthClient: z.boolean().default(false).describe('OAuth confidential client: NonHuman'),
    mobileNumber: z.string().nullable().default(null),
    securityQuestionCount: z.number().int().min(0).default(0),
    internalName: z.string().optional().describe('Id inside the directory (DSUsers.InternalName); defaults to id'),
    distinguishedName: z.string().optional().describe('AD DN (AdProxy users)'),
    externalUuid: z.string().optional().describe('IdP object id (FDS users, e.g. the Entra object id)'),
    description: z.string().optional(),
  })
  .strict();

export const identityGroupSchema = z
  .object({
    id: z.string().min(1).describe('Group id (DSGroups.InternalName)'),
    name: z.string().min(1).describe('SystemName, e.g. PAM-Admins@corp.example'),
    displayName: z.string(),
    directoryServiceUuid: z.string().min(1),
    distinguishedName: z.string().optional().describe('AD DN (AdProxy groups)'),
    externalUuid: z.string().optional().describe('IdP object id (FDS groups, e.g. the Entra group object id)'),
    description: z.string().optional(),
  })
  .strict();

export const adminRightSchema = z
  .object({
    path: z.string().min(1).describe('e.g. /lib/rights/roleman.json'),
    description: z.string().describe('e.g. Role Management'),
    serviceName: z.string().optional(),
  })
  .strict();

export const roleMemberSchema = z
  .object({
    type: z.enum(['User', 'Group', 'Role']),
    id: z.string().min(1).describe('User id, group id or role id'),
  })
  .strict();

export const identityRoleSchema = z
  .object({
    id: z.string().min(1).describe('Role id (UUID or a well-known id such as sysadmin)'),
    name: z.string().min(1),
    description: z.string().nullable().default(null),
    roleType: z.enum(['PrincipalList', 'Everybody', 'Script']).default('PrincipalList'),
    readOnly: z.boolean().default(false),
    isHidden: z.boolean().default(false),
    directoryServiceUuid: z.string().optional(),
    adminRights: z.array(adminRightSchema).default([]),
    members: z.array(roleMemberSchema).default([]).describe('Explicit members (PrincipalList roles)'),
    scriptMembers: z
      .array(z.string())
      .optional()
      .describe('Script roles: user ids the script computes; the API cannot list them (GetRoleMembers returns none)'),
  })
  .strict();

export const aclEntrySchema = z
  .object({
    principalType: z.enum(['User', 'Group', 'Role']),
    principalId: z.string().min(1),
    grant: z
      .number()
      .int()
      .describe('Grant bitmask (Owner 1, Read 4, Write 8, List 16, Delete 64, Execute 128, Automatic 2^31)'),
  })
  .strict();

export const applicationSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    displayName: z.string(),
    description: z.string().nullable().default(null),
    category: z.string().nullable().default(null),
    state: z.string().default('Active'),
    appType: z.string().default('Web'),
    webAppType: z.string().nullable().default(null),
    templateName: z.string().nullable().default(null),
    onPrem: z.boolean().default(false),
    serviceName: z.string().nullable().default(null),
    version: z.string().nullable().default(null),
    acl: z.array(aclEntrySchema).default([]),
  })
  .strict();

export const oauthClientSchema = z
  .object({
    clientId: z.string().min(1).describe('Login name of the OAuth confidential client'),
    clientSecret: z.string().min(1),
    appIds: z
      .array(z.string())
      .default([])
      .describe('OAuth2 server app ids this client may use with /oauth2/token/{appId}'),
  })
  .strict();

export const identitySectionSchema = z
  .object({
    tenantId: z.string().min(1).describe('Identity tenant id, e.g. ABC1234'),
    directoryServices: z.array(directoryServiceSchema).min(1),
    users: z.array(identityUserSchema),
    groups: z.array(identityGroupSchema).default([]),
    roles: z.array(identityRoleSchema),
    applications: z.array(applicationSchema).default([]),
    oauthClients: z.array(oauthClientSchema).min(1).describe('Credentials the simulator accepts'),
  })
  .strict();

export type IdentityUser = z.output<typeof identityUserSchema>;
export type IdentityGroup = z.output<typeof identityGroupSchema>;
export type IdentityRole = z.output<typeof identityRoleSchema>;
export type Application = z.output<typeof applicationSchema>;
export type DirectoryService = z.output<typeof directoryServiceSchema>;
