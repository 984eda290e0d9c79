/**
 * The Active Directory fixture of the LDAP tests: a tenant document (parsed with parseTenant) whose
 * `activeDirectory` section has 30 users (4 disabled, some without lastLogonTimestamp, mail or UPN) with DNs that
 * need escaping (comma, plus, quote, angle brackets, semicolon, leading '#', accents written literally and as UTF-8
 * hex escapes), users in nested OUs and in AD's CN=Users container, and 10 groups: nesting, a two-group cycle, a
 * group larger than the test server's size limit, an empty group, a distribution group, a BUILTIN domain-local
 * group, and member DNs spelled in a different case than the entries they name.
 */
import { createHash } from 'node:crypto';
import { normalizeDn } from '../../src/graph/dn.js';
import { type ActiveDirectorySection, parseTenant, type Tenant } from '../../src/tenant/format/index.js';

export const BASE_DN = 'DC=corp,DC=example';
export const BIND_DN = 'CN=svc-arkgraph,OU=Service Accounts,DC=corp,DC=example';
export const BIND_PASSWORD = 'Ark-Reader-7f3c9!';
export const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';
/** The test server's size limit: below the user count and the largest group, so paging matters. */
export const SIZE_LIMIT = 10;

/** A deterministic GUID per name. */
export function guidFor(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SPECIAL_USERS: { dn: string; sam: string; display?: string | null }[] = [
  { dn: 'CN=Alice Adams,OU=Users,DC=corp,DC=example', sam: 'alice', display: 'Alice Adams' },
  { dn: 'CN=Smith\\, John,OU=Users,DC=corp,DC=example', sam: 'jsmith', display: 'John Smith' },
  { dn: 'CN=Jane Doe\\+Partner,OU=Users,DC=corp,DC=example', sam: 'jdoe', display: 'Jane Doe+Partner' },
  { dn: 'CN=José Müller,OU=Users,DC=corp,DC=example', sam: 'jmuller', display: 'José Müller' },
  { dn: 'CN=Ren\\C3\\A9e Fran\\C3\\A7ois,OU=Users,DC=corp,DC=example', sam: 'rfrancois', display: 'Renée François' },
  { dn: 'CN=\\#1 Fan,OU=Users,DC=corp,DC=example', sam: 'fan1', display: null },
  { dn: 'CN=O\\"Hara\\, Sean,OU=Users,DC=corp,DC=example', sam: 'sohara', display: 'Sean O"Hara' },
  { dn: 'CN=Admin Tier0,OU=Admins,OU=IT,DC=corp,DC=example', sam: 'admin.t0', display: 'Tier 0 Admin' },
  { dn: 'CN=Legacy User,CN=Users,DC=corp,DC=example', sam: 'legacy', display: 'Legacy User' },
  { dn: 'CN=Less \\<than\\> More,OU=Users,DC=corp,DC=example', sam: 'ltgt', display: 'Less <than> More' },
  { dn: 'CN=Semi\\;Colon,OU=Users,DC=corp,DC=example', sam: 'semi', display: 'Semi;Colon' },
];

const DISABLED = new Set([3, 12, 20, 27]);

function users(): ActiveDirectorySection['users'] {
  const out: ActiveDirectorySection['users'] = [];
  for (let i = 0; i < 30; i++) {
    const special = SPECIAL_USERS[i];
    const nn = String(i).padStart(2, '0');
    const dn = special?.dn ?? `CN=User ${nn},OU=Staff,OU=Users,DC=corp,DC=example`;
    const sam = special?.sam ?? `user${nn}`;
    const display = special ? (special.display ?? null) : `User ${nn}`;
    out.push({
      dn,
      sAMAccountName: sam,
      userPrincipalName: i === 9 ? null : `${sam}@corp.example`,
      displayName: display,
      mail: i % 5 === 4 ? null : `${sam}@corp.example`,
      objectGUID: guidFor(`user:${sam}`),
      objectSid: `${DOMAIN_SID}-${1100 + i}`,
      disabled: DISABLED.has(i),
      lastLogonTimestamp:
        i % 4 === 3 ? null : new Date(Date.UTC(2026, 2, 1, 8, 15, 30, 123) + i * 86_400_000).toISOString(),
    });
  }
  return out;
}

export function fixtureSection(): ActiveDirectorySection {
  const u = users();
  const dn = (i: number) => u[i]!.dn;
  const g = {
    engineering: 'CN=Engineering,OU=Groups,DC=corp,DC=example',
    allStaff: 'CN=All Staff,OU=Groups,DC=corp,DC=example',
    cycleA: 'CN=Cycle A,OU=Groups,DC=corp,DC=example',
    cycleB: 'CN=Cycle B,OU=Groups,DC=corp,DC=example',
    rnd: 'CN=R&D\\, Europe,OU=Groups,DC=corp,DC=example',
    empty: 'CN=Empty Group,OU=Groups,DC=corp,DC=example',
    administrators: 'CN=Administrators,CN=Builtin,DC=corp,DC=example',
    domainAdmins: 'CN=Domain Admins,CN=Users,DC=corp,DC=example',
    newsletter: 'CN=Newsletter,OU=Groups,DC=corp,DC=example',
    grossgruppe: 'CN=Großgruppe Ü,OU=Groups,DC=corp,DC=example',
  };
  const group = (
    key: keyof typeof g,
    sam: string,
    rid: number,
    members: string[],
    groupType = -2147483646,
  ): ActiveDirectorySection['groups'][number] => ({
    dn: g[key],
    sAMAccountName: sam,
    cn: /^CN=((?:[^,\\]|\\.)*),/.exec(g[key])![1]!.replace(/\\(.)/g, '$1'),
    objectGUID: guidFor(`group:${sam}`),
    objectSid: `${DOMAIN_SID}-${rid}`,
    groupType,
    members,
  });
  return {
    domain: 'corp.example',
    baseDn: BASE_DN,
    bindDn: BIND_DN,
    bindPassword: BIND_PASSWORD,
    users: u,
    groups: [
      // member DNs in another case than the entries: the server and the extractor compare normalised DNs
      group('engineering', 'Engineering', 2001, [dn(0).toLowerCase(), dn(1), dn(3), dn(4).toUpperCase()]),
      group('allStaff', 'All Staff', 2002, [g.engineering, g.rnd, ...u.slice(10).map((x) => x.dn)]),
      group('cycleA', 'Cycle A', 2003, [g.cycleB, dn(5)]),
      group('cycleB', 'Cycle B', 2004, [g.cycleA, dn(6)]),
      group('rnd', 'RnD Europe', 2005, [g.engineering, dn(9), dn(2)]),
      group('empty', 'Empty Group', 2006, []),
      group('administrators', 'Administrators', 544, [g.domainAdmins], -2147483643),
      group('domainAdmins', 'Domain Admins', 512, [dn(7), dn(8)]),
      group('newsletter', 'Newsletter', 2007, [dn(1), dn(2), dn(10)], 2),
      group('grossgruppe', 'Grossgruppe', 2008, [g.allStaff, dn(3)], -2147483640),
    ],
  };
}

/** A whole tenant document around the section, validated by parseTenant like any tenant file. */
export function fixtureTenant(): Tenant {
  return parseTenant({
    formatVersion: 1,
    name: 'ldap-fixture',
    identity: {
      tenantId: 'LDAP01',
      directoryServices: [
        { uuid: '09B9A9B0-6CE8-465F-AB03-65766D33B05E', service: 'CDS', name: 'CDS', displayName: 'Cloud Directory' },
      ],
      users: [],
      roles: [],
      oauthClients: [{ clientId: 'unused@ldap.fixture', clientSecret: 'unused-secret' }],
    },
    privilegeCloud: { subdomain: 'ldap01', safes: [] },
    activeDirectory: fixtureSection(),
  });
}

/** Expected MEMBER_OF pairs as "member GUID|group GUID", resolved from the section by normalised DN. */
export function expectedMemberships(section: ActiveDirectorySection): Set<string> {
  const guidByDn = new Map<string, string>();
  for (const x of [...section.users, ...section.groups]) guidByDn.set(normalizeDn(x.dn), x.objectGUID.toLowerCase());
  const out = new Set<string>();
  for (const grp of section.groups) {
    for (const m of grp.members) out.add(`${guidByDn.get(normalizeDn(m))}|${grp.objectGUID.toLowerCase()}`);
  }
  return out;
}
