/**
 * Identity users across the CDS, AdProxy and FDS directories: fixed users (the tenant admin, the OAuth reader, a
 * sync service user, AD users whose CNs need RFC 4514 escapes, an FDS user with an apostrophe), then random people
 * and service users, then the rare states (disabled, locked, never logged in, each risk level) every tenant holds.
 */
import type { IdentityUser } from '../format/index.js';
import { AD_FOREST, type Ctx, DAY, type DirKind, isoBefore } from './context.js';
import { AD_USER_OUS, DEPARTMENTS, FIRST_NAMES, LAST_NAMES } from './names.js';
import { asciiFold, CountingNames, dnOf, loginPart } from './naming.js';
import { flat, Rng, Weighted } from './rng.js';

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

export function generateUsers(ctx: Ctx): void {
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
