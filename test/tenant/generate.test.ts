import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalPermissions, SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../src/graph/permissions.js';
import { parseTenant, type Tenant } from '../../src/tenant/format/index.js';
import { AMBIGUOUS_MARK } from '../../src/tenant/generate/directories.js';
import {
  GENERATOR_EPOCH,
  generateTenant,
  MAX_ROLE_DEPTH,
  MIN_SCALE,
  SCALES,
  type Scale,
  type ScaleSpec,
} from '../../src/tenant/generate/index.js';
import { stronglyConnected } from '../support/graph.js';
import { counts, GUID, maxNestingDepth, parseDn, roleEdges } from './scan.js';

const EPOCH_S = GENERATOR_EPOCH / 1000;
const PREDEFINED = ['Master', 'Batch', 'Backup Users', 'DR Users', 'Notification Engines', 'Auditors', 'Operators'];
/** ARKPY SAFE_MEMBER_PERMISSIONS_SETS (shared/reference/cyberark-api.md §7.2). */
const PRESETS: Record<string, SafePermissionKey[]> = {
  connect_only: canonicalPermissions(['listAccounts', 'useAccounts']),
  read_only: canonicalPermissions(['listAccounts', 'useAccounts', 'retrieveAccounts']),
  approver: canonicalPermissions([
    'listAccounts',
    'viewSafeMembers',
    'manageSafeMembers',
    'requestsAuthorizationLevel1',
  ]),
  full: SAFE_PERMISSION_KEYS.filter((k) => k !== 'requestsAuthorizationLevel2'),
};
const KNOWN_RIGHTS = new Set([
  ...[
    'adminportallogin',
    'appman',
    'fedman',
    'identityverification',
    'mfaunlock',
    'radiusman',
    'roleman',
    'roroleman',
    'rouserman',
    'proxycode',
    'reportman',
    'sharedcredentials',
    'dsman',
    'monitor',
    'agentmanjoin',
    'vaultman',
  ].map((r) => `/lib/rights/${r}.json`),
  ...[
    'auditShowTile',
    'dpaShowTile',
    'cloudonboardingShowTile',
    'connectormanagementShowTile',
    'passwordvaultShowTile',
    'smShowTile',
    'accesstoresourcesShowTile',
  ].map((r) => `ServiceRight/${r}`),
]);
const EXECUTE = 128;
const AUTOMATIC = 2147483648;

const some = <T>(items: readonly T[], predicate: (t: T) => boolean) => items.some(predicate);

describe('generateTenant: determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it.each(['small', 'medium'] as const)(
    '%s: the same seed gives identical JSON, another seed a different tenant',
    (scale) => {
      const a = JSON.stringify(generateTenant(scale, 1));
      const b = JSON.stringify(generateTenant(scale, 1));
      const c = JSON.stringify(generateTenant(scale, 2));
      expect(b).toBe(a);
      expect(c).not.toBe(a);
    },
  );

  it('different seeds differ everywhere that is random (ids, names, credentials)', () => {
    const a = generateTenant('small', 1);
    const b = generateTenant('small', 2);
    expect(b.identity.users[0]!.id).not.toBe(a.identity.users[0]!.id);
    expect(b.identity.oauthClients[0]!.clientSecret).not.toBe(a.identity.oauthClients[0]!.clientSecret);
    expect(b.privilegeCloud.pasLogins[0]!.password).not.toBe(a.privilegeCloud.pasLogins[0]!.password);
    expect(b.identity.users.map((u) => u.username)).not.toEqual(a.identity.users.map((u) => u.username));
  });

  it('accepts any safe integer seed (0, negative, above 2^32)', () => {
    const seeds = [0, -1, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const json = seeds.map((s) => JSON.stringify(generateTenant('small', s)));
    expect(new Set(json).size).toBe(seeds.length);
    expect(JSON.stringify(generateTenant('small', 2 ** 32 + 1))).toBe(json[2]);
  });

  it('does not depend on the clock or Math.random', () => {
    const reference = JSON.stringify(generateTenant('small', 9));
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random called');
    });
    vi.useFakeTimers({ now: new Date('2031-02-03T04:05:06Z') });
    expect(JSON.stringify(generateTenant('small', 9))).toBe(reference);
  });

  it('rejects bad seeds and scales', () => {
    expect(() => generateTenant('small', 1.5)).toThrow(RangeError);
    expect(() => generateTenant('small', Number.NaN)).toThrow(RangeError);
    expect(() => generateTenant('huge' as Scale, 1)).toThrow(/unknown scale/);
    expect(() => generateTenant({ ...MIN_SCALE, users: 5 }, 1)).toThrow(/scale.users/);
    expect(() => generateTenant({ ...MIN_SCALE, memberships: 10_000 }, 1)).toThrow(/memberships/);
  });
});

describe('generateTenant: custom scale', () => {
  it('meets every count of an explicit spec exactly, down to MIN_SCALE', () => {
    for (const spec of [MIN_SCALE, { ...SCALES.small, users: 77, memberships: 311, accounts: 1234 }] as ScaleSpec[]) {
      const t = generateTenant(spec, 4);
      parseTenant(t);
      const c = counts(t);
      expect(c).toMatchObject({
        users: spec.users,
        groups: spec.groups,
        roles: spec.roles,
        safes: spec.safes,
        memberships: spec.memberships,
        accounts: spec.accounts,
        applications: spec.applications,
      });
      expect(maxNestingDepth(roleEdges(t.identity.roles))).toBe(MAX_ROLE_DEPTH);
    }
  });
});

describe.each(['small', 'medium'] as const)('generateTenant(%s)', (scale) => {
  let t: Tenant;
  beforeAll(() => {
    t = generateTenant(scale, 1);
  });
  const users = () => t.identity.users;
  const roles = () => t.identity.roles;
  const groups = () => t.identity.groups;
  const safes = () => t.privilegeCloud.safes;
  const members = () => safes().flatMap((s) => s.members);
  const ordinary = () => members().filter((m) => !m.isPredefinedUser);
  const dir = (service: string) => t.identity.directoryServices.find((d) => d.service === service)!;

  it('passes parseTenant unchanged (every default already present)', () => {
    const parsed = parseTenant(JSON.parse(JSON.stringify(t)));
    expect(parsed).toStrictEqual(t);
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(t));
  });

  it('has the counts of its scale', () => {
    const spec = SCALES[scale];
    expect(counts(t)).toMatchObject({
      users: spec.users,
      groups: spec.groups,
      roles: spec.roles,
      safes: spec.safes,
      memberships: spec.memberships,
      accounts: spec.accounts,
      applications: spec.applications,
    });
  });

  describe('directory services and users', () => {
    it('has a CDS, an AdProxy for corp.example and an FDS, each with users', () => {
      expect(t.identity.directoryServices.map((d) => d.service)).toEqual(['CDS', 'AdProxy', 'FDS']);
      expect(dir('AdProxy')).toMatchObject({ name: 'AdProxy_corp.example', forest: 'corp.example' });
      for (const service of ['CDS', 'AdProxy', 'FDS']) {
        const n = users().filter((u) => u.directoryServiceUuid === dir(service).uuid).length;
        expect(n, service).toBeGreaterThanOrEqual(scale === 'small' ? 4 : users().length / 20);
      }
    });

    it('gives AD users a DN whose CN is the display name, FDS users an Entra object id, CDS users neither', () => {
      for (const u of users()) {
        // The generator makes one AD user claim another's account (an ambiguous DN for correlation tests).
        if (u.description?.startsWith(AMBIGUOUS_MARK)) continue;
        if (u.directoryServiceUuid === dir('AdProxy').uuid) {
          expect(u.externalUuid).toBeUndefined();
          const rdns = parseDn(u.distinguishedName!);
          expect(rdns[0]).toEqual(['CN', u.displayName]);
          expect(rdns.slice(-2)).toEqual([
            ['DC', 'corp'],
            ['DC', 'example'],
          ]);
          expect(u.username.endsWith('@corp.example')).toBe(true);
        } else if (u.directoryServiceUuid === dir('FDS').uuid) {
          expect(u.distinguishedName).toBeUndefined();
          expect(u.externalUuid).toMatch(GUID);
        } else {
          expect(u.distinguishedName).toBeUndefined();
          expect(u.externalUuid).toBeUndefined();
        }
        expect(u.id).toMatch(GUID);
      }
    });

    it('escapes RFC 4514 specials in DNs', () => {
      const dns = users()
        .map((u) => u.distinguishedName)
        .filter((d): d is string => d !== undefined);
      for (const escaped of ['\\,', '\\#', '\\+', '\\"', '\\<', '\\>', '\\;', '\\\\']) {
        expect(
          dns.some((d) => d.includes(escaped)),
          escaped,
        ).toBe(true);
      }
      expect(dns.some((d) => d.includes('OU=Sales\\, EMEA'))).toBe(true);
    });

    it('has disabled, locked, service, OAuth-client, never-logged-in and invited users, and every risk level', () => {
      const u = users();
      expect(some(u, (x) => !x.enabled && x.status === 'Suspended')).toBe(true);
      expect(some(u, (x) => x.locked)).toBe(true);
      expect(some(u, (x) => x.serviceUser && !x.oauthClient)).toBe(true);
      expect(some(u, (x) => x.oauthClient)).toBe(true);
      expect(some(u, (x) => x.lastLogin === null && x.status === 'Active')).toBe(true);
      expect(some(u, (x) => x.status === 'Invited')).toBe(true);
      expect(some(u, (x) => x.securityQuestionCount > 0)).toBe(true);
      expect(some(u, (x) => x.mobileNumber !== null)).toBe(true);
      for (const level of ['Normal', 'Low', 'Medium', 'High', 'Unknown'] as const) {
        expect(
          some(u, (x) => x.riskLevel === level),
          level,
        ).toBe(true);
      }
      for (const x of u) if (x.lastLogin !== null) expect(Date.parse(x.lastLogin)).toBeLessThanOrEqual(GENERATOR_EPOCH);
    });

    it('has display names with accents, apostrophes, commas, # and +', () => {
      const names = users().map((u) => u.displayName);
      for (const re of [/[éüøÅöñ]/, /'/, /,/, /#/, /\+/, /\(/])
        expect(
          names.some((n) => re.test(n)),
          String(re),
        ).toBe(true);
      expect(users().some((u) => u.username.includes('+'))).toBe(true);
      expect(users().some((u) => u.username.includes("'"))).toBe(true);
    });
  });

  describe('groups', () => {
    it('are AD groups (DN, name@corp.example) or FDS groups (Entra object id); the CDS has none', () => {
      let ad = 0;
      let fds = 0;
      for (const g of groups()) {
        expect(g.directoryServiceUuid).not.toBe(dir('CDS').uuid);
        if (g.directoryServiceUuid === dir('AdProxy').uuid) {
          ad++;
          expect(parseDn(g.distinguishedName!)[0]).toEqual(['CN', g.displayName]);
          expect(g.name).toBe(`${g.displayName}@corp.example`);
        } else {
          fds++;
          expect(g.directoryServiceUuid).toBe(dir('FDS').uuid);
          expect(g.externalUuid).toMatch(GUID);
        }
      }
      expect(ad).toBeGreaterThan(0);
      expect(fds).toBeGreaterThan(0);
    });

    it('have names with &, #, +, commas, parentheses and accents', () => {
      const names = groups().map((g) => g.name);
      for (const re of [/&/, /#/, /\+/, /,/, /\(/, /[üé]/])
        expect(
          names.some((n) => re.test(n)),
          String(re),
        ).toBe(true);
    });
  });

  describe('roles', () => {
    it('include sysadmin, Everybody, a Script role and the Privilege Cloud roles', () => {
      const sysadmin = roles().find((r) => r.id === 'sysadmin')!;
      expect(sysadmin.name).toBe('System Administrator');
      expect(sysadmin.adminRights.map((a) => a.path)).toEqual(
        expect.arrayContaining([
          '/lib/rights/roleman.json',
          '/lib/rights/dsman.json',
          'ServiceRight/passwordvaultShowTile',
        ]),
      );
      expect(sysadmin.members.length).toBeGreaterThan(0);

      const everybody = roles().filter((r) => r.roleType === 'Everybody');
      expect(everybody).toHaveLength(1);
      expect(everybody[0]).toMatchObject({ id: 'everybody', name: 'Everybody', members: [] });

      const scripts = roles().filter((r) => r.roleType === 'Script');
      expect(scripts.length).toBeGreaterThanOrEqual(1);
      const ids = new Set(users().map((u) => u.id));
      for (const r of scripts) {
        expect(r.members).toEqual([]);
        expect(r.scriptMembers!.length).toBeGreaterThan(0);
        for (const id of r.scriptMembers!) expect(ids.has(id)).toBe(true);
      }
      const names = roles().map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'Privilege Cloud Administrators',
          'Privilege Cloud Auditors',
          'Privilege Cloud Safe Managers',
        ]),
      );
    });

    it('have admin rights from the known right paths only', () => {
      const paths = roles().flatMap((r) => r.adminRights.map((a) => a.path));
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(KNOWN_RIGHTS.has(p), p).toBe(true);
    });

    it('have user, group and role members', () => {
      const types = new Set(roles().flatMap((r) => r.members.map((m) => m.type)));
      expect([...types].sort()).toEqual(['Group', 'Role', 'User']);
      expect(
        roles().some((r) => r.members.some((m) => m.type === 'User') && r.members.some((m) => m.type === 'Group')),
      ).toBe(true);
    });

    it(`nest exactly ${MAX_ROLE_DEPTH} deep`, () => {
      expect(maxNestingDepth(roleEdges(roles()))).toBe(MAX_ROLE_DEPTH);
    });

    it('contain exactly one cycle: A member of B member of A', () => {
      const edges = roleEdges(roles());
      for (const [v, targets] of edges) expect(targets).not.toContain(v);
      const cyclic = stronglyConnected(edges).filter((c) => c.length > 1);
      expect(cyclic).toHaveLength(1);
      expect(cyclic[0]).toHaveLength(2);
      const [a, b] = cyclic[0]!;
      expect(edges.get(a!)).toContain(b);
      expect(edges.get(b!)).toContain(a);
    });

    it("have names that need URL encoding (& # + % / ' accents)", () => {
      const names = roles().map((r) => r.name);
      for (const re of [/&/, /#/, /\+/, /%/, /\//, /'/, /\(/, /,/, /[éü]/]) {
        expect(
          names.some((n) => re.test(n)),
          String(re),
        ).toBe(true);
      }
    });
  });

  describe('applications', () => {
    it('have ACLs on roles, groups and users with Execute, Automatic, Read and Owner grants', () => {
      const acl = t.identity.applications.flatMap((a) => a.acl);
      expect(new Set(acl.map((e) => e.principalType))).toEqual(new Set(['Role', 'Group', 'User']));
      const grants = acl.map((e) => e.grant >>> 0);
      expect(grants.some((g) => (g & EXECUTE) !== 0)).toBe(true);
      expect(grants.some((g) => (g & AUTOMATIC) >>> 0 !== 0)).toBe(true);
      expect(grants).toContain(EXECUTE);
      expect(grants).toContain(AUTOMATIC);
      expect(grants).toContain(AUTOMATIC + EXECUTE);
      expect(grants.some((g) => g === 4)).toBe(true);
      expect(grants.some((g) => (g & 1) === 1)).toBe(true);
      expect(acl.some((e) => e.principalId === 'everybody')).toBe(true);
    });
  });

  describe('credentials', () => {
    it('has one OAuth client (an Identity OAuth confidential client) with one app id, and one PAS login', () => {
      const clients = t.identity.oauthClients;
      expect(clients).toHaveLength(1);
      const client = clients[0]!;
      const user = users().find((u) => u.username === client.clientId)!;
      expect(user).toMatchObject({ oauthClient: true, serviceUser: true });
      expect(client.clientSecret.length).toBeGreaterThanOrEqual(32);
      expect(client.appIds).toHaveLength(1);
      expect(t.identity.applications.some((a) => a.serviceName === client.appIds[0])).toBe(true);
      expect(t.privilegeCloud.pasLogins).toHaveLength(1);
      const login = t.privilegeCloud.pasLogins[0]!;
      expect(t.privilegeCloud.vaultUsers.some((v) => v.username === login.username)).toBe(true);
    });

    it('fills entra and activeDirectory correlated with the CyberArk identities', () => {
      const e = t.entra!;
      const a = t.activeDirectory!;
      const fds = users().filter((u) => u.directoryServiceUuid === dir('FDS').uuid);
      const entraIds = new Set(e.users.map((u) => u.id));
      for (const u of fds) expect(entraIds.has(u.externalUuid!)).toBe(true);
      expect(e.users.some((u) => u.userType === 'Guest' && u.userPrincipalName.includes('#EXT#'))).toBe(true);
      expect(e.users.some((u) => !u.accountEnabled)).toBe(true);
      expect(e.users.some((u) => u.onPremisesSyncEnabled === true && u.onPremisesDistinguishedName)).toBe(true);
      // Some UPNs differ from the CyberArk login only in case.
      const logins = new Set(users().map((u) => u.username));
      expect(
        e.users.some((u) => !logins.has(u.userPrincipalName) && logins.has(u.userPrincipalName.toLowerCase())),
      ).toBe(true);
      expect(a.users.some((u) => u.disabled)).toBe(true);
      // DNs written differently from the CyberArk side (hex escapes, spaces, lower-case types) exist.
      expect(a.users.some((u) => u.dn.includes('\\2C') || u.dn.includes(', ') || /^cn=/.test(u.dn))).toBe(true);
      // Directory-only groups nested into others, and a nesting cycle in each directory.
      const entraNested = e.groups.filter((g) => g.members.some((m) => m.type === 'group'));
      expect(entraNested.length).toBeGreaterThan(0);
      const adParents = new Map(a.groups.map((g) => [g.dn, g.members]));
      expect(a.groups.some((g) => g.members.some((m) => adParents.get(m)?.includes(g.dn)))).toBe(true);
      expect(users().some((u) => u.description?.startsWith(AMBIGUOUS_MARK))).toBe(true);
    });
  });

  describe('safes and members', () => {
    it('have valid names (at most 28 characters) with spaces, commas, parentheses, accents, apostrophes, & # +', () => {
      const names = safes().map((s) => s.name);
      for (const n of names) expect(n.length).toBeLessThanOrEqual(28);
      for (const re of [/ /, /,/, /\(/, /\)/, /'/, /&/, /#/, /\+/, /[üéø]/]) {
        expect(
          names.some((n) => re.test(n)),
          String(re),
        ).toBe(true);
      }
      expect(names.some((n) => encodeURIComponent(n) !== n.replaceAll(' ', '%20'))).toBe(true);
      expect(new Set(safes().map((s) => s.safeNumber)).size).toBe(safes().length);
    });

    it('have sane times (creation in seconds, modification in microseconds, both before the epoch)', () => {
      for (const s of safes()) {
        expect(s.creationTime).toBeLessThan(EPOCH_S);
        expect(s.lastModificationTime).toBeGreaterThanOrEqual(s.creationTime * 1_000_000);
        expect(s.lastModificationTime).toBeLessThan(EPOCH_S * 1_000_000);
      }
    });

    it('every safe has the predefined members, at most 64 members and unique member names', () => {
      const vaultIds = new Map<number, string>([
        ...t.privilegeCloud.vaultUsers.map((u) => [u.id, u.username] as const),
        ...t.privilegeCloud.vaultGroups.map((g) => [g.id, g.groupName] as const),
      ]);
      const bad: string[] = [];
      for (const s of safes()) {
        if (s.members.length > 64) bad.push(`${s.name}: ${s.members.length} members`);
        const names = s.members.map((m) => m.memberName.toLowerCase());
        if (new Set(names).size !== names.length) bad.push(`${s.name}: duplicate member names`);
        for (const p of PREDEFINED) {
          const m = s.members.find((x) => x.memberName === p);
          if (!m?.isPredefinedUser || !/^\d+$/.test(m.memberId) || vaultIds.get(Number(m.memberId)) !== p) {
            bad.push(`${s.name}: ${p} ${JSON.stringify(m)}`);
          }
        }
      }
      expect(bad).toEqual([]);
      expect(Math.max(...safes().map((s) => s.members.length))).toBeGreaterThan(scale === 'small' ? 10 : 40);
      const cpm = members().filter((m) => m.memberName === 'PasswordManager');
      expect(cpm.length).toBeGreaterThan(0);
      expect(cpm.every((m) => m.isPredefinedUser && m.memberType === 'User')).toBe(true);
    });

    it('have Identity users as members by GUID, with their login as memberName', () => {
      const byId = new Map(users().map((u) => [u.id, u]));
      const guidMembers = ordinary().filter((m) => m.memberType === 'User' && GUID.test(m.memberId));
      expect(guidMembers.length).toBeGreaterThan(0);
      expect(guidMembers.filter((m) => byId.get(m.memberId)?.username !== m.memberName)).toEqual([]);
      expect(ordinary().some((m) => m.isReadOnly)).toBe(true); // safe creators
    });

    it('have Identity roles as memberType Group (name = role name, synthetic id) and a few as memberType Role', () => {
      const roleByName = new Map(roles().map((r) => [r.name, r]));
      const asGroup = ordinary().filter((m) => m.memberType === 'Group' && roleByName.has(m.memberName));
      expect(asGroup.length).toBeGreaterThan(0);
      for (const m of asGroup) {
        expect(m.memberId).not.toBe(roleByName.get(m.memberName)!.id);
        expect(m.memberId).toMatch(/^[A-Za-z0-9_]+$/);
      }
      expect(
        asGroup.some(
          (m) => m.memberName === 'Privilege Cloud Administrators' && m.memberId === 'Privilege_Cloud_Admins_ID',
        ),
      ).toBe(true);
      const asRole = ordinary().filter((m) => m.memberType === 'Role');
      expect(asRole.length).toBeGreaterThan(0);
      for (const m of asRole) expect(roleByName.get(m.memberName)?.id).toBe(m.memberId);
      // The Everybody role and a Script role hold safe permissions.
      expect(ordinary().some((m) => m.memberName === 'Everybody' && m.permissions.includes('useAccounts'))).toBe(true);
      const scriptNames = new Set(
        roles()
          .filter((r) => r.roleType === 'Script')
          .map((r) => r.name),
      );
      expect(ordinary().some((m) => scriptNames.has(m.memberName))).toBe(true);
    });

    it('give service users safe rights directly and through a role (they are outside Everybody)', () => {
      const service = new Map(
        users()
          .filter((u) => u.serviceUser || u.oauthClient)
          .map((u) => [u.id, u]),
      );
      const direct = ordinary().filter((m) => m.memberType === 'User' && service.has(m.memberId));
      expect(direct.some((m) => m.permissions.includes('retrieveAccounts'))).toBe(true);
      const rolesOfService = roles().filter((r) => r.members.some((m) => m.type === 'User' && service.has(m.id)));
      const names = new Set(rolesOfService.map((r) => r.name));
      expect(
        ordinary().some((m) => m.memberType !== 'User' && names.has(m.memberName) && m.permissions.length > 0),
      ).toBe(true);
    });

    it('have directory groups, vault groups, Identity-backed vault users (by name) and vault-only users', () => {
      const vaultUser = new Map(t.privilegeCloud.vaultUsers.map((u) => [String(u.id), u]));
      const vaultGroup = new Map(t.privilegeCloud.vaultGroups.map((g) => [String(g.id), g]));
      const userByLogin = new Map(users().map((u) => [u.username.toLowerCase(), u]));
      const groupNames = new Set(groups().map((g) => g.name));
      const roleNames = new Set(roles().map((r) => r.name));

      const numericUsers = ordinary().filter((m) => m.memberType === 'User' && /^\d+$/.test(m.memberId));
      const backed = numericUsers.filter((m) => userByLogin.has(m.memberName.toLowerCase()));
      const vaultOnly = numericUsers.filter((m) => !userByLogin.has(m.memberName.toLowerCase()));
      expect(backed.length).toBeGreaterThan(0);
      expect(vaultOnly.length).toBeGreaterThan(0);
      for (const m of backed) {
        expect(vaultUser.get(m.memberId)?.uuid).toBe(userByLogin.get(m.memberName.toLowerCase())!.id);
      }
      for (const m of vaultOnly) {
        expect(vaultUser.get(m.memberId)?.username).toBe(m.memberName);
        expect(vaultUser.get(m.memberId)?.uuid).toBeUndefined();
      }

      const groupMembers = ordinary().filter((m) => m.memberType === 'Group');
      const directory = groupMembers.filter((m) => groupNames.has(m.memberName));
      expect(directory.length).toBeGreaterThan(0);
      for (const m of directory) {
        expect(vaultGroup.get(m.memberId)).toMatchObject({ groupType: 'Directory', groupName: m.memberName });
      }
      const vaultGroups = groupMembers.filter((m) => vaultGroup.get(m.memberId)?.groupType === 'Vault');
      expect(vaultGroups.length).toBeGreaterThan(0);
      // Every Group member resolves: to a role by name, a directory group or a vault group.
      for (const m of groupMembers) {
        expect(
          roleNames.has(m.memberName) || vaultGroup.get(m.memberId)?.groupName === m.memberName,
          m.memberName,
        ).toBe(true);
      }
    });

    it('have expired and future-dated memberships', () => {
      const dates = ordinary()
        .map((m) => m.membershipExpirationDate)
        .filter((d): d is number => d !== null);
      expect(dates.some((d) => d < EPOCH_S)).toBe(true);
      expect(dates.some((d) => d > EPOCH_S)).toBe(true);
      expect(
        members()
          .filter((m) => m.isPredefinedUser)
          .every((m) => m.membershipExpirationDate === null),
      ).toBe(true);
    });

    it('grant the ARKPY preset permission sets and some other combinations, in canonical order', () => {
      const sets = ordinary().map((m) => m.permissions);
      const keyOf = (p: readonly string[]) => p.join(',');
      expect(sets.filter((p) => p.length === 0 || keyOf(p) !== keyOf(canonicalPermissions(p)))).toEqual([]);
      const seen = new Set(sets.map(keyOf));
      for (const [name, preset] of Object.entries(PRESETS)) expect(seen.has(keyOf(preset)), name).toBe(true);
      const presetKeys = new Set(Object.values(PRESETS).map(keyOf));
      expect(sets.some((p) => !presetKeys.has(keyOf(p)))).toBe(true);
    });
  });

  describe('accounts', () => {
    it('live in existing safes with ids <safeNumber>_<n>, unique names per safe and times before the epoch', () => {
      const safeByName = new Map(safes().map((s) => [s.name, s]));
      const bad: string[] = [];
      const perSafe = new Set<string>();
      for (const a of t.privilegeCloud.accounts) {
        const safe = safeByName.get(a.safeName)!;
        if (!a.id.startsWith(`${safe.safeNumber}_`) || !/^\d+_[1-9]\d*$/.test(a.id)) bad.push(`id ${a.id}`);
        if (a.createdTime < safe.creationTime || a.createdTime > EPOCH_S) bad.push(`createdTime ${a.id}`);
        for (const time of [a.lastModifiedTime, a.lastVerifiedTime, a.lastReconciledTime]) {
          if (time !== undefined && (time < a.createdTime || time > EPOCH_S)) bad.push(`time ${a.id}`);
        }
        const key = `${a.safeName}\u0000${a.name}`;
        if (perSafe.has(key)) bad.push(`duplicate name ${a.safeName}/${a.name}`);
        perSafe.add(key);
      }
      expect(bad).toEqual([]);
    });

    it('have passwords and keys, several platforms, failed CPM status and manual management', () => {
      const accounts = t.privilegeCloud.accounts;
      expect(new Set(accounts.map((a) => a.secretType))).toEqual(new Set(['password', 'key']));
      expect(new Set(accounts.map((a) => a.platformId)).size).toBeGreaterThanOrEqual(5);
      expect(accounts.some((a) => a.status === 'failure')).toBe(true);
      expect(accounts.some((a) => a.status === 'success')).toBe(true);
      expect(accounts.some((a) => !a.automaticManagementEnabled && a.manualManagementReason)).toBe(true);
      expect(accounts.some((a) => a.address !== undefined)).toBe(true);
    });
  });

  describe('vault users and groups', () => {
    it('hold predefined, component and Identity-backed users', () => {
      const vu = t.privilegeCloud.vaultUsers;
      expect(new Set(vu.map((u) => u.id)).size).toBe(vu.length);
      expect(vu.find((u) => u.username === 'Master')).toMatchObject({ id: 1, isPredefined: true });
      expect(vu.find((u) => u.username === 'PasswordManager')).toMatchObject({ componentUser: true, userType: 'CPM' });
      const byId = new Map(users().map((u) => [u.id, u]));
      const backed = vu.filter((u) => u.uuid !== undefined);
      expect(backed.length).toBeGreaterThan(1);
      for (const u of backed) expect(byId.get(u.uuid!)?.username).toBe(u.username);
    });

    it('hold Vault and Directory groups whose members are vault users', () => {
      const vg = t.privilegeCloud.vaultGroups;
      const userIds = new Map(t.privilegeCloud.vaultUsers.map((u) => [u.id, u.username]));
      const ids = [...vg.map((g) => g.id), ...userIds.keys()];
      expect(new Set(ids).size).toBe(ids.length); // one id space for users and groups
      expect(new Set(vg.map((g) => g.groupType))).toEqual(new Set(['Vault', 'Directory']));
      expect(vg.some((g) => g.groupType === 'Vault' && !g.isPredefined && g.members.length > 0)).toBe(true);
      for (const g of vg) for (const m of g.members) expect(userIds.get(m.id)).toBe(m.username);
      const identityGroups = new Set(groups().map((g) => g.name));
      for (const g of vg.filter((x) => x.groupType === 'Directory')) expect(identityGroups.has(g.groupName)).toBe(true);
    });
  });
});
