/**
 * A small hand-written tenant for the simulator tests: three directory services (CDS, AdProxy, FDS), ten users,
 * nested / Everybody / Script roles (and a nesting cycle), applications with ACLs, ~30 safes whose names need URL
 * encoding, predefined and expired members, and accounts.
 */
import { SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../src/graph/permissions.js';
import { parseTenant, type Tenant, type TenantInput } from '../../src/tenant/format/index.js';

export const DS = {
  cds: '09B9A9B0-6CE8-465F-AB03-65766D33B05E',
  ad: 'e09def65-17c3-0f40-c475-a6ee8825611f',
  fds: 'C30B30B1-0B46-49AC-8D99-F6279EED7999',
} as const;

export const U = {
  alice: '6f1c1a4e-0b7d-4f0e-9d3e-2d1b9f8a7c11',
  bob: '7a2d2b5f-1c8e-4a1f-8e4f-3e2c0a9b8d22',
  carol: '8b3e3c60-2d9f-4b20-9f50-4f3d1bac9e33',
  dave: '9c4f4d71-3ea0-4c31-a061-504e2cbdaf44',
  erin: 'ad505e82-4fb1-4d42-b172-615f3dcebf55',
  frank: 'be616f93-50c2-4e53-8283-72604edfc066',
  svc: 'cf7270a4-61d3-4f64-9394-837150e0d177',
  batch: 'd08381b5-72e4-4075-a4a5-948261f1e288',
  grace: 'e19492c6-83f5-4186-b5b6-a59372020399',
  heidi: 'f2a5a3d7-9406-4297-86c7-b6a48313f4aa',
} as const;

export const OAUTH = { clientId: 'svc_arkgraph@corp.example', clientSecret: 'S3cr3t!pass:with colon' } as const;
export const AUDIT_CLIENT = { clientId: 'svc_audit@corp.example', clientSecret: 'audit-secret' } as const;
export const PAS_LOGIN = { username: 'Administrator', password: 'Cyberark1' } as const;

const ALL: SafePermissionKey[] = SAFE_PERMISSION_KEYS.filter((k) => k !== 'requestsAuthorizationLevel2');
const READ: SafePermissionKey[] = ['listAccounts', 'useAccounts', 'retrieveAccounts'];
const CONNECT: SafePermissionKey[] = ['listAccounts', 'useAccounts'];

/** Safe names chosen to exercise percent-encoding. */
export const SPECIAL_SAFES = [
  'Linux Prod',
  'Windows Prod',
  'Finance, EMEA',
  'Ops (Tier 0)',
  'Café Crème',
  'R&D #1',
  'Plus+Minus',
  '100% Secure',
  'Ünïcödé Safe',
  'Q?A=yes',
  'Ops and Dev',
  'Big Members',
] as const;

const NOW = Math.floor(Date.now() / 1000);
export const PAST = NOW - 86_400;
export const FUTURE = NOW + 30 * 86_400;

function predefined(name: string, id: string) {
  return { memberId: id, memberName: name, memberType: 'User' as const, permissions: ALL, isPredefinedUser: true };
}

function safeMembers(name: string, i: number) {
  const base = [
    predefined('Master', '1'),
    predefined('Batch', '2'),
    {
      memberId: 'Privilege_Cloud_Admins_ID',
      memberName: 'Privilege Cloud Administrators',
      memberType: 'Group' as const,
      permissions: ALL,
    },
  ];
  if (name === 'Linux Prod') {
    return [
      ...base,
      { memberId: U.alice, memberName: 'alice@corp.example', memberType: 'User' as const, permissions: READ },
      { memberId: 'role-pam-admins', memberName: 'PAM Admins', memberType: 'Role' as const, permissions: ALL },
      {
        memberId: '93',
        memberName: 'PasswordManager',
        memberType: 'User' as const,
        permissions: ALL,
        isReadOnly: true,
      },
      {
        memberId: U.bob,
        memberName: 'bob@corp.example',
        memberType: 'User' as const,
        permissions: READ,
        membershipExpirationDate: PAST,
      },
      {
        memberId: U.heidi,
        memberName: 'heidi@corp.example',
        memberType: 'User' as const,
        permissions: CONNECT,
        membershipExpirationDate: FUTURE,
      },
    ];
  }
  if (name === 'Big Members') {
    return [
      ...base,
      ...Array.from({ length: 40 }, (_, n) => ({
        memberId: String(1000 + n),
        memberName: `member${String(n).padStart(2, '0')}@corp.example`,
        memberType: n % 4 === 0 ? ('Group' as const) : ('User' as const),
        permissions: n % 2 === 0 ? READ : CONNECT,
      })),
    ];
  }
  return [
    ...base,
    {
      memberId: U.carol,
      memberName: 'carol@corp.example',
      memberType: 'User' as const,
      permissions: i % 2 ? READ : ALL,
    },
  ];
}

export function fixtureInput(): TenantInput {
  const safeNames = [
    ...SPECIAL_SAFES,
    ...Array.from({ length: 18 }, (_, i) => `Safe-${String(i + 1).padStart(2, '0')}`),
  ];
  const safes = safeNames.map((name, i) => ({
    name,
    description: i % 3 === 0 ? `Safe ${name}` : '',
    safeNumber: 100 + i,
    creationTime: 1_761_318_812 + i,
    lastModificationTime: 1_783_472_403_842_466 + i,
    creator: { id: U.alice, name: 'alice@corp.example' },
    members: safeMembers(name, i),
  }));
  const accounts = [
    ...Array.from({ length: 60 }, (_, n) => ({
      id: `100_${n + 1}`,
      name: `Operating System-UnixSSH-host${n}.corp.example-root`,
      safeName: 'Linux Prod',
      platformId: 'UnixSSH',
      address: `host${n}.corp.example`,
      userName: 'root',
      createdTime: 1_781_415_350 + n,
      ...(n === 0
        ? {
            automaticManagementEnabled: false,
            manualManagementReason: '(CPM)MaxRetries',
            status: 'failure' as const,
            lastModifiedTime: 1_781_415_351,
            lastVerifiedTime: 1_781_172_858,
            remoteMachines: 'host1.corp.example;host2.corp.example',
          }
        : {}),
    })),
    ...['svc_backup', 'svc_sql', 'svc_web'].map((user, n) => ({
      id: `110_${n + 1}`,
      name: `Operating System-WinDomain-corp.example-${user}`,
      safeName: 'Ops and Dev',
      platformId: 'WinDomain',
      address: 'corp.example',
      userName: user,
      createdTime: 1_781_415_400 + n,
      // A reconciled account: secretManagement.lastReconciledTime (reference §7.3) appears in the answers.
      ...(n === 0
        ? { status: 'success' as const, lastModifiedTime: 1_781_415_400, lastReconciledTime: 1_781_180_362 }
        : {}),
    })),
    { id: '101_1', name: 'key-only', safeName: 'Windows Prod', secretType: 'key' as const, createdTime: 1_781_415_500 },
  ];

  return {
    formatVersion: 1,
    name: 'simulator-fixture',
    identity: {
      tenantId: 'ABC1234',
      directoryServices: [
        { uuid: DS.cds, service: 'CDS', name: 'CDS', displayName: 'CyberArk Cloud Directory' },
        {
          uuid: DS.ad,
          service: 'AdProxy',
          name: 'AdProxy_corp.example',
          displayName: 'Active Directory: corp.example',
          forest: 'corp.example',
        },
        { uuid: DS.fds, service: 'FDS', name: 'FDS', displayName: 'Federated Directory Service' },
      ],
      users: [
        {
          id: U.alice,
          username: 'alice@corp.example',
          displayName: 'Alice Adams',
          email: 'alice@corp.example',
          directoryServiceUuid: DS.cds,
          lastLogin: '2024-05-31T15:28:37.123Z',
          mobileNumber: '+1 555 0100',
        },
        { id: U.bob, username: 'bob@corp.example', displayName: 'Bob Brown', directoryServiceUuid: DS.cds },
        {
          id: U.carol,
          username: 'carol@corp.example',
          displayName: 'Carol Clark',
          email: 'carol@corp.example',
          directoryServiceUuid: DS.ad,
          internalName: '0f8fad5b-d9cb-469f-a165-70867728950e',
          distinguishedName: 'CN=Carol Clark,OU=Users,DC=corp,DC=example',
        },
        {
          id: U.dave,
          username: 'dave@corp.example',
          displayName: 'Dave Davis',
          directoryServiceUuid: DS.ad,
          locked: true,
          distinguishedName: 'CN=Dave Davis,OU=Users,DC=corp,DC=example',
        },
        {
          id: U.erin,
          username: 'erin@corp.example',
          displayName: 'Erin Evans',
          directoryServiceUuid: DS.fds,
          externalUuid: '11111111-2222-4333-8444-555555555555',
        },
        {
          id: U.frank,
          username: 'frank@corp.example',
          displayName: 'Frank Fox',
          directoryServiceUuid: DS.fds,
          enabled: false,
          status: 'Suspended',
        },
        {
          id: U.svc,
          username: OAUTH.clientId,
          displayName: 'arkgraph reader',
          directoryServiceUuid: DS.cds,
          serviceUser: true,
          oauthClient: true,
        },
        {
          id: U.batch,
          username: 'svc_batch@corp.example',
          displayName: 'Batch',
          directoryServiceUuid: DS.cds,
          serviceUser: true,
        },
        {
          id: U.grace,
          username: 'grace@corp.example',
          displayName: 'Grace Green',
          directoryServiceUuid: DS.cds,
          status: 'Invited',
        },
        {
          id: U.heidi,
          username: 'heidi@corp.example',
          displayName: 'Heidi Hill',
          directoryServiceUuid: DS.ad,
          riskLevel: 'High',
        },
      ],
      groups: [
        {
          id: 'a1b2c3d4-0000-4000-8000-000000000001',
          name: 'PAM-Admins@corp.example',
          displayName: 'PAM-Admins',
          directoryServiceUuid: DS.ad,
          distinguishedName: 'CN=PAM-Admins,OU=Groups,DC=corp,DC=example',
        },
        {
          id: 'a1b2c3d4-0000-4000-8000-000000000002',
          name: 'Helpdesk-Staff@corp.example',
          displayName: 'Helpdesk-Staff',
          directoryServiceUuid: DS.ad,
        },
        {
          id: 'a1b2c3d4-0000-4000-8000-000000000003',
          name: 'Entra-Ops',
          displayName: 'Entra Ops',
          directoryServiceUuid: DS.fds,
          externalUuid: '99999999-8888-4777-8666-555555555555',
        },
      ],
      roles: [
        {
          id: 'sysadmin',
          name: 'System Administrator',
          readOnly: true,
          members: [{ type: 'User', id: U.alice }],
          adminRights: [
            { path: '/lib/rights/adminportallogin.json', description: 'Admin Portal Login' },
            { path: '/lib/rights/roleman.json', description: 'Role Management', serviceName: 'idaptive' },
          ],
        },
        { id: 'everybody', name: 'Everybody', roleType: 'Everybody', readOnly: true },
        {
          id: 'role-helpdesk',
          name: 'Helpdesk',
          members: [
            { type: 'User', id: U.bob },
            { type: 'Group', id: 'a1b2c3d4-0000-4000-8000-000000000002' },
          ],
          adminRights: [{ path: '/lib/rights/rouserman.json', description: 'Read Only User Management' }],
        },
        {
          id: 'role-pam-admins',
          name: 'PAM Admins',
          description: 'Privileged access admins',
          members: [
            { type: 'User', id: U.carol },
            { type: 'Role', id: 'role-helpdesk' },
            { type: 'Group', id: 'a1b2c3d4-0000-4000-8000-000000000001' },
          ],
        },
        {
          id: 'role-tier0',
          name: 'Tier 0',
          members: [
            { type: 'Role', id: 'role-pam-admins' },
            { type: 'User', id: U.dave },
          ],
        },
        { id: 'role-dyn', name: 'Dynamic Finance', roleType: 'Script', scriptMembers: [U.erin] },
        {
          id: 'role-cycle-a',
          name: 'Cycle A',
          members: [
            { type: 'Role', id: 'role-cycle-b' },
            { type: 'User', id: U.heidi },
          ],
        },
        {
          id: 'role-cycle-b',
          name: 'Cycle B',
          members: [
            { type: 'Role', id: 'role-cycle-a' },
            { type: 'User', id: U.frank },
          ],
        },
        {
          id: 'role-privcloud',
          name: 'Privilege Cloud Administrators',
          members: [{ type: 'User', id: U.svc }],
          adminRights: [{ path: 'ServiceRight/passwordvaultShowTile', description: 'Privilege Cloud' }],
        },
        { id: 'role-hidden', name: 'Hidden Role', isHidden: true },
      ],
      applications: [
        {
          id: 'app-portal',
          name: 'AdminPortal',
          displayName: 'Admin Portal',
          acl: [
            { principalType: 'Role', principalId: 'sysadmin', grant: 132 },
            { principalType: 'Role', principalId: 'everybody', grant: 4 },
          ],
        },
        {
          id: 'app-pcloud',
          name: 'PrivilegeCloud',
          displayName: 'Privilege Cloud',
          category: 'Security',
          acl: [
            { principalType: 'Role', principalId: 'role-pam-admins', grant: 128 },
            { principalType: 'User', principalId: U.erin, grant: 2_147_483_776 },
          ],
        },
        {
          id: 'app-wiki',
          name: 'Wiki',
          displayName: 'Company Wiki',
          acl: [{ principalType: 'Role', principalId: 'everybody', grant: 2_147_483_648 }],
        },
        {
          id: 'arkgraph_app',
          name: 'arkgraph',
          displayName: 'arkgraph OAuth2 server',
          appType: 'OAuth2Server',
          acl: [{ principalType: 'User', principalId: U.svc, grant: 128 }],
        },
      ],
      oauthClients: [
        { ...OAUTH, appIds: ['arkgraph_app', '__idaptive_cybr_user_oidc'] },
        { ...AUDIT_CLIENT, appIds: ['audit_app'] },
      ],
    },
    privilegeCloud: {
      subdomain: 'acme',
      safes,
      accounts,
      vaultUsers: [
        { id: 1, username: 'Master', userType: 'Built-InAdmins', isPredefined: true },
        { id: 2, username: 'Batch', userType: 'Built-InAdmins', isPredefined: true },
        { id: 93, username: 'PasswordManager', userType: 'CPM', componentUser: true },
        {
          id: 71,
          username: 'alice@corp.example',
          uuid: U.alice,
          firstName: 'Alice',
          lastName: 'Adams',
          vaultAuthorization: ['AddSafes', 'AuditUsers'],
        },
      ],
      vaultGroups: [
        { id: 8, groupName: 'Auditors', members: [{ id: 1, username: 'Master' }] },
        {
          id: 12,
          groupName: 'PAM-Admins',
          groupType: 'Directory',
          directory: 'corp.example',
          dn: 'CN=PAM-Admins,OU=Groups,DC=corp,DC=example',
          members: [{ id: 71, username: 'alice@corp.example' }],
        },
      ],
      pasLogins: [
        { ...PAS_LOGIN, method: 'CyberArk' },
        { username: 'ldap.reader', password: 'ldap-pass', method: 'LDAP' },
      ],
    },
  };
}

export function buildFixtureTenant(): Tenant {
  return parseTenant(fixtureInput());
}
