/**
 * The tenant file format: one JSON document describing a whole CyberArk estate (Identity + Privilege Cloud, and
 * room for Entra ID and Active Directory). The simulators serve it, the generator writes it, and the oracle tests
 * compute expected answers from it. docs/tenant-format.md documents every field.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../graph/permissions.js';

export const TENANT_FORMAT_VERSION = 1;

const isoDate = z.iso.datetime({ offset: true });
const permissionKey = z.enum(SAFE_PERMISSION_KEYS as [SafePermissionKey, ...SafePermissionKey[]]);

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
    serviceUser: z.boolean().default(false).describe('Service user (not in Everybody per IDSEC): NonHuman'),
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

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a GUID');

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

/** The shape of a tenant document; cross-references are checked by referenceProblems(). */
export const tenantShapeSchema = z
  .object({
    formatVersion: z.literal(TENANT_FORMAT_VERSION),
    name: z.string().default('tenant'),
    identity: identitySectionSchema,
    privilegeCloud: privilegeCloudSectionSchema,
    entra: entraSectionSchema.optional(),
    activeDirectory: activeDirectorySectionSchema.optional(),
  })
  .strict();

export const tenantSchema = tenantShapeSchema.superRefine((t, ctx) => {
  for (const p of referenceProblems(t)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

export type Tenant = z.output<typeof tenantSchema>;
export type TenantInput = z.input<typeof tenantSchema>;
export type IdentityUser = z.output<typeof identityUserSchema>;
export type IdentityGroup = z.output<typeof identityGroupSchema>;
export type IdentityRole = z.output<typeof identityRoleSchema>;
export type Application = z.output<typeof applicationSchema>;
export type DirectoryService = z.output<typeof directoryServiceSchema>;
export type Safe = z.output<typeof safeSchema>;
export type SafeMember = z.output<typeof safeMemberSchema>;
export type Account = z.output<typeof accountSchema>;
export type VaultUser = z.output<typeof vaultUserSchema>;
export type VaultGroup = z.output<typeof vaultGroupSchema>;
export type EntraSection = z.output<typeof entraSectionSchema>;
export type EntraUser = z.output<typeof entraUserSchema>;
export type EntraGroup = z.output<typeof entraGroupSchema>;
export type ActiveDirectorySection = z.output<typeof activeDirectorySectionSchema>;
export type ADUser = z.output<typeof adUserSchema>;
export type ADGroup = z.output<typeof adGroupSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Arrays of a document that may not have passed shape validation: anything else counts as empty. */
function arr(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object') : [];
}
function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function duplicates(
  out: Problem[],
  items: unknown,
  key: (t: Record<string, unknown>) => string | undefined,
  path: (string | number)[],
  what: string,
) {
  const seen = new Map<string, number>();
  const list = Array.isArray(items) ? items : [];
  list.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    const k = key(item as Record<string, unknown>);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined)
      out.push({ path: [...path, i], message: `duplicate ${what} "${k}" (first at index ${first})` });
    else seen.set(k, i);
  });
}

/**
 * Cross-references the zod shapes cannot express: ids that must exist and keys that must be unique. Written
 * defensively so it also runs on a document with shape problems: every problem is reported in one pass.
 */
export function referenceProblems(doc: unknown): Problem[] {
  const out: Problem[] = [];
  const root = obj(doc);
  const id = obj(root.identity);
  const pc = obj(root.privilegeCloud);
  const lower = (field: string) => (t: Record<string, unknown>) => text(t[field])?.toLowerCase();
  const field = (f: string) => (t: Record<string, unknown>) => text(t[f]);
  duplicates(out, id.directoryServices, field('uuid'), ['identity', 'directoryServices'], 'directory service uuid');
  duplicates(out, id.users, field('id'), ['identity', 'users'], 'user id');
  duplicates(out, id.users, lower('username'), ['identity', 'users'], 'username');
  duplicates(out, id.groups, field('id'), ['identity', 'groups'], 'group id');
  duplicates(out, id.roles, field('id'), ['identity', 'roles'], 'role id');
  duplicates(out, id.roles, field('name'), ['identity', 'roles'], 'role name');
  duplicates(out, id.applications, field('id'), ['identity', 'applications'], 'application id');
  duplicates(out, pc.safes, lower('name'), ['privilegeCloud', 'safes'], 'safe name');
  duplicates(out, pc.accounts, field('id'), ['privilegeCloud', 'accounts'], 'account id');

  const ids = (items: unknown) =>
    new Set(
      arr(items)
        .map((x) => text(x.id))
        .filter((x): x is string => !!x),
    );
  const dirs = new Set(arr(id.directoryServices).map((d) => text(d.uuid)));
  const exists: Record<string, Set<string>> = { User: ids(id.users), Group: ids(id.groups), Role: ids(id.roles) };
  const unknown = (type: unknown) => (typeof type === 'string' ? type.toLowerCase() : 'principal');

  for (const section of ['users', 'groups'] as const) {
    (Array.isArray(id[section]) ? (id[section] as unknown[]) : []).forEach((x, i) => {
      const uuid = text(obj(x).directoryServiceUuid);
      if (uuid !== undefined && !dirs.has(uuid)) {
        out.push({
          path: ['identity', section, i, 'directoryServiceUuid'],
          message: `unknown directory service "${uuid}"`,
        });
      }
    });
  }
  (Array.isArray(id.roles) ? (id.roles as unknown[]) : []).forEach((raw, i) => {
    const r = obj(raw);
    const members = Array.isArray(r.members) ? (r.members as unknown[]) : [];
    members.forEach((m, j) => {
      const type = text(obj(m).type);
      const mid = text(obj(m).id);
      if (type && mid && exists[type] && !exists[type].has(mid)) {
        out.push({ path: ['identity', 'roles', i, 'members', j, 'id'], message: `unknown ${unknown(type)} "${mid}"` });
      }
    });
    (Array.isArray(r.scriptMembers) ? (r.scriptMembers as unknown[]) : []).forEach((u, j) => {
      if (typeof u === 'string' && !exists.User!.has(u)) {
        out.push({ path: ['identity', 'roles', i, 'scriptMembers', j], message: `unknown user "${u}"` });
      }
    });
    const roleType = text(r.roleType) ?? 'PrincipalList';
    if ((roleType === 'Everybody' || roleType === 'Script') && members.length > 0) {
      out.push({ path: ['identity', 'roles', i, 'members'], message: `a ${roleType} role has no explicit members` });
    }
  });
  (Array.isArray(id.applications) ? (id.applications as unknown[]) : []).forEach((a, i) => {
    arr(obj(a).acl).forEach((e, j) => {
      const type = text(e.principalType);
      const pid = text(e.principalId);
      if (type && pid && exists[type] && !exists[type].has(pid)) {
        out.push({
          path: ['identity', 'applications', i, 'acl', j, 'principalId'],
          message: `unknown ${unknown(type)} "${pid}"`,
        });
      }
    });
  });
  const safeNames = new Set(arr(pc.safes).map((s) => text(s.name)));
  (Array.isArray(pc.accounts) ? (pc.accounts as unknown[]) : []).forEach((a, i) => {
    const safeName = text(obj(a).safeName);
    if (safeName !== undefined && !safeNames.has(safeName)) {
      out.push({ path: ['privilegeCloud', 'accounts', i, 'safeName'], message: `unknown safe "${safeName}"` });
    }
  });
  (Array.isArray(pc.safes) ? (pc.safes as unknown[]) : []).forEach((raw, i) => {
    const s = obj(raw);
    duplicates(out, s.members, lower('memberName'), ['privilegeCloud', 'safes', i, 'members'], 'member');
    if (Array.isArray(s.members) && s.members.length > 64) {
      out.push({
        path: ['privilegeCloud', 'safes', i, 'members'],
        message: `a safe holds at most 64 members (has ${s.members.length})`,
      });
    }
  });
  const entra = obj(root.entra);
  duplicates(out, entra.users, lower('id'), ['entra', 'users'], 'user id');
  duplicates(out, entra.users, lower('userPrincipalName'), ['entra', 'users'], 'userPrincipalName');
  duplicates(out, entra.groups, lower('id'), ['entra', 'groups'], 'group id');
  const entraIds = {
    user: new Set(arr(entra.users).map((u) => text(u.id)?.toLowerCase())),
    group: new Set(arr(entra.groups).map((g) => text(g.id)?.toLowerCase())),
  };
  (Array.isArray(entra.groups) ? (entra.groups as unknown[]) : []).forEach((g, i) => {
    arr(obj(g).members).forEach((m, j) => {
      const type = text(m.type);
      const mid = text(m.id)?.toLowerCase();
      if ((type === 'user' || type === 'group') && mid && !entraIds[type].has(mid)) {
        out.push({ path: ['entra', 'groups', i, 'members', j, 'id'], message: `unknown ${type} "${text(m.id)}"` });
      }
    });
  });
  const ad = obj(root.activeDirectory);
  duplicates(out, ad.users, lower('dn'), ['activeDirectory', 'users'], 'DN');
  duplicates(out, ad.users, lower('sAMAccountName'), ['activeDirectory', 'users'], 'sAMAccountName');
  duplicates(out, ad.groups, lower('dn'), ['activeDirectory', 'groups'], 'DN');
  const adDns = new Set([...arr(ad.users), ...arr(ad.groups)].map((x) => text(x.dn)?.toLowerCase()));
  (Array.isArray(ad.groups) ? (ad.groups as unknown[]) : []).forEach((g, i) => {
    (Array.isArray(obj(g).members) ? (obj(g).members as unknown[]) : []).forEach((m, j) => {
      if (typeof m === 'string' && !adDns.has(m.toLowerCase())) {
        out.push({ path: ['activeDirectory', 'groups', i, 'members', j], message: `unknown member DN "${m}"` });
      }
    });
  });
  return out;
}

export class TenantValidationError extends Error {
  constructor(
    readonly problems: { path: string; message: string }[],
    readonly file?: string,
  ) {
    super(
      `invalid tenant${file ? ` file ${file}` : ''}: ${problems.length} problem(s)\n${problems
        .slice(0, 50)
        .map((p) => `  ${p.path}: ${p.message}`)
        .join('\n')}${problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''}`,
    );
    this.name = 'TenantValidationError';
  }
}

/** JSON path in the `$.a.b[3].c` form. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
}

/** Validates a parsed document; every problem is reported with its JSON path. */
export function parseTenant(doc: unknown, file?: string): Tenant {
  const shape = tenantShapeSchema.safeParse(doc);
  // References are checked on the parsed document (defaults applied) when the shape is valid, and on the raw one
  // otherwise, so that every problem is reported at once.
  const references = referenceProblems(shape.success ? shape.data : doc);
  const problems = [
    ...(shape.success ? [] : shape.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }))),
    ...references.map((p) => ({ path: jsonPath(p.path), message: p.message })),
  ];
  if (problems.length > 0 || !shape.success) throw new TenantValidationError(problems, file);
  return shape.data;
}

export async function loadTenantFile(file: string): Promise<Tenant> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TenantValidationError([{ path: '$', message: `not valid JSON: ${(error as Error).message}` }], file);
  }
  return parseTenant(doc, file);
}
