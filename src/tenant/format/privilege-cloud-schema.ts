/**
 * The `privilegeCloud` section of a tenant document: safes and their members, accounts, vault users and groups, and
 * the self-hosted PAS logons the Privilege Cloud simulator accepts.
 */
import { z } from 'zod';
import { permissionKey } from './scalars.js';

export const safeMemberSchema = z
  .object({
    memberId: z.string().min(1).describe('GUID (Identity user), numeric vault id, or a synthetic id for roles'),
    memberName: z.string().min(1),
    memberType: z.enum(['User', 'Group', 'Role']),
    permissions: z.array(permissionKey).describe('Granted permission keys; the simulator serves all 22 as booleans'),
    membershipExpirationDate: z.number().int().nullable().default(null).describe('Epoch seconds, or null'),
    isPredefinedUser: z.boolean().default(false),
    isReadOnly: z.boolean().default(false),
  })
  .strict();

export const safeSchema = z
  .object({
    name: z.string().min(1).max(28),
    description: z.string().default(''),
    safeNumber: z.number().int(),
    location: z.string().default('\\'),
    managingCPM: z.string().default('PasswordManager'),
    olacEnabled: z.boolean().default(false),
    numberOfVersionsRetention: z.number().int().nullable().default(null),
    numberOfDaysRetention: z.number().int().nullable().default(7),
    autoPurgeEnabled: z.boolean().default(false),
    creationTime: z.number().int().describe('Epoch seconds'),
    lastModificationTime: z.number().int().describe('Epoch microseconds'),
    creator: z.object({ id: z.string(), name: z.string() }).strict(),
    members: z.array(safeMemberSchema),
  })
  .strict();

export const accountSchema = z
  .object({
    id: z.string().min(1).describe('<safeNumber>_<n>'),
    name: z.string().min(1),
    safeName: z.string().min(1),
    platformId: z.string().default(''),
    address: z.string().optional(),
    userName: z.string().optional(),
    secretType: z.enum(['password', 'key']).default('password'),
    automaticManagementEnabled: z.boolean().default(true),
    manualManagementReason: z.string().optional(),
    status: z.enum(['success', 'failure']).optional(),
    createdTime: z.number().int().describe('Epoch seconds'),
    lastModifiedTime: z.number().int().optional(),
    lastVerifiedTime: z.number().int().optional(),
    lastReconciledTime: z.number().int().optional(),
    remoteMachines: z.string().optional(),
  })
  .strict();

export const vaultUserSchema = z
  .object({
    id: z.number().int(),
    username: z.string().min(1),
    source: z.string().default('CyberArk'),
    userType: z.string().default('EPVUser'),
    componentUser: z.boolean().default(false),
    uuid: z.string().optional().describe('Identity user id for Identity-backed vault users'),
    vaultAuthorization: z.array(z.string()).default([]),
    firstName: z.string().default(''),
    lastName: z.string().default(''),
    isPredefined: z.boolean().default(false),
  })
  .strict();

export const vaultGroupSchema = z
  .object({
    id: z.number().int(),
    groupName: z.string().min(1),
    groupType: z.enum(['Vault', 'Directory']).default('Vault'),
    description: z.string().default(''),
    directory: z.string().optional(),
    dn: z.string().optional(),
    isPredefined: z.boolean().default(false),
    members: z.array(z.object({ id: z.number().int(), username: z.string() }).strict()).default([]),
  })
  .strict();

export const pasLoginSchema = z
  .object({
    username: z.string().min(1),
    password: z.string().min(1),
    method: z.enum(['CyberArk', 'LDAP', 'RADIUS', 'Windows']).default('CyberArk'),
  })
  .strict();

export const privilegeCloudSectionSchema = z
  .object({
    subdomain: z.string().min(1).describe('Platform subdomain, e.g. acme'),
    safes: z.array(safeSchema),
    accounts: z.array(accountSchema).default([]),
    vaultUsers: z.array(vaultUserSchema).default([]),
    vaultGroups: z.array(vaultGroupSchema).default([]),
    pasLogins: z.array(pasLoginSchema).default([]).describe('Self-hosted PAS logon credentials the simulator accepts'),
  })
  .strict();

export type Safe = z.output<typeof safeSchema>;
export type SafeMember = z.output<typeof safeMemberSchema>;
export type Account = z.output<typeof accountSchema>;
export type VaultUser = z.output<typeof vaultUserSchema>;
export type VaultGroup = z.output<typeof vaultGroupSchema>;
