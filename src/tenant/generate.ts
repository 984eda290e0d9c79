/**
 * Deterministic tenant generator: `generateTenant(scale, seed)` builds a whole synthetic CyberArk estate (Identity +
 * Privilege Cloud) in the tenant file format (./format.ts). The same (scale, seed) always gives the same tenant, byte
 * for byte once serialised; nothing reads the clock or Math.random — every date is the fixed GENERATOR_EPOCH minus a
 * seeded offset.
 *
 * Every tenant, even the smallest, contains the awkward things real tenants contain: three directory services (CDS,
 * AdProxy, FDS), DNs with RFC 4514 escapes, built-in roles (sysadmin, Everybody, a Script role, the Privilege Cloud
 * roles), role nesting exactly 6 deep and exactly one role cycle, Identity roles as safe members of memberType
 * "Group", predefined vault members on every safe, expired and future-dated memberships, names that need URL
 * encoding, application ACLs with the Execute and Automatic bits, failed CPM accounts. docs/tenant-format.md
 * describes the scales.
 */
import { canonicalPermissions, SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../graph/permissions.js';
import {
  type Account,
  type Application,
  type DirectoryService,
  type IdentityGroup,
  type IdentityRole,
  type IdentityUser,
  type Safe,
  type SafeMember,
  TENANT_FORMAT_VERSION,
  type Tenant,
  type VaultGroup,
  type VaultUser,
} from './format.js';
import { addDirectories } from './generate/directories.js';
import {
  AD_USER_OUS,
  APP_CATEGORIES,
  APP_NAMES,
  asciiFold,
  CountingNames,
  DEPARTMENTS,
  dnOf,
  FIRST_NAMES,
  GROUP_PREFIXES,
  GROUP_SUFFIXES,
  LAST_NAMES,
  LOCATIONS,
  loginPart,
  NameRegistry,
  ROLE_FUNCTIONS,
  SAFE_ENVS,
  SAFE_PLATFORMS,
  SAFE_TEAMS,
  SPECIAL_AD_GROUPS,
  SPECIAL_FDS_GROUPS,
  SPECIAL_ROLES,
  SPECIAL_SAFES,
  SYSTEM_SAFES,
} from './generate/names.js';
import { flat, Rng, Weighted } from './generate/rng.js';

export type Scale = 'small' | 'medium' | 'large';

/** How many objects of each kind a generated tenant holds. Every count is met exactly. */
export interface ScaleSpec {
  /** Identity users across the CDS, AdProxy and FDS directories. */
  readonly users: number;
  /** Directory groups (AdProxy and FDS; the CDS has none). */
  readonly groups: number;
  /** Identity roles, built-ins included. */
  readonly roles: number;
  /** Safes, the vault system safes included. */
  readonly safes: number;
  /**
   * Safe memberships that are not predefined (Identity users, roles, directory groups, vault users and groups).
   * Every safe additionally gets its predefined members (Master, Batch, Backup Users, DR Users, Notification Engines,
   * Auditors, Operators, the managing CPM …), which are not counted here.
   */
  readonly memberships: number;
  readonly accounts: number;
  readonly applications: number;
}

export const SCALES: Readonly<Record<Scale, ScaleSpec>> = {
  small: { users: 50, groups: 10, roles: 15, safes: 30, memberships: 150, accounts: 200, applications: 10 },
  medium: {
    users: 5000,
    groups: 1000,
    roles: 200,
    safes: 1000,
    memberships: 20000,
    accounts: 50000,
    applications: 100,
  },
  large: {
    users: 100000,
    groups: 20000,
    roles: 2000,
    safes: 10000,
    memberships: 200000,
    accounts: 500000,
    applications: 500,
  },
};

/** The smallest spec that still holds every feature listed above. */
export const MIN_SCALE: ScaleSpec = {
  users: 20,
  groups: 4,
  roles: 12,
  safes: SYSTEM_SAFES.length + 4,
  memberships: 16,
  accounts: 4,
  applications: 4,
};

/** All generated dates are this instant minus a seeded offset (2026-06-01T00:00:00Z). */
export const GENERATOR_EPOCH = Date.UTC(2026, 5, 1);
const EPOCH_S = GENERATOR_EPOCH / 1000;
const DAY = 86400;

/** The deepest Role → Role nesting (number of hops) in every generated tenant. */
export const MAX_ROLE_DEPTH = 6;

export const AD_FOREST = 'corp.example';
/** Predefined members per safe: at most this many, so a safe takes at most 64 - this non-predefined members. */
const MAX_PREDEFINED_PER_SAFE = 10;
const MAX_SAFE_MEMBERS = 64;

// ---------------------------------------------------------------------------------------------------------------
// Permission sets (ARKPY SAFE_MEMBER_PERMISSIONS_SETS, shared/reference/cyberark-api.md §7.2)

const P = (...keys: SafePermissionKey[]): readonly SafePermissionKey[] => canonicalPermissions(keys);
export const PERMISSION_PRESETS = {
  connect_only: P('listAccounts', 'useAccounts'),
  read_only: P('listAccounts', 'useAccounts', 'retrieveAccounts'),
  approver: P('listAccounts', 'viewSafeMembers', 'manageSafeMembers', 'requestsAuthorizationLevel1'),
  full: SAFE_PERMISSION_KEYS.filter((k) => k !== 'requestsAuthorizationLevel2'),
} as const;
const AUDITOR_PERMS = P('listAccounts', 'viewAuditLog', 'viewSafeMembers');
const SAFE_MANAGER_PERMS = P(
  'listAccounts',
  'addAccounts',
  'updateAccountProperties',
  'manageSafe',
  'manageSafeMembers',
  'viewAuditLog',
  'viewSafeMembers',
);
const CPM_PERMS = P(
  'useAccounts',
  'retrieveAccounts',
  'listAccounts',
  'addAccounts',
  'updateAccountContent',
  'updateAccountProperties',
  'initiateCPMAccountManagementOperations',
  'deleteAccounts',
  'unlockAccounts',
  'viewAuditLog',
  'viewSafeMembers',
  'createFolders',
  'deleteFolders',
  'moveAccountsAndFolders',
);

const PRESET_CHOICE = new Weighted<readonly SafePermissionKey[] | null>([
  [PERMISSION_PRESETS.connect_only, 25],
  [PERMISSION_PRESETS.read_only, 30],
  [PERMISSION_PRESETS.approver, 10],
  [PERMISSION_PRESETS.full, 10],
  [null, 25], // a random combination
]);

function randomPermissions(rng: Rng): SafePermissionKey[] {
  const preset = PRESET_CHOICE.sample(rng);
  if (preset) return preset.slice();
  const keys = SAFE_PERMISSION_KEYS.filter(() => rng.chance(0.3));
  return keys.length > 0 ? keys : ['listAccounts'];
}

// ---------------------------------------------------------------------------------------------------------------
// Admin rights (§3.4)

const LIB_RIGHTS: readonly (readonly [string, string])[] = [
  ['adminportallogin', 'Admin Portal Login'],
  ['appman', 'Application Management'],
  ['fedman', 'Federation Management'],
  ['identityverification', 'Identity Verification'],
  ['mfaunlock', 'MFA Unlock'],
  ['radiusman', 'Radius Management'],
  ['roleman', 'Role Management'],
  ['roroleman', 'Read Only Role Management'],
  ['rouserman', 'Read Only User Management'],
  ['proxycode', 'Register and Administer Connectors'],
  ['reportman', 'Report Management'],
  ['sharedcredentials', 'Shared Credentials'],
  ['dsman', 'User Management'],
  ['monitor', 'Read Only System Administration'],
  ['agentmanjoin', 'Computer Login and Privilege Elevation'],
  ['vaultman', 'Vault Management'],
];
const TILE_RIGHTS: readonly (readonly [string, string, string])[] = [
  ['auditShowTile', 'Audit', 'audit'],
  ['dpaShowTile', 'Dynamic Privileged Access', 'dpa'],
  ['cloudonboardingShowTile', 'Cloud Onboarding', 'cloudonboarding'],
  ['connectormanagementShowTile', 'Connector Management', 'connectormanagement'],
  ['passwordvaultShowTile', 'Privilege Cloud', 'passwordvault'],
  ['smShowTile', 'Session Monitoring', 'sm'],
  ['accesstoresourcesShowTile', 'Access to Resources', 'accesstoresources'],
];
type AdminRight = IdentityRole['adminRights'][number];
const libRight = (name: string): AdminRight => {
  const found = LIB_RIGHTS.find((r) => r[0] === name)!;
  return { path: `/lib/rights/${found[0]}.json`, description: found[1] };
};
const tileRight = (name: string): AdminRight => {
  const found = TILE_RIGHTS.find((r) => r[0] === name)!;
  return { path: `ServiceRight/${found[0]}`, description: found[1], serviceName: found[2] };
};
const ALL_RIGHTS: readonly AdminRight[] = [
  ...LIB_RIGHTS.map((r) => libRight(r[0])),
  ...TILE_RIGHTS.map((r) => tileRight(r[0])),
];

// ---------------------------------------------------------------------------------------------------------------
// Application grant values (§5)

const GRANT = { Owner: 1, Read: 4, Write: 8, List: 16, Delete: 64, Execute: 128, Automatic: 2147483648 } as const;
const GRANT_CHOICE = new Weighted<number>([
  [GRANT.Execute, 45],
  [GRANT.Automatic + GRANT.Execute, 20],
  [GRANT.Automatic, 5],
  [GRANT.Read + GRANT.Execute, 10],
  [GRANT.Read, 5],
  [GRANT.Read + GRANT.Write + GRANT.List, 5],
  [GRANT.Owner + GRANT.Read + GRANT.Write + GRANT.List + GRANT.Delete + GRANT.Execute, 5],
  [GRANT.Owner, 5],
]);

// ---------------------------------------------------------------------------------------------------------------

type DirKind = 'CDS' | 'AD' | 'FDS';

interface Ctx {
  readonly seed: number;
  readonly spec: ScaleSpec;
  readonly company: string;
  readonly cdsSuffix: string;
  readonly mailDomain: string;
  readonly fdsDomain: string;
  readonly dirs: Record<DirKind, DirectoryService>;
  /**
   * Case-insensitive names of the group, role and vault principals (safe member names are unique per safe). User
   * logins (`…@domain`, no digits before the @) cannot collide with these and use a cheaper registry.
   */
  readonly principals: NameRegistry;
  readonly users: IdentityUser[];
  readonly userKind: DirKind[];
  readonly userFirst: string[];
  readonly userLast: string[];
  readonly groups: IdentityGroup[];
  readonly groupKind: DirKind[];
  readonly roles: IdentityRole[];
  /** The synthetic safe-member id of each role (e.g. Privilege_Cloud_Admins_ID). */
  readonly roleSafeId: string[];
  /** Indexes of users who administer the tenant (safe creators, PC admins). */
  readonly adminUsers: number[];
  readonly vaultUsers: VaultUser[];
  readonly vaultGroups: VaultGroup[];
  nextVaultId: number;
}

const isoBefore = (seconds: number): string => new Date(GENERATOR_EPOCH - seconds * 1000).toISOString();

function checkSpec(spec: ScaleSpec): void {
  for (const key of Object.keys(MIN_SCALE) as (keyof ScaleSpec)[]) {
    const v = spec[key];
    if (!Number.isSafeInteger(v) || v < MIN_SCALE[key]) {
      throw new RangeError(`scale.${key} must be an integer >= ${MIN_SCALE[key]}, got ${v}`);
    }
  }
  const normalSafes = spec.safes - SYSTEM_SAFES.length;
  const capacity = normalSafes * Math.min(MAX_SAFE_MEMBERS - MAX_PREDEFINED_PER_SAFE, spec.users);
  if (spec.memberships > capacity) {
    throw new RangeError(`scale.memberships ${spec.memberships} exceeds the capacity of ${normalSafes} safes`);
  }
}

/**
 * Generates a tenant. `scale` is a named scale or an explicit spec; `seed` any safe integer. The result passes
 * parseTenant() unchanged (every default is already filled in).
 */
export function generateTenant(scale: Scale | ScaleSpec, seed: number): Tenant {
  const spec = typeof scale === 'string' ? SCALES[scale] : scale;
  if (!spec) throw new RangeError(`unknown scale "${String(scale)}"; use small, medium or large`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  checkSpec(spec);

  const rng = Rng.stream(seed, 'tenant');
  const company = rng.pick(['acme', 'globex', 'initech', 'umbrella', 'hooli', 'contoso', 'fabrikam', 'northwind']);
  const tenantId =
    String.fromCharCode(65 + rng.int(26), 65 + rng.int(26), 65 + rng.int(26)) + String(rng.range(1000, 9999));
  const subdomain = `${company}${rng.range(1, 999)}`;
  const cdsSuffix = `cyberark.cloud.${rng.range(1000, 99999)}`;
  const entraTenant = rng.guid();
  const dirs: Record<DirKind, DirectoryService> = {
    CDS: {
      uuid: rng.guid().toUpperCase(),
      service: 'CDS',
      name: 'CDS',
      displayName: 'CyberArk Cloud Directory',
      status: 'Active',
      config: 'CyberArk Cloud Directory',
    },
    AD: {
      uuid: rng.guid(),
      service: 'AdProxy',
      name: `AdProxy_${AD_FOREST}`,
      displayName: `Active Directory: ${AD_FOREST}`,
      status: 'Active',
      forest: AD_FOREST,
      config: AD_FOREST,
    },
    FDS: {
      uuid: rng.guid().toUpperCase(),
      service: 'FDS',
      name: 'FDS',
      displayName: 'Federated Directory Service',
      status: 'Active',
      config: `Entra ID (login.microsoftonline.com/${entraTenant})`,
    },
  };
  const ctx: Ctx = {
    seed,
    spec,
    company,
    cdsSuffix,
    mailDomain: `${company}.example`,
    fdsDomain: `${company}.example`,
    dirs,
    principals: new NameRegistry(),
    users: [],
    userKind: [],
    userFirst: [],
    userLast: [],
    groups: [],
    groupKind: [],
    roles: [],
    roleSafeId: [],
    adminUsers: [],
    vaultUsers: [],
    vaultGroups: [],
    nextVaultId: 100,
  };

  // Vault names are claimed first so that no Identity principal can take them (safe member names are unique).
  for (const name of RESERVED_VAULT_NAMES) ctx.principals.claim(name);
  generateUsers(ctx);
  generateGroups(ctx);
  generateRoles(ctx);
  const applications = generateApplications(ctx);
  const builtinVault = generateBuiltinVault(ctx);
  const safes = generateSafes(ctx, builtinVault);
  const accounts = generateAccounts(ctx, safes);

  const secretRng = Rng.stream(seed, 'secrets');
  const reader = ctx.users[1]!;
  const oauthApp = applications[1]!;
  const tenant: Tenant = {
    formatVersion: TENANT_FORMAT_VERSION,
    name: `${company}-${typeof scale === 'string' ? scale : 'custom'}-seed${seed}`,
    identity: {
      tenantId,
      directoryServices: [dirs.CDS, dirs.AD, dirs.FDS],
      users: ctx.users,
      groups: ctx.groups,
      roles: ctx.roles,
      applications,
      oauthClients: [
        {
          clientId: reader.username,
          clientSecret: `agr_${secretRng.hex(24)}`,
          appIds: [oauthApp.serviceName!],
        },
      ],
    },
    privilegeCloud: {
      subdomain,
      safes,
      accounts,
      vaultUsers: ctx.vaultUsers,
      vaultGroups: ctx.vaultGroups,
      pasLogins: [{ username: builtinVault.pasLogin, password: `Pas-${secretRng.hex(12)}!`, method: 'CyberArk' }],
    },
  };
  return addDirectories(tenant, seed);
}

// ---------------------------------------------------------------------------------------------------------------
// Users

const RISK = new Weighted<IdentityUser['riskLevel']>([
  ['Normal', 80],
  ['Low', 8],
  ['Medium', 6],
  ['High', 3],
  ['Unknown', 2],
  ['SystemUnavailable', 1],
]);
const DIR_CHOICE = new Weighted<DirKind>([
  ['CDS', 15],
  ['AD', 60],
  ['FDS', 25],
]);

/** AD users with RFC 4514 specials in their CN: [CN, login local part, OU path]. */
const SPECIAL_AD_USERS: readonly (readonly [string, string, readonly string[], string, string])[] = [
  ['#Backup Robot', 'backup.robot', ['Service Accounts'], 'Backup', 'Robot'],
  ['Scan + Deploy', 'scan.deploy', ['Service Accounts'], 'Scan', 'Deploy'],
  ['Smith, John "JJ"', 'john.smith', ['Users'], 'John', 'Smith'],
  ['<Tier0> Admin', 'tier0.admin', ['Admins', 'Tier 0'], 'Tier0', 'Admin'],
  ['Ops; Night Shift', 'ops.nightshift', ['IT', 'Users'], 'Ops', 'Night Shift'],
  ['Back\\slash, User', 'backslash.user', ['Users'], 'User', 'Backslash'],
  ["O'Brien, Siobhán", "siobhan.o'brien", ['Sales, EMEA', 'Users'], 'Siobhán', "O'Brien"],
  ['Ødegaard, Åsa', 'asa.odegaard', ['R+D', 'Users'], 'Åsa', 'Ødegaard'],
];

function blankUser(ctx: Ctx, kind: DirKind, id: string, username: string, displayName: string): IdentityUser {
  return {
    id,
    username,
    displayName,
    email: null,
    directoryServiceUuid: ctx.dirs[kind].uuid,
    status: 'Active',
    enabled: true,
    locked: false,
    lastLogin: null,
    riskLevel: 'Normal',
    serviceUser: false,
    oauthClient: false,
    mobileNumber: null,
    securityQuestionCount: 0,
  };
}

function pushUser(ctx: Ctx, kind: DirKind, user: IdentityUser, first: string, last: string): number {
  ctx.users.push(user);
  ctx.userKind.push(kind);
  ctx.userFirst.push(first);
  ctx.userLast.push(last);
  return ctx.users.length - 1;
}

function mobile(rng: Rng): string {
  switch (rng.int(3)) {
    case 0:
      return `+1 555 01${String(rng.int(100)).padStart(2, '0')}`;
    case 1:
      return `+44 7700 900${String(rng.int(1000)).padStart(3, '0')}`;
    default:
      return `+49 151 ${String(rng.int(100000000)).padStart(8, '0')}`;
  }
}

function generateUsers(ctx: Ctx): void {
  const rng = Rng.stream(ctx.seed, 'users');
  // Logins are lower-case `first.last@domain` (no digits before the @), AD CNs `Last, First`: neither can collide
  // with a group, role or vault name, so they get the cheap counting registries (this loop runs 100,000 times).
  const logins = new CountingNames();
  const adCn = new CountingNames();
  const atNumber = (base: string, n: number) => flat(base.replace('@', `${n}@`));

  // Fixed CDS users: the tenant admin, the OAuth client arkgraph reads with, a sync service user, an invited user.
  const admin = blankUser(ctx, 'CDS', rng.guid(), `admin@${ctx.cdsSuffix}`, 'Tenant Admin');
  logins.next(admin.username, atNumber);
  Object.assign(admin, {
    email: `admin@${ctx.mailDomain}`,
    lastLogin: isoBefore(3600 + rng.int(DAY)),
    mobileNumber: mobile(rng),
    securityQuestionCount: 3,
  });
  ctx.adminUsers.push(pushUser(ctx, 'CDS', admin, 'Tenant', 'Admin'));

  const reader = blankUser(ctx, 'CDS', rng.guid(), `arkgraph-reader@${ctx.cdsSuffix}`, 'arkgraph reader');
  logins.next(reader.username, atNumber);
  Object.assign(reader, {
    lastLogin: isoBefore(600 + rng.int(DAY)),
    serviceUser: true,
    oauthClient: true,
    description: 'OAuth confidential client used by arkgraph (read only)',
  });
  pushUser(ctx, 'CDS', reader, 'arkgraph', 'reader');

  const sync = blankUser(ctx, 'CDS', rng.guid(), `svc-pcloud-sync@${ctx.cdsSuffix}`, 'svc Privilege Cloud sync');
  logins.next(sync.username, atNumber);
  Object.assign(sync, {
    lastLogin: isoBefore(rng.int(7 * DAY)),
    serviceUser: true,
    description: 'Service user for the Privilege Cloud connector',
  });
  pushUser(ctx, 'CDS', sync, 'svc', 'sync');

  const invited = blankUser(ctx, 'CDS', rng.guid(), `jane+test@${ctx.cdsSuffix}`, 'Jane Test (QA)');
  logins.next(invited.username, atNumber);
  Object.assign(invited, { email: `jane+test@${ctx.mailDomain}`, status: 'Invited' });
  pushUser(ctx, 'CDS', invited, 'Jane', 'Test');

  // Fixed AD users whose CNs need escaping.
  for (const [cn, local, ous, first, last] of SPECIAL_AD_USERS) {
    adCn.next(cn, (b) => b);
    const username = logins.next(`${local}@${AD_FOREST}`, atNumber);
    const user = blankUser(ctx, 'AD', rng.guid(), username, cn);
    user.email = username;
    user.lastLogin = isoBefore(rng.int(60 * DAY));
    user.distinguishedName = dnOf(cn, ous, AD_FOREST);
    if (ous[0] === 'Service Accounts') user.description = 'Service account';
    pushUser(ctx, 'AD', user, first, last);
  }
  // One FDS user with an apostrophe and an accent in the login.
  {
    const username = logins.next(`zoe.d'angelo@${ctx.fdsDomain}`, atNumber);
    const user = blankUser(ctx, 'FDS', rng.guid(), username, "Zoë D'Angelo (Contractor)");
    user.email = username;
    user.externalUuid = rng.guid();
    user.lastLogin = isoBefore(rng.int(30 * DAY));
    pushUser(ctx, 'FDS', user, 'Zoë', "D'Angelo");
  }

  const fixed = ctx.users.length;
  while (ctx.users.length < ctx.spec.users) {
    const kind = DIR_CHOICE.sample(rng);
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const id = rng.guid();
    let user: IdentityUser;
    if (kind === 'CDS' && rng.chance(0.12)) {
      // CDS service users (some of them OAuth confidential clients).
      const dept = asciiFold(rng.pick(DEPARTMENTS))
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '');
      const username = logins.next(`svc-${dept}@${ctx.cdsSuffix}`, atNumber);
      user = blankUser(ctx, kind, id, username, `svc ${dept}`);
      user.serviceUser = true;
      user.oauthClient = rng.chance(0.3);
      user.description = `Service user (${dept})`;
    } else {
      const local = loginPart(first, last);
      const domain = kind === 'CDS' ? ctx.cdsSuffix : kind === 'AD' ? AD_FOREST : ctx.fdsDomain;
      const username = logins.next(flat(`${local}@${domain}`), atNumber);
      if (kind === 'AD') {
        const cn = adCn.next(flat(`${last}, ${first}`), (b, n) => flat(`${b} (${n})`));
        user = blankUser(ctx, kind, id, username, cn);
        user.email = username;
        const ou = rng.pick(AD_USER_OUS);
        user.distinguishedName = dnOf(cn, ou === 'Users' ? ['Users'] : [ou, 'Users'], AD_FOREST);
      } else {
        user = blankUser(ctx, kind, id, username, flat(`${first} ${last}`));
        user.email = kind === 'FDS' ? username : flat(`${username.slice(0, username.indexOf('@'))}@${ctx.mailDomain}`);
        if (kind === 'FDS') user.externalUuid = rng.guid();
        if (kind === 'CDS') user.securityQuestionCount = rng.pick([0, 0, 1, 2, 3]);
      }
      if (rng.chance(0.4)) user.mobileNumber = mobile(rng);
    }
    const r = rng.float();
    if (kind === 'CDS' && r < 0.03) user.status = 'Invited';
    else if (kind === 'CDS' && r < 0.05) user.status = 'Created';
    else if (r < 0.09) {
      user.status = 'Suspended';
      user.enabled = false;
    }
    if (user.enabled && rng.chance(0.015)) user.locked = true;
    if ((user.status === 'Active' || user.status === 'Suspended') && !rng.chance(0.08)) {
      user.lastLogin = isoBefore(rng.int(400 * DAY));
    }
    user.riskLevel = RISK.sample(rng);
    pushUser(ctx, kind, user, first, last);
  }

  // Guarantee the rare states even in a small tenant: if no user has one, the first "plain" random user (enabled,
  // active, unlocked, Normal risk, logged in) after a per-state offset gets it.
  const plain = (u: IdentityUser) =>
    u.enabled && u.status === 'Active' && !u.locked && u.riskLevel === 'Normal' && u.lastLogin !== null;
  const ensure = (has: (u: IdentityUser) => boolean, offset: number, apply: (u: IdentityUser) => void) => {
    if (ctx.users.some(has)) return;
    const span = ctx.users.length - fixed;
    for (let k = 0; k < span; k++) {
      const u = ctx.users[fixed + ((offset + k) % span)]!;
      if (plain(u)) {
        apply(u);
        return;
      }
    }
    throw new Error('generator: no user left to carry a required state');
  };
  ensure(
    (u) => !u.enabled,
    0,
    (u) => {
      u.enabled = false;
      u.status = 'Suspended';
    },
  );
  ensure(
    (u) => u.locked,
    1,
    (u) => {
      u.locked = true;
    },
  );
  ensure(
    (u) => u.status === 'Active' && u.lastLogin === null,
    2,
    (u) => {
      u.lastLogin = null;
    },
  );
  for (const [i, level] of (['High', 'Medium', 'Low', 'Unknown'] as const).entries()) {
    ensure(
      (u) => u.riskLevel === level,
      3 + i,
      (u) => {
        u.riskLevel = level;
      },
    );
  }
  // A few AD administrators: safe creators and Privilege Cloud administrators.
  const adUsers: number[] = [];
  for (let i = fixed; i < ctx.users.length && adUsers.length < 4; i++) {
    if (ctx.userKind[i] === 'AD' && ctx.users[i]!.enabled) adUsers.push(i);
  }
  ctx.adminUsers.push(...adUsers.slice(0, Math.max(1, Math.min(4, Math.floor(ctx.spec.users / 20)))));
}

// ---------------------------------------------------------------------------------------------------------------
// Groups

function generateGroups(ctx: Ctx): void {
  const rng = Rng.stream(ctx.seed, 'groups');
  const bases = new NameRegistry();
  const add = (kind: 'AD' | 'FDS', base: string) => {
    const cn = bases.unique(base);
    const id = rng.guid();
    let group: IdentityGroup;
    if (kind === 'AD') {
      const name = ctx.principals.unique(`${cn}@${AD_FOREST}`, (b, n) => b.replace('@', ` ${n}@`));
      group = {
        id,
        name,
        displayName: cn,
        directoryServiceUuid: ctx.dirs.AD.uuid,
        distinguishedName: dnOf(cn, ['Groups'], AD_FOREST),
      };
    } else {
      const name = ctx.principals.unique(cn);
      group = { id, name, displayName: name, directoryServiceUuid: ctx.dirs.FDS.uuid, externalUuid: rng.guid() };
    }
    if (rng.chance(0.3)) group.description = `${group.displayName} (managed by IAM)`;
    ctx.groups.push(group);
    ctx.groupKind.push(kind);
  };
  const special: ['AD' | 'FDS', string][] = [];
  for (let i = 0; i < Math.max(SPECIAL_AD_GROUPS.length, SPECIAL_FDS_GROUPS.length); i++) {
    if (i < SPECIAL_AD_GROUPS.length) special.push(['AD', SPECIAL_AD_GROUPS[i]!]);
    if (i < SPECIAL_FDS_GROUPS.length) special.push(['FDS', SPECIAL_FDS_GROUPS[i]!]);
  }
  for (const [kind, base] of special) {
    if (ctx.groups.length >= ctx.spec.groups) break;
    add(kind, base);
  }
  while (ctx.groups.length < ctx.spec.groups) {
    const kind = rng.chance(0.7) ? 'AD' : 'FDS';
    const dept = rng.pick(DEPARTMENTS);
    const suffix = rng.pick(GROUP_SUFFIXES);
    let base: string;
    if (kind === 'AD') {
      base = rng.chance(0.3)
        ? `${rng.pick(GROUP_PREFIXES)}-${rng.pick(LOCATIONS)}-${dept}-${suffix}`
        : `${rng.pick(GROUP_PREFIXES)}-${dept}-${suffix}`;
    } else {
      base = rng.chance(0.3) ? `SG ${rng.pick(LOCATIONS)} ${dept} ${suffix}` : `SG ${dept} ${suffix}`;
    }
    add(kind, base);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Roles

const HEIGHT = new Weighted<number>([
  [0, 55],
  [1, 22],
  [2, 10],
  [3, 6],
  [4, 4],
  [5, 2],
  [6, 1],
]);

/** Fixed role indexes. */
const R = { sysadmin: 0, everybody: 1, pcAdmins: 2, pcAuditors: 3, pcSafeManagers: 4, script: 5, cycleA: 6, cycleB: 7 };
const FIXED_ROLES = 8;

function generateRoles(ctx: Ctx): void {
  const rng = Rng.stream(ctx.seed, 'roles');
  const { roles, users, groups, principals } = ctx;
  const safeIds = new NameRegistry();
  const role = (id: string, name: string, safeId: string | null, extra: Partial<IdentityRole> = {}): IdentityRole => {
    const claimed = principals.unique(name, (b, n) => `${b} (${n})`);
    const r: IdentityRole = {
      id,
      name: claimed,
      description: null,
      roleType: 'PrincipalList',
      readOnly: false,
      isHidden: false,
      adminRights: [],
      members: [],
      ...extra,
    };
    roles.push(r);
    const sanitized = asciiFold(claimed)
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
    ctx.roleSafeId.push(safeIds.unique(safeId ?? (sanitized || 'Role'), (b, n) => `${b}_${n}`));
    return r;
  };

  role('sysadmin', 'System Administrator', null, {
    description: 'Built-in role: full administrative rights on the tenant',
    readOnly: true,
    adminRights: ALL_RIGHTS.map((r) => ({ ...r })),
  });
  role('everybody', 'Everybody', null, {
    description: 'Built-in role: every user of the tenant',
    roleType: 'Everybody',
    readOnly: true,
  });
  role(rng.guid(), 'Privilege Cloud Administrators', 'Privilege_Cloud_Admins_ID', {
    description: 'Privilege Cloud administrators',
    adminRights: [libRight('adminportallogin'), tileRight('passwordvaultShowTile'), libRight('rouserman')],
  });
  role(rng.guid(), 'Privilege Cloud Auditors', 'Privilege_Cloud_Auditors_ID', {
    description: 'Privilege Cloud auditors',
    adminRights: [tileRight('passwordvaultShowTile'), tileRight('auditShowTile')],
  });
  role(rng.guid(), 'Privilege Cloud Safe Managers', 'Privilege_Cloud_Safe_Managers_ID', {
    description: 'Privilege Cloud safe managers',
    adminRights: [tileRight('passwordvaultShowTile')],
  });
  role(rng.guid(), 'High-Risk Users (dynamic)', null, {
    description: 'Script role: users whose risk level is Medium or High',
    roleType: 'Script',
    scriptMembers: users.filter((u) => u.riskLevel === 'High' || u.riskLevel === 'Medium').map((u) => u.id),
  });
  role(rng.guid(), 'On-Call Rota', null, { description: 'Nested in Escalation Rota, which is nested in this role' });
  role(rng.guid(), 'Escalation Rota', null, { description: 'Nested in On-Call Rota, which is nested in this role' });

  const nameFor = (i: number): string => {
    if (i < SPECIAL_ROLES.length) return SPECIAL_ROLES[i]!;
    const dept = rng.pick(DEPARTMENTS);
    const fn = rng.pick(ROLE_FUNCTIONS);
    return rng.chance(0.25) ? `${rng.pick(LOCATIONS)} ${dept} ${fn}` : `${dept} ${fn}`;
  };
  let generic = 0;
  while (roles.length < ctx.spec.roles) {
    if (roles.length === 20 || roles.length === 100) {
      // Larger tenants get more Script roles.
      const fdsUsers = users.filter((_, i) => ctx.userKind[i] === 'FDS');
      role(rng.guid(), roles.length === 20 ? 'Entra Guests (dynamic)' : 'Never Logged In (dynamic)', null, {
        roleType: 'Script',
        description: 'Script role',
        scriptMembers: (roles.length === 20 ? fdsUsers : users.filter((u) => u.lastLogin === null)).map((u) => u.id),
      });
      continue;
    }
    const r = role(rng.guid(), nameFor(generic++), null);
    if (rng.chance(0.4)) r.description = `${r.name} role`;
    if (rng.chance(0.15)) {
      const n = rng.range(1, 3);
      for (let k = 0; k < n; k++) {
        const right = rng.pick(ALL_RIGHTS);
        if (!r.adminRights.some((a) => a.path === right.path)) r.adminRights.push({ ...right });
      }
    }
  }

  // Explicit user and group members.
  const avgUsers = Math.max(2, Math.min(10, Math.round(users.length / roles.length / 5)));
  roles.forEach((r, i) => {
    if (r.roleType !== 'PrincipalList') return;
    const seen = new Set<string>();
    const addMember = (type: 'User' | 'Group' | 'Role', id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      r.members.push({ type, id });
    };
    if (i === R.sysadmin) addMember('User', users[0]!.id);
    if (i === R.sysadmin || i === R.pcAdmins) {
      for (const a of ctx.adminUsers) addMember('User', users[a]!.id);
      addMember('Group', groups[0]!.id); // PAM-Admins@corp.example
    }
    const n = rng.int(2 * avgUsers + 1);
    for (let k = 0; k < n; k++) addMember('User', users[rng.int(users.length)]!.id);
    if (rng.chance(0.4) || i === R.pcSafeManagers) {
      const g = rng.range(1, 2);
      for (let k = 0; k < g; k++) addMember('Group', groups[rng.int(groups.length)]!.id);
    }
  });
  // The reader (OAuth client) holds the auditor role, as a read-only integration would.
  roles[R.pcAuditors]!.members.push({ type: 'User', id: users[1]!.id });

  // The one cycle: On-Call Rota ∋ Escalation Rota ∋ On-Call Rota.
  roles[R.cycleA]!.members.push({ type: 'Role', id: roles[R.cycleB]!.id });
  roles[R.cycleB]!.members.push({ type: 'Role', id: roles[R.cycleA]!.id });

  // Nesting: every nestable role gets a height h (longest Role chain below it); a role of height h contains one
  // role of height h-1 and maybe others of lower heights, so the deepest chain is exactly MAX_ROLE_DEPTH hops.
  const nestable: number[] = [];
  roles.forEach((r, i) => {
    if (r.roleType === 'PrincipalList' && i !== R.cycleA && i !== R.cycleB) nestable.push(i);
  });
  rng.shuffle(nestable);
  const byHeight: number[][] = Array.from({ length: MAX_ROLE_DEPTH + 1 }, () => []);
  const height = new Map<number, number>();
  nestable.forEach((ri, k) => {
    const h = k <= MAX_ROLE_DEPTH ? MAX_ROLE_DEPTH - k : HEIGHT.sample(rng);
    height.set(ri, h);
    byHeight[h]!.push(ri);
  });
  // The guaranteed chain: nestable[0] (height 6) ∋ nestable[1] (5) ∋ … ∋ nestable[6] (0).
  for (let k = 0; k < nestable.length; k++) {
    const ri = nestable[k]!;
    const h = height.get(ri)!;
    if (h === 0) continue;
    const r = roles[ri]!;
    const child = k < MAX_ROLE_DEPTH ? nestable[k + 1]! : rng.pick(byHeight[h - 1]!);
    const children = new Set<number>([child]);
    const extra = rng.int(3);
    for (let e = 0; e < extra; e++) children.add(rng.pick(byHeight[rng.int(h)]!));
    for (const c of children) r.members.push({ type: 'Role', id: roles[c]!.id });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Applications

function generateApplications(ctx: Ctx): Application[] {
  const rng = Rng.stream(ctx.seed, 'applications');
  const { roles, users, groups } = ctx;
  const names = new NameRegistry();
  const apps: Application[] = [];
  const app = (name: string, extra: Partial<Application> = {}): Application => {
    const unique = names.unique(name, (b, n) => `${b} (${n})`);
    const a: Application = {
      id: rng.guid(),
      name: unique,
      displayName: unique,
      description: null,
      category: rng.pick(APP_CATEGORIES),
      state: 'Active',
      appType: 'Web',
      webAppType: 'SAML',
      templateName: 'Generic SAML',
      onPrem: false,
      serviceName: null,
      version: null,
      acl: [],
      ...extra,
    };
    apps.push(a);
    return a;
  };
  const ace = (a: Application, principalType: 'User' | 'Group' | 'Role', principalId: string, grant: number) => {
    if (a.acl.some((e) => e.principalId === principalId)) return;
    a.acl.push({ principalType, principalId, grant });
  };

  const pc = app('CyberArk Privilege Cloud', {
    category: 'IT Services',
    webAppType: 'OpenIDConnect',
    templateName: 'PrivilegeCloud',
    serviceName: 'PrivilegeCloud',
  });
  ace(pc, 'Role', roles[R.pcAdmins]!.id, GRANT.Execute);
  ace(pc, 'Role', roles[R.pcAuditors]!.id, GRANT.Execute);
  ace(pc, 'Role', roles[R.pcSafeManagers]!.id, GRANT.Automatic + GRANT.Execute);
  ace(pc, 'Role', roles[R.sysadmin]!.id, GRANT.Owner + GRANT.Read + GRANT.Write + GRANT.List + GRANT.Delete);

  const oauth = app('arkgraph OAuth2 Server', {
    description: 'OAuth2 server app for the arkgraph extractor',
    category: 'IT Services',
    webAppType: 'OAuth2Server',
    templateName: 'OAuth2ServerClient',
    serviceName: 'arkgraph',
  });
  ace(oauth, 'User', users[1]!.id, GRANT.Execute);

  const intranet = app('Intranet — Zürich', {
    category: 'Other',
    webAppType: 'Bookmark',
    templateName: 'Bookmark',
    onPrem: true,
  });
  ace(intranet, 'Role', roles[R.everybody]!.id, GRANT.Automatic + GRANT.Execute);

  // One app with every principal type and the characteristic grant values.
  const mixed = app(APP_NAMES[0]!, { webAppType: 'UsernamePassword', templateName: 'GenericUserPassword' });
  ace(mixed, 'Role', roles[FIXED_ROLES % roles.length]!.id, GRANT.Execute);
  ace(mixed, 'Group', groups[0]!.id, GRANT.Automatic);
  ace(mixed, 'User', users[4]!.id, GRANT.Read);
  ace(mixed, 'Role', roles[R.sysadmin]!.id, GRANT.Owner);

  let n = 1;
  while (apps.length < ctx.spec.applications) {
    const base = n < APP_NAMES.length ? APP_NAMES[n]! : `${rng.pick(APP_NAMES)} (${rng.pick(SAFE_ENVS)})`;
    n++;
    const kind = rng.int(4);
    const a = app(base, {
      webAppType: ['SAML', 'UsernamePassword', 'OpenIDConnect', 'Bookmark'][kind]!,
      templateName: ['Generic SAML', 'GenericUserPassword', 'Generic OpenID Connect', 'Bookmark'][kind]!,
      state: rng.chance(0.05) ? 'Inactive' : 'Active',
      onPrem: rng.chance(0.1),
      version: rng.chance(0.2) ? `${rng.range(1, 9)}.${rng.int(10)}` : null,
    });
    const entries = rng.range(1, 5);
    for (let e = 0; e < entries; e++) {
      const t = rng.float();
      if (t < 0.6) ace(a, 'Role', roles[rng.int(roles.length)]!.id, GRANT_CHOICE.sample(rng));
      else if (t < 0.8) ace(a, 'Group', groups[rng.int(groups.length)]!.id, GRANT_CHOICE.sample(rng));
      else ace(a, 'User', users[rng.int(users.length)]!.id, GRANT_CHOICE.sample(rng));
    }
  }
  return apps;
}

// ---------------------------------------------------------------------------------------------------------------
// Vault users and groups

const RESERVED_VAULT_NAMES = [
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

interface BuiltinVault {
  /** Predefined members every safe gets: [memberName, memberType, vault id, permissions]. */
  readonly predefined: readonly (readonly [string, 'User' | 'Group', number, readonly SafePermissionKey[]])[];
  readonly cpms: readonly (readonly [string, number])[];
  readonly pvwaAppUsers: number;
  readonly psmAppUsers: number;
  readonly vaultOnly: VaultUser[];
  readonly vaultGroups: VaultGroup[];
  readonly pasLogin: string;
}

function vaultUser(id: number, username: string, extra: Partial<VaultUser> = {}): VaultUser {
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

function vaultGroup(id: number, groupName: string, extra: Partial<VaultGroup> = {}): VaultGroup {
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

function generateBuiltinVault(ctx: Ctx): BuiltinVault {
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

// ---------------------------------------------------------------------------------------------------------------
// Safes and members

type MemberKind =
  | 'user'
  | 'roleGroup'
  | 'roleRole'
  | 'dirGroup'
  | 'vaultByName'
  | 'vaultOnly'
  | 'vaultGroup'
  | 'everybody'
  | 'pcAdmins'
  | 'scriptRole'
  | 'fdsGroup';

const KIND_CHOICE = new Weighted<MemberKind>([
  ['user', 38],
  ['roleGroup', 26],
  ['roleRole', 3],
  ['dirGroup', 12],
  ['vaultByName', 7],
  ['vaultOnly', 8],
  ['vaultGroup', 4],
]);
/** The first non-creator member slots of the tenant take these kinds, so that every tenant has each of them. */
const FORCED_KINDS: readonly MemberKind[] = [
  'everybody',
  'pcAdmins',
  'roleRole',
  'vaultByName',
  'vaultOnly',
  'dirGroup',
  'fdsGroup',
  'vaultGroup',
  'scriptRole',
  'user',
];

/** Distributes `total` over `n` slots with random sizes in [min, cap], summing exactly to `total`. */
function distribute(rng: Rng, total: number, caps: readonly number[], weight: () => number, min: number): number[] {
  const n = caps.length;
  const weights = caps.map(() => weight());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w, i) => Math.max(min, Math.min(caps[i]!, Math.floor((total * w) / sum))));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  let i = rng.int(n);
  let stuck = 0;
  while (diff !== 0) {
    if (diff > 0 && counts[i]! < caps[i]!) {
      counts[i]!++;
      diff--;
      stuck = 0;
    } else if (diff < 0 && counts[i]! > min) {
      counts[i]!--;
      diff++;
      stuck = 0;
    } else if (++stuck > n) throw new RangeError(`cannot distribute ${total} over ${n} slots`);
    i = (i + 1) % n;
  }
  return counts;
}

function safeName(rng: Rng): string {
  const platform = rng.pick(SAFE_PLATFORMS);
  const env = rng.pick(SAFE_ENVS);
  const team = rng.pick(SAFE_TEAMS);
  switch (rng.int(4)) {
    case 0:
      return `${platform}-${env}-${team}`;
    case 1:
      return `${platform} ${env} (${team})`;
    case 2:
      return `P-${rng.pick(LOCATIONS)}-${platform}-${env}`;
    default:
      return `${team} ${platform}`;
  }
}

const clip28 = (name: string): string => name.slice(0, 28).replace(/[\s,&+(-]+$/u, '');

function generateSafes(ctx: Ctx, vault: BuiltinVault): Safe[] {
  const rng = Rng.stream(ctx.seed, 'safes');
  const { users, roles, groups, spec } = ctx;
  const safes: Safe[] = [];
  const names = new NameRegistry();
  const nSystem = SYSTEM_SAFES.length;
  const nNormal = spec.safes - nSystem;

  const predefinedMember = (
    name: string,
    type: 'User' | 'Group',
    id: number,
    perms: readonly SafePermissionKey[],
  ): SafeMember => ({
    memberId: String(id),
    memberName: name,
    memberType: type,
    permissions: perms.slice(),
    membershipExpirationDate: null,
    isPredefinedUser: true,
    isReadOnly: true,
  });
  const basePredefined = (cpm: string): SafeMember[] => {
    const out = vault.predefined.map(([name, type, id, perms]) => predefinedMember(name, type, id, perms));
    for (const [name, id] of vault.cpms) {
      if (cpm.split(',').includes(name)) out.push(predefinedMember(name, 'User', id, CPM_PERMS));
    }
    return out;
  };
  const times = () => {
    const created = EPOCH_S - DAY - rng.int(3 * 365 * DAY);
    const modified = created + rng.int(EPOCH_S - created);
    return { creationTime: created, lastModificationTime: modified * 1_000_000 + rng.int(1_000_000) };
  };

  // System safes.
  let safeNumber = 2;
  for (const name of SYSTEM_SAFES) {
    names.claim(name);
    const members = basePredefined(name === 'PasswordManager_Pending' ? 'PasswordManager' : '');
    if (name === 'PVWAConfig') {
      members.push(predefinedMember('PVWAAppUsers', 'Group', vault.pvwaAppUsers, PERMISSION_PRESETS.full));
    }
    safes.push({
      name,
      description: `Vault system safe (${name})`,
      safeNumber: safeNumber++,
      location: '\\',
      managingCPM: name === 'PasswordManager_Pending' ? 'PasswordManager' : '',
      olacEnabled: false,
      numberOfVersionsRetention: null,
      numberOfDaysRetention: 7,
      autoPurgeEnabled: false,
      ...times(),
      creator: { id: '2', name: 'Administrator' },
      members,
    });
  }

  // Normal safes: names, settings and predefined members first.
  safeNumber = 100;
  const caps: number[] = [];
  const creatorIsIdentity: boolean[] = [];
  for (let s = 0; s < nNormal; s++) {
    const base = s < SPECIAL_SAFES.length ? SPECIAL_SAFES[s]! : clip28(safeName(rng));
    const name = names.unique(base, (b, n) => {
      const suffix = ` ${n}`;
      return b.slice(0, 28 - suffix.length).trimEnd() + suffix;
    });
    const c = rng.float();
    const managingCPM = c < 0.85 ? 'PasswordManager' : c < 0.93 ? 'CPM_EMEA' : '';
    const members = basePredefined(managingCPM);
    if (rng.chance(0.3)) {
      members.push(predefinedMember('PVWAAppUsers', 'Group', vault.pvwaAppUsers, AUDITOR_PERMS));
    }
    if (rng.chance(0.3)) {
      members.push(predefinedMember('PSMAppUsers', 'Group', vault.psmAppUsers, PERMISSION_PRESETS.read_only));
    }
    const identityCreator = rng.chance(0.85);
    const creatorIdx = rng.pick(ctx.adminUsers);
    const creator = identityCreator
      ? { id: users[creatorIdx]!.id, name: users[creatorIdx]!.username }
      : { id: '2', name: 'Administrator' };
    const byVersions = rng.chance(0.2);
    safes.push({
      name,
      description: rng.chance(0.4) ? '' : `${name} accounts`,
      safeNumber,
      location: '\\',
      managingCPM,
      olacEnabled: rng.chance(0.05),
      numberOfVersionsRetention: byVersions ? rng.pick([5, 10, 20]) : null,
      numberOfDaysRetention: byVersions ? null : rng.pick([7, 7, 14, 30]),
      autoPurgeEnabled: rng.chance(0.05),
      ...times(),
      creator,
      members,
    });
    safeNumber += rng.chance(0.1) ? rng.range(2, 4) : 1;
    caps.push(Math.min(MAX_SAFE_MEMBERS - members.length, users.length));
    creatorIsIdentity.push(identityCreator);
  }

  // Non-predefined members: exactly spec.memberships, spread unevenly.
  const min = spec.memberships >= nNormal ? 1 : 0;
  const counts = distribute(rng, spec.memberships, caps, () => 0.2 + rng.float() ** 2, min);
  const dirVaultGroup = new Map<number, VaultGroup>();
  const identityVaultUser = new Map<number, VaultUser>([[0, ctx.vaultUsers.find((u) => u.uuid === users[0]!.id)!]]);
  const fdsGroups = groups.map((_, i) => i).filter((i) => ctx.groupKind[i] === 'FDS');
  const adGroups = groups.map((_, i) => i).filter((i) => ctx.groupKind[i] === 'AD');
  const pcRoles = [R.pcAdmins, R.pcAuditors, R.pcSafeManagers];
  const scriptRoles = roles.map((_, i) => i).filter((i) => roles[i]!.roleType === 'Script');
  let slot = 0;

  const rolePerms = (ri: number): SafePermissionKey[] => {
    if (ri === R.pcAdmins) return PERMISSION_PRESETS.full.slice();
    if (ri === R.pcAuditors) return AUDITOR_PERMS.slice();
    if (ri === R.pcSafeManagers) return SAFE_MANAGER_PERMS.slice();
    return randomPermissions(rng);
  };
  const directoryVaultGroup = (gi: number): VaultGroup => {
    let g = dirVaultGroup.get(gi);
    if (!g) {
      const group = groups[gi]!;
      const ad = ctx.groupKind[gi] === 'AD';
      g = vaultGroup(ctx.nextVaultId++, group.name, {
        groupType: 'Directory',
        description: group.description ?? '',
        directory: ad ? AD_FOREST : 'FDS',
        ...(ad && group.distinguishedName ? { dn: group.distinguishedName } : {}),
      });
      dirVaultGroup.set(gi, g);
      ctx.vaultGroups.push(g);
    }
    return g;
  };
  const identityBacked = (ui: number): VaultUser => {
    let v = identityVaultUser.get(ui);
    if (!v) {
      const u = users[ui]!;
      v = vaultUser(ctx.nextVaultId++, u.username, {
        uuid: u.id,
        firstName: ctx.userFirst[ui]!,
        lastName: ctx.userLast[ui]!,
      });
      identityVaultUser.set(ui, v);
      ctx.vaultUsers.push(v);
    }
    return v;
  };
  type Candidate = Pick<SafeMember, 'memberId' | 'memberName' | 'memberType' | 'permissions'>;
  const candidate = (kind: MemberKind): Candidate => {
    switch (kind) {
      case 'user': {
        const u = users[rng.int(users.length)]!;
        return { memberId: u.id, memberName: u.username, memberType: 'User', permissions: randomPermissions(rng) };
      }
      case 'everybody':
      case 'pcAdmins':
      case 'scriptRole':
      case 'roleGroup': {
        const ri =
          kind === 'everybody'
            ? R.everybody
            : kind === 'pcAdmins'
              ? R.pcAdmins
              : kind === 'scriptRole'
                ? rng.pick(scriptRoles)
                : rng.chance(0.25)
                  ? rng.pick(pcRoles)
                  : rng.int(roles.length);
        const perms = kind === 'everybody' ? PERMISSION_PRESETS.read_only.slice() : rolePerms(ri);
        return { memberId: ctx.roleSafeId[ri]!, memberName: roles[ri]!.name, memberType: 'Group', permissions: perms };
      }
      case 'roleRole': {
        const ri = rng.int(roles.length);
        return { memberId: roles[ri]!.id, memberName: roles[ri]!.name, memberType: 'Role', permissions: rolePerms(ri) };
      }
      case 'dirGroup':
      case 'fdsGroup': {
        const gi = kind === 'fdsGroup' ? fdsGroups[0]! : rng.chance(0.7) ? rng.pick(adGroups) : rng.int(groups.length);
        const g = directoryVaultGroup(gi);
        return {
          memberId: String(g.id),
          memberName: g.groupName,
          memberType: 'Group',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultByName': {
        const v = identityBacked(rng.int(users.length));
        return {
          memberId: String(v.id),
          memberName: v.username,
          memberType: 'User',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultOnly': {
        const v = rng.pick(vault.vaultOnly);
        return {
          memberId: String(v.id),
          memberName: v.username,
          memberType: 'User',
          permissions: randomPermissions(rng),
        };
      }
      case 'vaultGroup': {
        const g = rng.pick(vault.vaultGroups);
        return {
          memberId: String(g.id),
          memberName: g.groupName,
          memberType: 'Group',
          permissions: randomPermissions(rng),
        };
      }
    }
  };

  for (let s = 0; s < nNormal; s++) {
    const safe = safes[nSystem + s]!;
    const taken = new Set(safe.members.map((m) => m.memberName.toLowerCase()));
    const add = (c: Candidate, expiration: number | null, readOnly: boolean) => {
      taken.add(c.memberName.toLowerCase());
      safe.members.push({
        memberId: c.memberId,
        memberName: c.memberName,
        memberType: c.memberType,
        permissions: c.permissions,
        membershipExpirationDate: expiration,
        isPredefinedUser: false,
        isReadOnly: readOnly,
      });
    };
    let remaining = counts[s]!;
    if (remaining > 0 && creatorIsIdentity[s]) {
      // The creator is a member with full rights that nobody can edit (isReadOnly), as in CAPTURE.
      add(
        {
          memberId: safe.creator.id,
          memberName: safe.creator.name,
          memberType: 'User',
          permissions: PERMISSION_PRESETS.full.slice(),
        },
        null,
        true,
      );
      remaining--;
    }
    for (; remaining > 0; remaining--) {
      const kind = slot < FORCED_KINDS.length ? FORCED_KINDS[slot]! : KIND_CHOICE.sample(rng);
      let c = candidate(kind);
      for (let attempt = 0; taken.has(c.memberName.toLowerCase()); attempt++) {
        c = candidate(attempt < 8 ? kind : 'user');
        if (attempt > 64) {
          const free = users.find((u) => !taken.has(u.username.toLowerCase()))!;
          c = { memberId: free.id, memberName: free.username, memberType: 'User', permissions: randomPermissions(rng) };
        }
      }
      let expiration: number | null = null;
      // Slots 4 and 9 (a vault-only user and an Identity user) carry the guaranteed expired and future dates.
      const random = slot >= FORCED_KINDS.length;
      if (slot === 4 || (random && rng.chance(0.01))) expiration = EPOCH_S - rng.range(1, 365) * DAY;
      else if (slot === 9 || (random && rng.chance(0.015))) expiration = EPOCH_S + rng.range(1, 365) * DAY;
      add(c, expiration, false);
      slot++;
    }
  }
  return safes;
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts

interface PlatformSpec {
  readonly platformId: string;
  readonly category: string;
  readonly secretType: 'password' | 'key';
  readonly address: (tag: string, k: number) => string | undefined;
  readonly userNames: readonly string[];
}

const PLATFORMS = new Weighted<PlatformSpec>([
  [
    {
      platformId: 'WinDomain',
      category: 'Operating System',
      secretType: 'password',
      address: () => AD_FOREST,
      userNames: ['svc_backup', 'svc_sql', 'adm-', 'svc_sccm', 'svc_iis'],
    },
    25,
  ],
  [
    {
      platformId: 'WinServerLocal',
      category: 'Operating System',
      secretType: 'password',
      address: (tag) => `WIN-${tag.toUpperCase()}.${AD_FOREST}`,
      userNames: ['Administrator', 'localadmin'],
    },
    20,
  ],
  [
    {
      platformId: 'UnixSSH',
      category: 'Operating System',
      secretType: 'password',
      address: (tag) => `lnx-${tag}.${AD_FOREST}`,
      userNames: ['root', 'oracle', 'app'],
    },
    20,
  ],
  [
    {
      platformId: 'UnixSSHKeys',
      category: 'Operating System',
      secretType: 'key',
      address: (tag) => `lnx-${tag}.${AD_FOREST}`,
      userNames: ['ansible', 'deploy', 'root'],
    },
    8,
  ],
  [
    {
      platformId: 'Oracle',
      category: 'Database',
      secretType: 'password',
      address: (tag) => `ora-${tag}.${AD_FOREST}`,
      userNames: ['SYSTEM', 'SYS', 'APP_OWNER'],
    },
    7,
  ],
  [
    {
      platformId: 'MSSql',
      category: 'Database',
      secretType: 'password',
      address: (tag) => `sql-${tag}.${AD_FOREST}`,
      userNames: ['sa', 'sqladmin'],
    },
    7,
  ],
  [
    {
      platformId: 'AWSAccessKeys',
      category: 'Cloud Service',
      secretType: 'password',
      address: () => 'aws.amazon.com',
      userNames: ['iam-deploy-', 'iam-backup-'],
    },
    5,
  ],
  [
    {
      platformId: 'CiscoSSH',
      category: 'Network Device',
      secretType: 'password',
      address: (_tag, k) => `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`,
      userNames: ['admin', 'enable'],
    },
    5,
  ],
  [
    {
      platformId: '',
      category: 'Application',
      secretType: 'password',
      address: () => undefined,
      userNames: ['app-secret-', 'api-token-'],
    },
    3,
  ],
]);

function generateAccounts(ctx: Ctx, safes: Safe[]): Account[] {
  const rng = Rng.stream(ctx.seed, 'accounts');
  const normal = safes.slice(SYSTEM_SAFES.length);
  const caps = normal.map(() => ctx.spec.accounts);
  const counts = distribute(rng, ctx.spec.accounts, caps, () => 0.05 + rng.float() ** 3, 0);
  const accounts: Account[] = new Array(ctx.spec.accounts);
  let k = 0;
  normal.forEach((safe, s) => {
    let n = 0;
    for (let c = counts[s]!; c > 0; c--) {
      n += rng.chance(0.05) ? 2 : 1;
      const tag = k.toString(36).padStart(5, '0');
      const p = PLATFORMS.sample(rng);
      const rawAddress = p.address(tag, k);
      const address = rawAddress === undefined ? undefined : flat(rawAddress);
      let userName = rng.pick(p.userNames);
      if (userName.endsWith('-') || userName.endsWith('_') || p.platformId === 'WinDomain')
        userName = flat(userName + tag);
      const created = safe.creationTime + rng.int(EPOCH_S - safe.creationTime);
      // Properties are assigned in the schema's order, so that parseTenant() output serialises identically.
      const account = {
        id: flat(`${safe.safeNumber}_${n}`),
        name: flat(`${p.category}-${p.platformId || 'Generic'}-${address ?? 'none'}-${userName}`),
        safeName: safe.name,
        platformId: p.platformId,
      } as Account;
      if (address !== undefined) account.address = address;
      account.userName = userName;
      account.secretType = p.secretType;
      const r = rng.float();
      const manual = p.platformId === '' || r < 0.04;
      account.automaticManagementEnabled = !manual;
      if (manual) {
        account.manualManagementReason = p.platformId === '' ? 'No CPM for this platform' : 'Manual';
        account.createdTime = created;
      } else {
        if (r < 0.08) {
          // A failed CPM operation; half of these stopped automatic management.
          if (rng.chance(0.5)) {
            account.automaticManagementEnabled = false;
            account.manualManagementReason = '(CPM)MaxRetries';
          }
          account.status = 'failure';
        } else account.status = 'success';
        account.createdTime = created;
        const modified = created + rng.int(EPOCH_S - created + 1);
        account.lastModifiedTime = modified;
        if (rng.chance(0.8)) account.lastVerifiedTime = modified + rng.int(EPOCH_S - modified + 1);
        if (rng.chance(0.5)) account.lastReconciledTime = modified;
      }
      if (rng.chance(0.05)) {
        account.remoteMachines = flat(`srv-${tag}a.${AD_FOREST};srv-${tag}b.${AD_FOREST}`);
      }
      accounts[k++] = account;
    }
  });
  // Guarantee a failed CPM status and a key even in a small tenant.
  if (!accounts.some((a) => a.status === 'failure')) {
    const a = accounts.find((x) => x.status === 'success') ?? accounts[0]!;
    a.status = 'failure';
    a.automaticManagementEnabled = false;
    a.manualManagementReason = '(CPM)MaxRetries';
  }
  if (!accounts.some((a) => a.secretType === 'key')) accounts[accounts.length - 1]!.secretType = 'key';
  return accounts;
}
