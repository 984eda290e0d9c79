/**
 * The `entra` and `activeDirectory` sections of a generated tenant, correlated with its CyberArk identities the way
 * real estates are: FDS users are Entra users (UPN = login, with case differences), FDS groups are Entra groups
 * (object id = external id), AD-proxied users and groups are AD objects (DN = idp id, written with the variations
 * RFC 4514 allows: attribute-type case, spaces after commas, hex-escaped commas). Around them: directory-only users
 * and groups nested into correlated groups (access only through nesting), a nesting cycle in each directory,
 * disabled accounts (some still holding CyberArk access), Entra guests, hybrid users present in both directories,
 * and one ambiguous key per directory (two CyberArk identities claiming the same directory object).
 */
import type {
  ActiveDirectorySection,
  ADGroup,
  ADUser,
  EntraGroup,
  EntraSection,
  EntraUser,
  IdentityGroup,
  IdentityUser,
  Tenant,
} from '../format/index.js';
import { Rng } from './rng.js';

/** Description of the CyberArk user the generator makes claim another user's AD account (an ambiguous DN). */
export const AMBIGUOUS_MARK = 'Generated ambiguity: claims the AD account of';

type Section = { users: IdentityUser[]; groups: IdentityGroup[] };

function serviceOf(tenant: Tenant, uuid: string): string | undefined {
  return tenant.identity.directoryServices.find((d) => d.uuid === uuid)?.service;
}

/** A DN written differently but equal under RFC 4514 normalisation. */
export function dnVariant(dn: string, rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return dn;
    case 1:
      // attribute types in lower case
      return dn.replace(/(^|,)([A-Za-z]+)=/g, (_, sep: string, type: string) => `${sep}${type.toLowerCase()}=`);
    case 2:
      // a space after each RDN separator (not after escaped commas)
      return dn.replace(/(?<!\\),/g, ', ');
    default:
      // escaped commas as hex escapes
      return dn.replace(/\\,/g, '\\2C');
  }
}

function flipCase(s: string, rng: Rng): string {
  if (!rng.chance(0.3)) return s;
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/@.*/, (d) => (rng.chance(0.5) ? d.toUpperCase() : d));
}

function baseDnOf(domain: string): string {
  return domain
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',');
}

function escapeRdnValue(v: string): string {
  return v
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

function pickSome<T>(rng: Rng, items: T[], n: number): T[] {
  const out = new Set<T>();
  const want = Math.min(n, items.length);
  for (let guard = 0; out.size < want && guard < want * 20; guard++) out.add(items[rng.int(items.length)]!);
  return [...out];
}

export function addDirectories(tenant: Tenant, seed: number): Tenant {
  const rng = Rng.stream(seed, 'directories');
  const id = tenant.identity;
  const fds: Section = {
    users: id.users.filter((u) => serviceOf(tenant, u.directoryServiceUuid) === 'FDS'),
    groups: id.groups.filter((g) => serviceOf(tenant, g.directoryServiceUuid) === 'FDS'),
  };
  const ad: Section = {
    users: id.users.filter((u) => serviceOf(tenant, u.directoryServiceUuid) === 'AdProxy' && u.distinguishedName),
    groups: id.groups.filter((g) => serviceOf(tenant, g.directoryServiceUuid) === 'AdProxy' && g.distinguishedName),
  };

  // Deliberate ambiguities: a second CyberArk group claims an Entra group's object id, and a second CyberArk user
  // claims an AD user's DN (written differently). Neither may produce an edge.
  if (fds.groups.length >= 2) fds.groups[1]!.externalUuid = fds.groups[0]!.externalUuid;
  // Ordinary "Last\, First" users: taking one's DN away loses none of the escape cases the tenant covers.
  const plain = ad.users.filter((u) => /^CN=[^\\]*\\, [^\\]*,OU=Users,DC=/.test(u.distinguishedName!));
  const adAmbiguousUser = plain.length >= 2 ? plain[1]! : undefined;
  if (adAmbiguousUser) {
    const claimed = plain[0]!;
    adAmbiguousUser.distinguishedName = claimed.distinguishedName!.replace(
      /(^|,)([A-Za-z]+)=/g,
      (_, sep: string, type: string) => `${sep}${type.toLowerCase()}=`,
    );
    adAmbiguousUser.description = `${AMBIGUOUS_MARK} ${claimed.username}`;
  }

  const activeDirectory = buildActiveDirectory(tenant, ad, adAmbiguousUser, rng);
  const entra = buildEntra(tenant, fds, ad, activeDirectory, rng);
  return { ...tenant, entra, activeDirectory };
}

function buildActiveDirectory(
  tenant: Tenant,
  ad: Section,
  skipUser: IdentityUser | undefined,
  rng: Rng,
): ActiveDirectorySection {
  const forest = tenant.identity.directoryServices.find((d) => d.service === 'AdProxy')?.forest ?? 'corp.example';
  const baseDn = baseDnOf(forest);
  const domainSid = `S-1-5-21-${rng.range(100000000, 999999999)}-${rng.range(100000000, 999999999)}-${rng.range(100000000, 999999999)}`;
  let rid = 1100;
  const sams = new Set<string>();
  const sam = (wanted: string) => {
    const base = wanted.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 18) || 'user';
    let s = base;
    for (let i = 2; sams.has(s.toLowerCase()); i++) s = `${base.slice(0, 16)}${i}`;
    sams.add(s.toLowerCase());
    return s;
  };
  const users: ADUser[] = [];
  for (const u of ad.users) {
    if (u === skipUser) continue;
    const local = u.username.split('@')[0]!;
    users.push({
      dn: dnVariant(u.distinguishedName!, rng),
      sAMAccountName: sam(local),
      userPrincipalName: u.username,
      displayName: u.displayName,
      mail: u.email,
      objectGUID: rng.guid(),
      objectSid: `${domainSid}-${rid++}`,
      // Disabled in AD: all users CyberArk shows disabled, and a few still active in CyberArk.
      disabled: !u.enabled || rng.chance(0.06),
      lastLogonTimestamp: u.lastLogin,
    });
  }
  const extraUsers = Math.max(3, Math.round(ad.users.length * 0.1));
  for (let i = 0; i < extraUsers; i++) {
    const name = `AD Only User ${i + 1}`;
    users.push({
      dn: `CN=${escapeRdnValue(name)},OU=Users,${baseDn}`,
      sAMAccountName: sam(`adonly${i + 1}`),
      userPrincipalName: `adonly${i + 1}@${tenant.identity.directoryServices.find((d) => d.service === 'AdProxy')?.forest ?? 'corp.example'}`,
      displayName: name,
      mail: null,
      objectGUID: rng.guid(),
      objectSid: `${domainSid}-${rid++}`,
      disabled: rng.chance(0.2),
      lastLogonTimestamp: null,
    });
  }
  const groups: ADGroup[] = ad.groups.map((g) => ({
    dn: dnVariant(g.distinguishedName!, rng),
    sAMAccountName: sam(g.name.split('@')[0]!),
    cn: g.displayName,
    objectGUID: rng.guid(),
    objectSid: `${domainSid}-${rid++}`,
    groupType: -2147483646,
    members: [],
  }));
  const correlated = groups.length;
  const extraGroups = Math.max(2, Math.round(correlated / 2));
  for (let i = 0; i < extraGroups; i++) {
    const cn = i === 0 ? 'Nested, Tier 1 (AD only)' : `AD Nested ${i + 1}`;
    groups.push({
      dn: `CN=${escapeRdnValue(cn)},OU=Groups,${baseDn}`,
      sAMAccountName: sam(`nested${i + 1}`),
      cn,
      objectGUID: rng.guid(),
      objectSid: `${domainSid}-${rid++}`,
      groupType: -2147483646,
      members: [],
    });
  }
  const userDns = users.map((u) => u.dn);
  for (const g of groups) g.members.push(...pickSome(rng, userDns, rng.range(2, 8)));
  // Directory-only groups are nested into correlated ones: their members get access only through nesting.
  if (correlated > 0) {
    for (let i = correlated; i < groups.length; i++) groups[rng.int(correlated)]!.members.push(groups[i]!.dn);
    // A cycle: a correlated group is also a member of its nested child.
    const child = groups[correlated];
    const parent = groups.find((g) => g.members.includes(child?.dn ?? ''));
    if (child && parent) child.members.push(parent.dn);
  }
  for (const g of groups) g.members = [...new Set(g.members)];
  return {
    domain: tenant.identity.directoryServices.find((d) => d.service === 'AdProxy')?.forest ?? 'corp.example',
    baseDn,
    bindDn: `CN=arkgraph-reader,OU=Service Accounts,${baseDn}`,
    bindPassword: `Ldap-${rng.hex(10)}!`,
    users,
    groups,
  };
}

function buildEntra(
  tenant: Tenant,
  fds: Section,
  ad: Section,
  activeDirectory: ActiveDirectorySection,
  rng: Rng,
): EntraSection {
  const fdsService = tenant.identity.directoryServices.find((d) => d.service === 'FDS');
  const tenantId =
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(fdsService?.config ?? '')?.[0] ?? rng.guid();
  const primaryDomain = activeDirectory.domain;
  const users: EntraUser[] = [];
  // Keys in schema order, so that the generated section equals its parsed form byte for byte.
  const member = ({
    id,
    userPrincipalName,
    displayName,
    ...rest
  }: Partial<EntraUser> & Pick<EntraUser, 'id' | 'userPrincipalName' | 'displayName'>): EntraUser => ({
    id,
    userPrincipalName,
    displayName,
    mail: null,
    accountEnabled: true,
    userType: 'Member',
    onPremisesDistinguishedName: null,
    onPremisesSamAccountName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesUserPrincipalName: null,
    onPremisesImmutableId: null,
    onPremisesSyncEnabled: null,
    ...rest,
  });
  for (const u of fds.users) {
    users.push(
      member({
        id: u.externalUuid ?? rng.guid(),
        userPrincipalName: flipCase(u.username, rng),
        displayName: u.displayName,
        mail: u.email,
        accountEnabled: u.enabled && u.status !== 'Suspended' ? !rng.chance(0.08) : false,
      }),
    );
  }
  // Hybrid identities: half of the AD users are synchronised to Entra (same UPN, onPremises* filled).
  const adByUpn = new Map(activeDirectory.users.map((a) => [a.userPrincipalName?.toLowerCase(), a]));
  for (const u of ad.users.filter((_, i) => i % 2 === 0)) {
    const a = adByUpn.get(u.username.toLowerCase());
    if (!a) continue;
    users.push(
      member({
        id: rng.guid(),
        userPrincipalName: flipCase(u.username, rng),
        displayName: u.displayName,
        mail: u.email,
        accountEnabled: !a.disabled,
        onPremisesDistinguishedName: a.dn,
        onPremisesSamAccountName: a.sAMAccountName,
        onPremisesSecurityIdentifier: a.objectSid,
        onPremisesUserPrincipalName: a.userPrincipalName,
        onPremisesImmutableId: Buffer.from(a.objectGUID.replace(/-/g, ''), 'hex').toString('base64'),
        onPremisesSyncEnabled: true,
      }),
    );
  }
  const extra = Math.max(3, Math.round(fds.users.length * 0.1));
  for (let i = 0; i < extra; i++) {
    users.push(
      member({
        id: rng.guid(),
        userPrincipalName: `cloud.only${i + 1}@${primaryDomain}`,
        displayName: `Cloud Only ${i + 1}`,
      }),
    );
  }
  const guests = Math.max(2, Math.round(fds.users.length * 0.03));
  for (let i = 0; i < guests; i++) {
    users.push(
      member({
        id: rng.guid(),
        userPrincipalName: `partner${i + 1}_vendor.example#EXT#@${primaryDomain.split('.')[0]}.onmicrosoft.com`,
        displayName: `Partner ${i + 1} (Vendor)`,
        mail: `partner${i + 1}@vendor.example`,
        userType: 'Guest',
      }),
    );
  }

  const groups: EntraGroup[] = [];
  const seen = new Set<string>();
  for (const g of fds.groups) {
    const gid = g.externalUuid ?? rng.guid();
    if (seen.has(gid.toLowerCase())) continue;
    seen.add(gid.toLowerCase());
    groups.push({
      id: gid,
      displayName: g.displayName,
      mail: null,
      securityEnabled: true,
      groupTypes: [],
      onPremisesSecurityIdentifier: null,
      onPremisesSamAccountName: null,
      onPremisesSyncEnabled: null,
      members: [],
    });
  }
  const correlated = groups.length;
  const extraGroups = Math.max(2, Math.round(correlated / 2));
  for (let i = 0; i < extraGroups; i++) {
    groups.push({
      id: rng.guid(),
      displayName: i === 0 ? 'Cloud Ops – Nested (Entra only)' : `Entra Nested ${i + 1}`,
      mail: null,
      securityEnabled: true,
      groupTypes: [],
      onPremisesSecurityIdentifier: null,
      onPremisesSamAccountName: null,
      onPremisesSyncEnabled: null,
      members: [],
    });
  }
  const memberUsers = users.filter((u) => u.userType === 'Member');
  const guestUsers = users.filter((u) => u.userType === 'Guest');
  for (const g of groups) {
    for (const u of pickSome(rng, memberUsers, rng.range(2, 10))) g.members.push({ type: 'user', id: u.id });
  }
  if (correlated > 0) {
    for (let i = correlated; i < groups.length; i++)
      groups[rng.int(correlated)]!.members.push({ type: 'group', id: groups[i]!.id });
    const child = groups[correlated];
    const parent = groups.find((g) => g.members.some((m) => m.id === child?.id));
    if (child && parent) child.members.push({ type: 'group', id: parent.id });
    if (guestUsers[0]) groups[0]!.members.push({ type: 'user', id: guestUsers[0].id });
  }
  for (const g of groups) {
    const unique = new Map(g.members.map((m) => [`${m.type}|${m.id}`, m]));
    g.members = [...unique.values()];
  }
  return {
    tenantId,
    primaryDomain,
    clients: [{ clientId: rng.guid(), clientSecret: `ent_${rng.hex(16)}` }],
    users,
    groups,
  };
}
