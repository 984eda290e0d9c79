/**
 * The optional `entra` and `activeDirectory` sections of a tenant document: the Entra ID tenant the Graph simulator
 * serves and the Active Directory the test LDAP server serves.
 */
import { z } from 'zod';
import { guid, isoDate } from './scalars.js';

export const entraUserSchema = z
  .object({
    id: guid.describe('Entra object id'),
    userPrincipalName: z.string().min(1),
    displayName: z.string(),
    mail: z.string().nullable().default(null),
    accountEnabled: z.boolean().default(true),
    userType: z.enum(['Member', 'Guest']).default('Member'),
    onPremisesDistinguishedName: z.string().nullable().default(null),
    onPremisesSamAccountName: z.string().nullable().default(null),
    onPremisesSecurityIdentifier: z.string().nullable().default(null),
    onPremisesUserPrincipalName: z.string().nullable().default(null),
    onPremisesImmutableId: z.string().nullable().default(null),
    onPremisesSyncEnabled: z.boolean().nullable().default(null),
  })
  .strict();

export const entraGroupSchema = z
  .object({
    id: guid.describe('Entra object id'),
    displayName: z.string().min(1),
    mail: z.string().nullable().default(null),
    securityEnabled: z.boolean().default(true),
    groupTypes: z.array(z.string()).default([]),
    onPremisesSecurityIdentifier: z.string().nullable().default(null),
    onPremisesSamAccountName: z.string().nullable().default(null),
    onPremisesSyncEnabled: z.boolean().nullable().default(null),
    members: z
      .array(z.object({ type: z.enum(['user', 'group']), id: z.string().min(1) }).strict())
      .default([])
      .describe('Direct members (users and nested groups) by object id'),
  })
  .strict();

export const entraSectionSchema = z
  .object({
    tenantId: guid.describe('Directory (tenant) id'),
    primaryDomain: z.string().min(1).describe('e.g. corp.example'),
    clients: z
      .array(z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict())
      .min(1)
      .describe('App registrations the Graph simulator accepts (client credentials)'),
    users: z.array(entraUserSchema),
    groups: z.array(entraGroupSchema).default([]),
  })
  .strict();

export const adUserSchema = z
  .object({
    dn: z.string().min(1).describe('Distinguished name, e.g. CN=Doe\\, Jane,OU=Users,DC=corp,DC=example'),
    sAMAccountName: z.string().min(1),
    userPrincipalName: z.string().nullable().default(null),
    displayName: z.string().nullable().default(null),
    mail: z.string().nullable().default(null),
    objectGUID: guid,
    objectSid: z.string().regex(/^S-1-5-21-\d+-\d+-\d+-\d+$/, 'expected a domain SID S-1-5-21-…'),
    disabled: z.boolean().default(false).describe('userAccountControl ACCOUNTDISABLE (0x2)'),
    lastLogonTimestamp: isoDate.nullable().default(null),
  })
  .strict();

export const adGroupSchema = z
  .object({
    dn: z.string().min(1),
    sAMAccountName: z.string().min(1),
    cn: z.string().min(1),
    objectGUID: guid,
    objectSid: z.string().regex(/^S-1-5-21-\d+-\d+-\d+-\d+$/, 'expected a domain SID S-1-5-21-…'),
    groupType: z.number().int().default(-2147483646).describe('global security group by default'),
    members: z.array(z.string().min(1)).default([]).describe('DNs of member users and groups'),
  })
  .strict();

export const activeDirectorySectionSchema = z
  .object({
    domain: z.string().min(1).describe('DNS name, e.g. corp.example'),
    baseDn: z.string().min(1).describe('e.g. DC=corp,DC=example'),
    bindDn: z.string().min(1).describe('Read-only bind account the test LDAP server accepts'),
    bindPassword: z.string().min(1),
    users: z.array(adUserSchema),
    groups: z.array(adGroupSchema).default([]),
  })
  .strict();

export type EntraSection = z.output<typeof entraSectionSchema>;
export type EntraUser = z.output<typeof entraUserSchema>;
export type EntraGroup = z.output<typeof entraGroupSchema>;
export type ActiveDirectorySection = z.output<typeof activeDirectorySectionSchema>;
export type ADUser = z.output<typeof adUserSchema>;
export type ADGroup = z.output<typeof adGroupSchema>;
