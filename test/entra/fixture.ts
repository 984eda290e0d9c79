/**
 * A hand-written Entra ID tenant for the Graph simulator and extractor tests: 36 users (cloud-only members, synced
 * users with every onPremises* field, a once-synced user, disabled users, guests with #EXT# UPNs, mixed-case UPNs,
 * a DN with an escaped comma), nested groups (a chain and a three-group cycle), a Microsoft 365 group, a dynamic
 * group, an empty group, and "All Staff" with 106 direct members (36 users + 70 team groups) so member paging happens
 * even at the default page size of 100.
 */
import { parseTenant, type Tenant, type TenantInput } from '../../src/tenant/format/index.js';

export const TENANT_ID = '8f0e1d2c-3b4a-4596-a7b8-c9d0e1f2a3b4';
export const PRIMARY_DOMAIN = 'corp.example';
export const CLIENT = {
  clientId: '3fa9c2d1-5b6e-4f70-8a91-b2c3d4e5f601',
  clientSecret: 'Gr4ph~secret.value_With-Chars',
};
export const OTHER_CLIENT = { clientId: '4fb0d3e2-6c7f-4081-9ba2-c3d4e5f60712', clientSecret: 'users-only-secret' };

/** Deterministic object ids: users 1xxx, groups 2xxx. */
export function userId(n: number): string {
  return `6ea91a8d-e32e-41a1-b7bd-${(0x1000000000000 + n).toString(16).slice(1)}`;
}
export function groupId(n: number): string {
  return `0f6b3c1e-8d2a-4c5b-9e7f-${(0x1000000000000 + n).toString(16).slice(1)}`;
}

const domainSid = 'S-1-5-21-1004336348-1177238915-682003330';

/** base64 of the objectGUID bytes, as Entra Connect writes onPremisesImmutableId. */
function immutableId(n: number): string {
  return Buffer.from(`a1b2c3d4e5f60718293a4b5c6d7e${(0x10000 + n).toString(16).slice(1)}`, 'hex').toString('base64');
}

type UserInput = NonNullable<TenantInput['entra']>['users'][number];
type GroupInput = NonNullable<NonNullable<TenantInput['entra']>['groups']>[number];

function synced(n: number, sam: string, cn: string, ou = 'Users'): Partial<UserInput> {
  return {
    onPremisesDistinguishedName: `CN=${cn},OU=${ou},DC=corp,DC=example`,
    onPremisesSamAccountName: sam,
    onPremisesSecurityIdentifier: `${domainSid}-${1100 + n}`,
    onPremisesUserPrincipalName: `${sam}@corp.example`,
    onPremisesImmutableId: immutableId(n),
    onPremisesSyncEnabled: true,
  };
}

const FIRST = [
  'Alice',
  'Bob',
  'Carol',
  'Dave',
  'Erin',
  'Frank',
  'Grace',
  'Heidi',
  'Ivan',
  'Judy',
  'Mallory',
  'Niaj',
  'Olivia',
  'Peggy',
  'Rupert',
  'Sybil',
  'Trent',
  'Victor',
  'Walter',
  'Yvonne',
  'Zoe',
  'Quentin',
  'Uma',
  'Xavier',
];

export function buildEntraUsers(): UserInput[] {
  const users: UserInput[] = [];
  // 1–24: members, odd numbers synced from AD, even numbers cloud-only.
  FIRST.forEach((first, i) => {
    const n = i + 1;
    const sam = `${first.toLowerCase()}.adams${n}`;
    users.push({
      id: userId(n),
      userPrincipalName: `${sam}@corp.example`,
      displayName: `${first} Adams${n}`,
      mail: n % 3 === 0 ? null : `${sam}@corp.example`,
      ...(n % 2 === 1 ? synced(n, sam, `${first} Adams${n}`) : {}),
    });
  });
  // Mixed-case UPN (the correlation key is lower-cased).
  users[0] = { ...users[0]!, userPrincipalName: 'Alice.Adams1@Corp.Example' };
  // DN with an escaped comma.
  users.push({
    id: userId(25),
    userPrincipalName: 'jane.doe@corp.example',
    displayName: 'Doe, Jane',
    mail: 'jane.doe@corp.example',
    ...synced(25, 'jdoe', 'Doe\\, Jane', 'Finance'),
  });
  // Once synced, no longer (onPremisesSyncEnabled false, the on-premises values remain).
  users.push({
    id: userId(26),
    userPrincipalName: 'old.sync@corp.example',
    displayName: 'Old Sync',
    ...synced(26, 'oldsync', 'Old Sync'),
    onPremisesSyncEnabled: false,
  });
  // Disabled users: a cloud one and a synced one.
  users.push({
    id: userId(27),
    userPrincipalName: 'left.company@corp.example',
    displayName: 'Left Company',
    accountEnabled: false,
  });
  users.push({
    id: userId(28),
    userPrincipalName: 'disabled.synced@corp.example',
    displayName: 'Disabled Synced',
    accountEnabled: false,
    ...synced(28, 'dsynced', 'Disabled Synced', 'Disabled'),
  });
  users.push({
    id: userId(29),
    userPrincipalName: 'suspended@corpexample.onmicrosoft.com',
    displayName: 'Suspended Cloud',
    accountEnabled: false,
  });
  // Guests (B2B): #EXT# UPNs in the tenant's onmicrosoft.com domain.
  const guests = [
    ['jane.partner', 'partner.example'],
    ['bob', 'vendor.example'],
    ['auditor', 'audit-firm.example'],
    ['Max.Mustermann', 'Beispiel.DE'],
  ] as const;
  guests.forEach(([local, domain], i) => {
    users.push({
      id: userId(30 + i),
      userPrincipalName: `${local}_${domain}#EXT#@corpexample.onmicrosoft.com`,
      displayName: `${local} (${domain})`,
      mail: `${local}@${domain}`,
      userType: 'Guest',
      accountEnabled: i !== 3,
    });
  });
  // A service account and a break-glass account (cloud-only, onmicrosoft.com UPNs).
  users.push({ id: userId(34), userPrincipalName: 'svc-backup@corp.example', displayName: 'svc-backup' });
  users.push({
    id: userId(35),
    userPrincipalName: 'breakglass@corpexample.onmicrosoft.com',
    displayName: 'Break Glass',
  });
  users.push({
    id: userId(36),
    userPrincipalName: "o'brien@corp.example",
    displayName: "Pat O'Brien",
    mail: "o'brien@corp.example",
  });
  return users;
}

export const G = {
  allPrivileged: groupId(1),
  pamAdmins: groupId(2),
  tier0: groupId(3),
  cycleA: groupId(4),
  cycleB: groupId(5),
  cycleC: groupId(6),
  m365: groupId(7),
  dynamic: groupId(8),
  empty: groupId(9),
  guests: groupId(10),
  disabled: groupId(11),
  allStaff: groupId(12),
} as const;

export const TEAM_COUNT = 70;
export const teamId = (i: number) => groupId(100 + i);

const u = (n: number) => ({ type: 'user' as const, id: userId(n) });
const g = (id: string) => ({ type: 'group' as const, id });

export function buildEntraGroups(userCount: number): GroupInput[] {
  const teams: GroupInput[] = [];
  for (let i = 1; i <= TEAM_COUNT; i++) {
    teams.push({ id: teamId(i), displayName: `Team ${String(i).padStart(2, '0')}`, members: [u(((i - 1) % 24) + 1)] });
  }
  return [
    { id: G.allPrivileged, displayName: 'All Privileged', members: [g(G.pamAdmins), u(24)] },
    {
      id: G.pamAdmins,
      displayName: 'PAM Admins',
      mail: null,
      onPremisesSecurityIdentifier: `${domainSid}-3101`,
      onPremisesSamAccountName: 'PAM-Admins',
      onPremisesSyncEnabled: true,
      members: [u(1), u(2), g(G.tier0)],
    },
    {
      id: G.tier0,
      displayName: 'Tier0 Operators',
      onPremisesSecurityIdentifier: `${domainSid}-3102`,
      onPremisesSamAccountName: 'Tier0-Operators',
      onPremisesSyncEnabled: true,
      members: [u(3), u(25), u(28)],
    },
    { id: G.cycleA, displayName: 'Cycle A', members: [g(G.cycleB), u(5)] },
    { id: G.cycleB, displayName: 'Cycle B', members: [g(G.cycleC)] },
    { id: G.cycleC, displayName: 'Cycle C', members: [g(G.cycleA), u(6)] },
    {
      id: G.m365,
      displayName: 'Project X',
      mail: 'projectx@corp.example',
      securityEnabled: false,
      groupTypes: ['Unified'],
      members: [u(1), u(30), u(31)],
    },
    { id: G.dynamic, displayName: 'Dynamic Sales', groupTypes: ['DynamicMembership'], members: [u(7), u(8)] },
    { id: G.empty, displayName: 'Empty Group', members: [] },
    { id: G.guests, displayName: 'Guests', members: [u(30), u(31), u(32), u(33)] },
    { id: G.disabled, displayName: 'Disabled Accounts', members: [u(27), u(28), u(29)] },
    {
      id: G.allStaff,
      displayName: 'All Staff',
      members: [...Array.from({ length: userCount }, (_, i) => u(i + 1)), ...teams.map((t) => g(t.id))],
    },
    ...teams,
  ];
}

export function buildEntraTenant(): Tenant {
  const users = buildEntraUsers();
  const doc: TenantInput = {
    formatVersion: 1,
    name: 'entra-fixture',
    identity: {
      tenantId: 'ABC1234',
      directoryServices: [{ uuid: 'ds-cds', service: 'CDS', name: 'CDS', displayName: 'CyberArk Cloud Directory' }],
      users: [{ id: 'u-1', username: 'admin@corp.example', displayName: 'Admin', directoryServiceUuid: 'ds-cds' }],
      roles: [{ id: 'sysadmin', name: 'System Administrator', members: [{ type: 'User', id: 'u-1' }] }],
      oauthClients: [{ clientId: 'reader@corp.example', clientSecret: 's3cret' }],
    },
    privilegeCloud: { subdomain: 'acme', safes: [] },
    entra: {
      tenantId: TENANT_ID,
      primaryDomain: PRIMARY_DOMAIN,
      clients: [CLIENT, OTHER_CLIENT],
      users,
      groups: buildEntraGroups(users.length),
    },
  };
  return parseTenant(doc);
}
