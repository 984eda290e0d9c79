/**
 * Vault users and groups: the predefined and component users, the predefined groups every safe gets as members,
 * the tenant admin as an Identity-backed vault user, and vault-only users and groups.
 */
import { SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../graph/permissions.js';
import type { VaultGroup, VaultUser } from '../format/index.js';
import type { Ctx } from './context.js';
import { DEPARTMENTS, FIRST_NAMES, GROUP_SUFFIXES, LAST_NAMES } from './names.js';
import { asciiFold } from './naming.js';
import { AUDITOR_PERMS, P } from './permissions.js';
import { Rng } from './rng.js';

export const RESERVED_VAULT_NAMES = [
  'Master',
  'Administrator',
  'Batch',
  'Backup',
  'DR',
  'Auditor',
  'Operator',
  'NotificationEngine',
  'PasswordManager',
  'CPM_EMEA',
  'PVWAGWUser',
  'PVWAAppUser',
  'PSMApp_Connector01',
  'PSMGw_Connector01',
  'Prov_Connector01',
  'TelemetryUser',
  'arkgraph_reader',
  'Auditors',
  'Backup Users',
  'DR Users',
  'Notification Engines',
  'Operators',
  'PVWAMonitor',
  'PVWAUsers',
  'PVWAAppUsers',
  'PSMAppUsers',
];

export interface BuiltinVault {
  /** Predefined members every safe gets: [memberName, memberType, vault id, permissions]. */
  readonly predefined: readonly (readonly [string, 'User' | 'Group', number, readonly SafePermissionKey[]])[];
  readonly cpms: readonly (readonly [string, number])[];
  readonly pvwaAppUsers: number;
  readonly psmAppUsers: number;
  readonly vaultOnly: VaultUser[];
  readonly vaultGroups: VaultGroup[];
  readonly pasLogin: string;
}

export function vaultUser(id: number, username: string, extra: Partial<VaultUser> = {}): VaultUser {
  // Explicit order (the schema's), so that parseTenant() output serialises identically.
  const u = { id, username, source: 'CyberArk', userType: 'EPVUser', componentUser: false } as VaultUser;
  if (extra.source !== undefined) u.source = extra.source;
  if (extra.userType !== undefined) u.userType = extra.userType;
  if (extra.componentUser !== undefined) u.componentUser = extra.componentUser;
  if (extra.uuid !== undefined) u.uuid = extra.uuid;
  u.vaultAuthorization = extra.vaultAuthorization ?? [];
  u.firstName = extra.firstName ?? '';
  u.lastName = extra.lastName ?? '';
  u.isPredefined = extra.isPredefined ?? false;
  return u;
}

export function vaultGroup(id: number, groupName: string, extra: Partial<VaultGroup> = {}): VaultGroup {
  const g = {
    id,
    groupName,
    groupType: extra.groupType ?? 'Vault',
    description: extra.description ?? '',
  } as VaultGroup;
  if (extra.directory !== undefined) g.directory = extra.directory;
  if (extra.dn !== undefined) g.dn = extra.dn;
  g.isPredefined = extra.isPredefined ?? false;
  g.members = extra.members ?? [];
  return g;
}

export function generateBuiltinVault(ctx: Ctx): BuiltinVault {
  const rng = Rng.stream(ctx.seed, 'vault');
  const { vaultUsers: vu, vaultGroups: vg, principals } = ctx;
  const ALL_AUTH = [
    'AddUpdateUsers',
    'AddSafes',
    'AddNetworkAreas',
    'ManageDirectoryMapping',
    'ManageServerFileCategories',
    'AuditUsers',
    'BackupAllSafes',
    'RestoreAllSafes',
    'ResetUsersPasswords',
    'ActivateUsers',
  ];
  const pre = (id: number, name: string, extra: Partial<VaultUser> = {}) => {
    principals.claim(name);
    vu.push(vaultUser(id, name, { isPredefined: true, ...extra }));
  };
  pre(1, 'Master', { userType: 'Built-InAdmins', vaultAuthorization: ALL_AUTH });
  pre(2, 'Administrator', { userType: 'Built-InAdmins', vaultAuthorization: ALL_AUTH });
  pre(3, 'Batch', { userType: 'Built-InAdmins', vaultAuthorization: ['BackupAllSafes', 'AuditUsers'] });
  pre(4, 'Backup', { vaultAuthorization: ['BackupAllSafes'] });
  pre(5, 'DR', { vaultAuthorization: ['BackupAllSafes'] });
  pre(6, 'Auditor', { vaultAuthorization: ['AuditUsers'] });
  pre(7, 'Operator', { vaultAuthorization: ['BackupAllSafes', 'RestoreAllSafes'] });
  pre(8, 'NotificationEngine', { userType: 'ENE', componentUser: true });
  const comp = (id: number, name: string, userType: string) => {
    principals.claim(name);
    vu.push(vaultUser(id, name, { userType, componentUser: true, isPredefined: false }));
  };
  comp(20, 'PasswordManager', 'CPM');
  comp(21, 'CPM_EMEA', 'CPM');
  comp(22, 'PVWAGWUser', 'PVWA');
  comp(23, 'PVWAAppUser', 'PVWA');
  comp(24, 'PSMApp_Connector01', 'PSM');
  comp(25, 'PSMGw_Connector01', 'PSM');
  comp(26, 'Prov_Connector01', 'AppProvider');
  comp(27, 'TelemetryUser', 'Telemetry');
  principals.claim('arkgraph_reader');
  vu.push(
    vaultUser(30, 'arkgraph_reader', {
      vaultAuthorization: ['AuditUsers'],
      firstName: 'arkgraph',
      lastName: 'reader',
    }),
  );
  // The Identity tenant admin is also a vault user (Identity-backed, UUID = the Identity user id).
  vu.push(
    vaultUser(31, ctx.users[0]!.username, {
      uuid: ctx.users[0]!.id,
      vaultAuthorization: ['AddSafes', 'AuditUsers', 'ManageDirectoryMapping'],
      firstName: 'Tenant',
      lastName: 'Admin',
    }),
  );

  const grp = (id: number, name: string, members: [number, string][], description: string) => {
    principals.claim(name);
    vg.push(
      vaultGroup(id, name, {
        description,
        isPredefined: true,
        members: members.map(([mid, username]) => ({ id: mid, username })),
      }),
    );
  };
  grp(10, 'Auditors', [[6, 'Auditor']], 'Predefined group: auditors');
  grp(11, 'Backup Users', [[4, 'Backup']], 'Predefined group: backup users');
  grp(12, 'DR Users', [[5, 'DR']], 'Predefined group: disaster recovery users');
  grp(13, 'Notification Engines', [[8, 'NotificationEngine']], 'Predefined group: notification engines');
  grp(14, 'Operators', [[7, 'Operator']], 'Predefined group: operators');
  grp(15, 'PVWAMonitor', [], 'Predefined group');
  grp(16, 'PVWAUsers', [], 'Predefined group');
  grp(
    17,
    'PVWAAppUsers',
    [
      [22, 'PVWAGWUser'],
      [23, 'PVWAAppUser'],
    ],
    'Predefined group: PVWA application users',
  );
  grp(
    18,
    'PSMAppUsers',
    [
      [24, 'PSMApp_Connector01'],
      [25, 'PSMGw_Connector01'],
    ],
    'Predefined group: PSM application users',
  );

  // Vault-only users (no Identity counterpart).
  const vaultOnly: VaultUser[] = [];
  const nOnly = Math.max(3, Math.round(ctx.spec.users / 100));
  const fixedOnly = ['svc_backup_vault', 'ext-vendor-acme', 'breakglass_adm'];
  for (let i = 0; i < nOnly; i++) {
    let name: string;
    let first = '';
    let last = '';
    if (i < fixedOnly.length) name = fixedOnly[i]!;
    else {
      first = rng.pick(FIRST_NAMES);
      last = rng.pick(LAST_NAMES);
      const f = asciiFold(first)
        .toLowerCase()
        .replace(/[^a-z]/g, '');
      const l = asciiFold(last)
        .toLowerCase()
        .replace(/[^a-z]/g, '');
      name = `${f[0] ?? 'x'}${l}${rng.pick(['_adm', '_local', '_ext', '_bg'])}`;
    }
    const username = principals.unique(name, (b, n) => `${b}${n}`);
    const u = vaultUser(ctx.nextVaultId++, username, { firstName: first, lastName: last });
    vu.push(u);
    vaultOnly.push(u);
  }
  // Non-predefined Vault groups whose members are vault-only users.
  const groups: VaultGroup[] = [];
  const nGroups = Math.max(3, Math.round(ctx.spec.safes / 50));
  const fixedGroups = ['Safe Admins (Vault)', "Local DBA's", 'Ops & Support'];
  for (let i = 0; i < nGroups; i++) {
    const base =
      i < fixedGroups.length ? fixedGroups[i]! : `${rng.pick(DEPARTMENTS)} Vault ${rng.pick(GROUP_SUFFIXES)}`;
    const name = principals.unique(base, (b, n) => `${b} ${n}`);
    const members = new Map<number, string>();
    const m = rng.range(1, Math.min(5, vaultOnly.length));
    for (let k = 0; k < m; k++) {
      const u = rng.pick(vaultOnly);
      members.set(u.id, u.username);
    }
    const g = vaultGroup(ctx.nextVaultId++, name, {
      description: `${name} (vault group)`,
      members: [...members].map(([id, username]) => ({ id, username })),
    });
    vg.push(g);
    groups.push(g);
  }

  return {
    predefined: [
      ['Master', 'User', 1, SAFE_PERMISSION_KEYS],
      ['Batch', 'User', 3, P('listAccounts', 'backupSafe', 'viewAuditLog', 'viewSafeMembers')],
      ['Backup Users', 'Group', 11, P('backupSafe')],
      ['DR Users', 'Group', 12, P('listAccounts', 'backupSafe')],
      ['Notification Engines', 'Group', 13, P('listAccounts', 'viewAuditLog', 'viewSafeMembers')],
      ['Auditors', 'Group', 10, AUDITOR_PERMS],
      ['Operators', 'Group', 14, P('manageSafe', 'backupSafe', 'viewSafeMembers')],
    ],
    cpms: [
      ['PasswordManager', 20],
      ['CPM_EMEA', 21],
    ],
    pvwaAppUsers: 17,
    psmAppUsers: 18,
    vaultOnly,
    vaultGroups: groups,
    pasLogin: 'arkgraph_reader',
  };
}
