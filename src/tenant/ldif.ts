/**
 * A tenant's `activeDirectory` section as LDIF for the test LDAP server (OpenLDAP slapd with the AD-like schema in
 * tools/slapd/adlite.schema, loaded online with `ldapadd` so the memberof overlay maintains `memberOf`).
 *
 * Order: the base entry, the containers between the base and the objects (OUs, `CN=` containers, sub-domains,
 * shallowest first), the bind account, users, groups without members, then one `changetype: modify` record per group
 * adding its `member` values. Adding members only once every entry exists lets the overlay write `memberOf` on each
 * member (a member added before its entry exists would be ignored) and accepts nesting cycles.
 *
 * Values follow AD's wire forms: objectGUID and objectSid as binary (`attr:: base64`) in AD's byte order,
 * userAccountControl 512 (enabled) or 514 (disabled), lastLogonTimestamp as a FILETIME, objectCategory `person` or
 * `group` (a plain string in the test schema, a DN in AD). DNs are written as the section spells them (escaped
 * commas, `+`, accents …); containers are derived from them and deduplicated by normalised DN.
 */
import { createHash } from 'node:crypto';
import {
  DnSyntaxError,
  formatDn,
  normalizeAttributeType,
  normalizeRdns,
  parseDn,
  prepareDnValue,
  type Rdn,
} from '../graph/dn.js';
import { guidToBytes, isoToFiletime, sidToBytes } from '../sources/activedirectory/convert.js';
import type { ActiveDirectorySection } from './format/index.js';

export class LdifError extends Error {
  override readonly name = 'LdifError';
}

/** RFC 2849 SAFE-STRING: printable ASCII, not starting with space, ':' or '<', not ending with a space. */
function isSafeString(value: string): boolean {
  if (value === '') return true;
  if (/^[ :<]/.test(value) || value.endsWith(' ')) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13 || c > 0x7e) return false;
  }
  return true;
}

/** One `attr: value` line, base64-encoded (`attr:: …`) when the value is binary or not a SAFE-STRING. */
export function ldifLine(attribute: string, value: string | Uint8Array): string {
  if (typeof value !== 'string') return `${attribute}:: ${Buffer.from(value).toString('base64')}`;
  return isSafeString(value)
    ? `${attribute}: ${value}`
    : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** `{SSHA}` userPassword value; the salt is derived from `saltFrom` so the LDIF is deterministic. */
export function sshaPassword(password: string, saltFrom: string): string {
  const salt = createHash('sha256').update(`arkgraph-ldif:${saltFrom}`).digest().subarray(0, 8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

interface ParsedDn {
  text: string;
  rdns: Rdn[];
  key: string;
}

function parse(dn: string, what: string): ParsedDn {
  try {
    const rdns = parseDn(dn);
    return { text: dn, rdns, key: normalizeRdns(rdns, dn) };
  } catch (e) {
    if (e instanceof DnSyntaxError) throw new LdifError(`${what}: ${e.message}`);
    throw e;
  }
}

/** The RDN's AVAs as attribute lines (slapd requires the naming values to be present in the entry). */
function rdnLines(rdn: Rdn): string[] {
  return rdn.map((a) => {
    if (a.hex !== undefined) throw new LdifError(`BER (#hex) RDN values are not supported: ${a.type}=${a.value}`);
    return ldifLine(a.type, a.value);
  });
}

const rdnValue = (rdn: Rdn, type: string) => rdn.find((a) => normalizeAttributeType(a.type) === type)?.value;

function containerLines(rdn: Rdn, dn: string): string[] {
  const type = normalizeAttributeType(rdn[0]!.type);
  const classes: Record<string, string[]> = {
    ou: ['top', 'organizationalUnit'],
    cn: ['top', 'container'],
    dc: ['top', 'domain'],
    o: ['top', 'organization'],
  };
  const oc = rdn.length === 1 ? classes[type] : undefined;
  if (!oc) throw new LdifError(`cannot create the container ${dn}: its RDN must be one OU=, CN=, DC= or O= value`);
  return [...oc.map((c) => ldifLine('objectClass', c)), ...rdnLines(rdn)];
}

function entry(dn: string, lines: string[]): string {
  return [ldifLine('dn', dn), ...lines].join('\n');
}

/** The LDIF that loads `section` into an empty slapd database whose suffix is `section.baseDn`. */
export function activeDirectoryLdif(section: ActiveDirectorySection): string {
  const base = parse(section.baseDn, 'baseDn');
  if (base.rdns.length === 0) throw new LdifError('baseDn is empty');
  const baseSuffixKey = base.key;
  const within = (p: ParsedDn, what: string) => {
    const tail = p.rdns.slice(p.rdns.length - base.rdns.length);
    if (p.rdns.length <= base.rdns.length || normalizeRdns(tail) !== baseSuffixKey) {
      throw new LdifError(`${what} ${p.text} is not below the base DN ${section.baseDn}`);
    }
  };

  const users = section.users.map((u, i) => ({ u, dn: parse(u.dn, `users[${i}].dn`) }));
  const groups = section.groups.map((g, i) => ({ g, dn: parse(g.dn, `groups[${i}].dn`) }));
  const bind = parse(section.bindDn, 'bindDn');
  for (const { dn } of users) within(dn, 'user');
  for (const { dn } of groups) within(dn, 'group');
  within(bind, 'bindDn');

  // Containers between the base and every object, shallowest first, deduplicated by normalised DN.
  const objectKeys = new Set([...users, ...groups].map((x) => x.dn.key));
  const containers = new Map<string, { depth: number; dn: string; rdn: Rdn }>();
  for (const p of [...users.map((x) => x.dn), ...groups.map((x) => x.dn), bind]) {
    for (let i = 1; i < p.rdns.length - base.rdns.length; i++) {
      const rdns = p.rdns.slice(i);
      const key = normalizeRdns(rdns);
      if (objectKeys.has(key)) throw new LdifError(`${p.text} is below ${formatDn(rdns)}, which is a user or group`);
      if (!containers.has(key)) containers.set(key, { depth: rdns.length, dn: formatDn(rdns), rdn: rdns[0]! });
    }
  }

  const out: string[] = [];
  out.push(entry(section.baseDn, containerLines(base.rdns[0]!, section.baseDn)));
  for (const c of [...containers.values()].sort((a, b) => a.depth - b.depth)) {
    out.push(entry(c.dn, containerLines(c.rdn, c.dn)));
  }

  const password = ldifLine('userPassword', sshaPassword(section.bindPassword, bind.key));
  const bindIsUser = users.some((x) => x.dn.key === bind.key);
  if (!bindIsUser) {
    // A plain inetOrgPerson: not an AD `user`, so the extractor's user search does not return it.
    const rdn = bind.rdns[0]!;
    const cn = rdnValue(rdn, 'cn');
    const sn = rdnValue(rdn, 'sn') ?? cn ?? 'reader';
    out.push(
      entry(section.bindDn, [
        ...['top', 'person', 'organizationalPerson', 'inetOrgPerson'].map((c) => ldifLine('objectClass', c)),
        ...rdnLines(rdn),
        ...(cn === undefined ? [ldifLine('cn', sn)] : []),
        ...(rdnValue(rdn, 'sn') === undefined ? [ldifLine('sn', sn)] : []),
        password,
      ]),
    );
  }

  for (const { u, dn } of users) {
    const rdn = dn.rdns[0]!;
    const cn = rdnValue(rdn, 'cn');
    const name = cn ?? u.displayName ?? u.sAMAccountName;
    const sn = rdnValue(rdn, 'sn') ?? name.trim().split(/\s+/).pop() ?? u.sAMAccountName;
    const lines = [
      ...['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'user'].map((c) => ldifLine('objectClass', c)),
      ...rdnLines(rdn),
      ...(cn === undefined ? [ldifLine('cn', name)] : []),
      ...(rdnValue(rdn, 'sn') === undefined ? [ldifLine('sn', sn === '' ? u.sAMAccountName : sn)] : []),
      ldifLine('sAMAccountName', u.sAMAccountName),
      ...(u.userPrincipalName ? [ldifLine('userPrincipalName', u.userPrincipalName)] : []),
      ...(u.displayName ? [ldifLine('displayName', u.displayName)] : []),
      ...(u.mail ? [ldifLine('mail', u.mail)] : []),
      ldifLine('objectCategory', 'person'),
      ldifLine('userAccountControl', u.disabled ? '514' : '512'),
      ldifLine('objectGUID', guidToBytes(u.objectGUID)),
      ldifLine('objectSid', sidToBytes(u.objectSid)),
      ...(u.lastLogonTimestamp ? [ldifLine('lastLogonTimestamp', isoToFiletime(u.lastLogonTimestamp))] : []),
      ...(dn.key === bind.key ? [password] : []),
    ];
    out.push(entry(u.dn, lines));
  }

  for (const { g, dn } of groups) {
    const rdn = dn.rdns[0]!;
    const cn = rdnValue(rdn, 'cn');
    if (cn !== undefined && prepareDnValue(cn) !== prepareDnValue(g.cn)) {
      throw new LdifError(`group ${g.dn}: cn "${g.cn}" differs from its RDN value "${cn}" (in AD they are one value)`);
    }
    out.push(
      entry(g.dn, [
        ...['top', 'group'].map((c) => ldifLine('objectClass', c)),
        ...rdnLines(rdn),
        ...(cn === undefined ? [ldifLine('cn', g.cn)] : []),
        ldifLine('sAMAccountName', g.sAMAccountName),
        ldifLine('objectCategory', 'group'),
        ldifLine('groupType', String(g.groupType)),
        ldifLine('objectGUID', guidToBytes(g.objectGUID)),
        ldifLine('objectSid', sidToBytes(g.objectSid)),
      ]),
    );
  }

  for (const { g } of groups) {
    if (g.members.length === 0) continue;
    out.push(
      entry(g.dn, [
        'changetype: modify',
        'add: member',
        ...g.members.map((m, j) => {
          parse(m, `group ${g.dn} members[${j}]`);
          return ldifLine('member', m);
        }),
        '-',
      ]),
    );
  }

  return `${out.join('\n\n')}\n`;
}
