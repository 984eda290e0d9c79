/**
 * Pure parts of the Active Directory source (no server): value conversions, configuration rules, LDAP error
 * mapping, and the LDIF writer.
 */
import { createHash } from 'node:crypto';
import { InvalidCredentialsError, NoSuchObjectError, UnavailableError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/http/errors.js';
import {
  AdValueError,
  canonicalGuid,
  filetimeToIso,
  guidFromBytes,
  guidToBytes,
  isAccountDisabled,
  isoToFiletime,
  isSecurityGroup,
  parseLdapInteger,
  sidFromBytes,
  sidToBytes,
} from '../../src/sources/activedirectory/convert.js';
import { ldapSourceError } from '../../src/sources/activedirectory/errors.js';
import { extractActiveDirectory } from '../../src/sources/activedirectory/extract.js';
import {
  type ActiveDirectoryConfig,
  resolveActiveDirectoryConfig,
} from '../../src/sources/activedirectory/settings.js';
import { activeDirectoryLdif, LdifError, ldifLine, sshaPassword } from '../../src/tenant/ldif.js';
import { fixtureSection } from './fixture.js';

describe('objectGUID', () => {
  it('decodes the reference sample (base64 from an LDIF)', () => {
    expect(guidFromBytes(Buffer.from('ERERESIiMzNERFVVVVVVAQ==', 'base64'))).toBe(
      '11111111-2222-3333-4444-555555555501',
    );
  });

  it('the first three fields are little-endian, the last eight bytes in order (bytes_le)', () => {
    const bytes = Buffer.from('2af8d50bad5ea44c8f7ce4514c27bac7', 'hex');
    expect(guidFromBytes(bytes)).toBe('0bd5f82a-5ead-4ca4-8f7c-e4514c27bac7');
    expect(guidToBytes('{0BD5F82A-5EAD-4CA4-8F7C-E4514C27BAC7}').equals(bytes)).toBe(true);
    expect(canonicalGuid('0BD5F82A-5EAD-4CA4-8F7C-E4514C27BAC7')).toBe('0bd5f82a-5ead-4ca4-8f7c-e4514c27bac7');
  });

  it('rejects anything but 16 bytes and malformed strings', () => {
    expect(() => guidFromBytes(Buffer.alloc(15))).toThrow(new AdValueError('expected 16 bytes, got 15'));
    expect(() => guidToBytes('not-a-guid')).toThrow(AdValueError);
  });
});

describe('objectSid', () => {
  it('decodes the reference sample', () => {
    const bytes = Buffer.from('AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoTQQAAA==', 'base64');
    expect(sidFromBytes(bytes)).toBe('S-1-5-21-1004336348-1177238915-682003330-1101');
    expect(sidToBytes('S-1-5-21-1004336348-1177238915-682003330-1101').equals(bytes)).toBe(true);
  });

  it('well-known SIDs, large sub-authorities and a 48-bit authority round-trip', () => {
    for (const sid of [
      'S-1-5-32-544',
      'S-1-1-0',
      'S-1-5-18',
      'S-1-5-21-4294967295-1-2-3',
      'S-1-0x000100000000-7',
      'S-1-4294967295-7',
    ]) {
      expect(sidFromBytes(sidToBytes(sid))).toBe(sid);
    }
    expect(sidToBytes('S-1-5-32-544').toString('hex')).toBe('01020000000000052000000020020000');
  });

  it('rejects truncated or inconsistent bytes', () => {
    expect(() => sidFromBytes(Buffer.from('0105000000000005', 'hex'))).toThrow(/5 sub-authorities has 28 bytes, got 8/);
    expect(() => sidFromBytes(Buffer.from('02010000000000050000', 'hex'))).toThrow(/revision 2/);
    expect(() => sidFromBytes(Buffer.alloc(4))).toThrow(/at least 8 bytes/);
    expect(() => sidToBytes('S-2-5')).toThrow(AdValueError);
  });
});

describe('FILETIME (lastLogonTimestamp)', () => {
  it('converts 100-ns ticks since 1601 to ISO 8601 UTC', () => {
    expect(filetimeToIso('116444736000000000')).toBe('1970-01-01T00:00:00.000Z');
    expect(filetimeToIso('133000000000000000')).toBe('2022-06-18T04:26:40.000Z');
  });

  it('0 and the maximum Integer8 mean never', () => {
    expect(filetimeToIso('0')).toBeNull();
    expect(filetimeToIso('9223372036854775807')).toBeNull();
  });

  it('round-trips at millisecond precision and rejects junk', () => {
    const iso = '2026-03-01T08:15:30.123Z';
    expect(isoToFiletime(iso)).toBe('134168265301230000');
    expect(filetimeToIso(isoToFiletime(iso))).toBe(iso);
    expect(() => filetimeToIso('12abc')).toThrow(AdValueError);
    expect(() => filetimeToIso('-5')).toThrow(/out of range/);
  });
});

describe('flags and integers', () => {
  it('userAccountControl ACCOUNTDISABLE and groupType security bit', () => {
    expect(isAccountDisabled(512)).toBe(false);
    expect(isAccountDisabled(514)).toBe(true);
    expect(isAccountDisabled(66050)).toBe(true);
    expect(isSecurityGroup(-2147483646)).toBe(true);
    expect(isSecurityGroup(2)).toBe(false);
    expect(parseLdapInteger(' -2147483646 ')).toBe(-2147483646);
    expect(() => parseLdapInteger('5a')).toThrow(AdValueError);
  });
});

describe('configuration', () => {
  const base: ActiveDirectoryConfig = {
    url: 'ldaps://dc1.corp.example',
    bindDn: 'CN=svc,OU=Service,DC=corp,DC=example',
    bindPassword: 'S3cret-bind-pw',
    baseDn: 'DC=corp,DC=example',
  };
  const refused = (override: Partial<ActiveDirectoryConfig>) => {
    try {
      resolveActiveDirectoryConfig({ ...base, ...override });
    } catch (e) {
      expect(e).toBeInstanceOf(SourceError);
      expect((e as SourceError).kind).toBe('config');
      expect((e as SourceError).source).toBe('activedirectory');
      expect((e as Error).message).not.toContain('S3cret-bind-pw');
      return (e as Error).message;
    }
    throw new Error('expected a config error');
  };

  it('defaults: port, page size, domain from the DC= parts', () => {
    const c = resolveActiveDirectoryConfig(base);
    expect(c).toMatchObject({ url: 'ldaps://dc1.corp.example:636', secure: true, startTls: false, pageSize: 500 });
    expect(c.domain).toBe('corp.example');
    expect(resolveActiveDirectoryConfig({ ...base, baseDn: 'OU=Paris,dc=EU,DC=Corp,DC=Example' }).domain).toBe(
      'eu.corp.example',
    );
    expect(resolveActiveDirectoryConfig({ ...base, baseDn: 'O=Acme', domain: 'Acme.Example' }).domain).toBe(
      'acme.example',
    );
  });

  it('ldaps://, ldap:// with StartTLS and plain ldap:// to loopback are allowed', () => {
    expect(resolveActiveDirectoryConfig({ ...base, url: 'ldap://dc1.corp.example', startTls: true }).url).toBe(
      'ldap://dc1.corp.example:389',
    );
    for (const url of ['ldap://127.0.0.1:3389', 'ldap://localhost', 'ldap://[::1]:389']) {
      expect(resolveActiveDirectoryConfig({ ...base, url }).secure).toBe(false);
    }
    expect(resolveActiveDirectoryConfig({ ...base, url: 'ldap://dc1.corp.example', allowInsecure: true }).url).toBe(
      'ldap://dc1.corp.example:389',
    );
  });

  it('plain ldap:// to another host is refused without StartTLS or allowInsecure', () => {
    expect(refused({ url: 'ldap://dc1.corp.example' })).toBe(
      'activedirectory: url: url ldap://dc1.corp.example:389 is not allowed: use ldaps:// or StartTLS (plain ldap:// only for loopback hosts, or set allowInsecure)',
    );
  });

  it('refuses malformed settings with a message naming the setting', () => {
    expect(refused({ url: 'https://dc1' })).toMatch(/scheme https:\/\/ is not supported/);
    expect(refused({ url: 'dc1.corp.example' })).toMatch(/url/);
    expect(refused({ url: 'ldaps://u:p@dc1' })).toMatch(/must not embed credentials/);
    expect(refused({ url: 'ldaps://dc1/DC=corp??sub' })).toMatch(/scheme:\/\/host\[:port\] only/);
    expect(refused({ url: 'ldaps://dc1', startTls: true })).toMatch(/already TLS/);
    expect(refused({ bindPassword: '' })).toMatch(/bindPassword is required/);
    expect(refused({ bindDn: '' })).toMatch(/bindDn is required/);
    expect(refused({ baseDn: 'DC=corp,garbage' })).toMatch(/baseDn is not a valid DN: missing "="/);
    expect(refused({ baseDn: 'O=Acme' })).toMatch(/no DC= components: set the domain name/);
    expect(refused({ pageSize: 0 })).toMatch(/pageSize must be an integer from 1 to 1000/);
    expect(refused({ pageSize: 1001 })).toMatch(/pageSize/);
    expect(refused({ url: 'ldap://127.0.0.1', tlsCaFile: '/ca.pem' })).toMatch(
      /tlsCaFile needs an ldaps:\/\/ URL or StartTLS/,
    );
  });

  it('caFile is an alias of tlsCaFile', () => {
    expect(resolveActiveDirectoryConfig({ ...base, caFile: '/etc/ca.pem' }).tlsCaFile).toBe('/etc/ca.pem');
    expect(resolveActiveDirectoryConfig({ ...base, caFile: '/a', tlsCaFile: '/b' }).tlsCaFile).toBe('/b');
  });

  it('an unreadable CA file fails before any connection', async () => {
    await expect(extractActiveDirectory({ ...base, tlsCaFile: '/nonexistent/ca.pem' })).rejects.toThrow(
      'activedirectory: tlsCaFile: cannot read tlsCaFile /nonexistent/ca.pem: ENOENT',
    );
  });
});

describe('LDAP error mapping', () => {
  it('AD bind failures name the AD reason from the diagnostic', () => {
    const e = ldapSourceError(
      new InvalidCredentialsError(
        '80090308: LdapErr: DSID-0C090447, comment: AcceptSecurityContext error, data 775, v3839',
      ),
      'bind CN=svc,DC=x',
      'ldaps://dc1:636',
    );
    expect(e.message).toBe(
      'activedirectory: bind CN=svc,DC=x: invalid credentials (LDAP result 49): account locked out; server message: 80090308: LdapErr: DSID-0C090447, comment: AcceptSecurityContext error, data 775, v3839',
    );
    expect(e.kind).toBe('auth');
    expect(e.code).toBe('LDAP_49');
  });

  it("ldapts' own default texts are not repeated as server messages", () => {
    expect(ldapSourceError(new NoSuchObjectError(), 'search x', 'o').detail).toBe(
      'no such object (LDAP result 32): check the base DN',
    );
    const busy = ldapSourceError(new UnavailableError(), 'search x', 'o');
    expect(busy.retryable).toBe(true);
    expect(busy.detail).toBe('server unavailable (LDAP result 52)');
  });

  it('socket errors become network or timeout errors on the connect endpoint', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:636'), { code: 'ECONNREFUSED' });
    expect(ldapSourceError(refused, 'bind x', 'ldaps://10.0.0.1:636')).toMatchObject({
      kind: 'network',
      endpoint: 'connect ldaps://10.0.0.1:636',
      retryable: true,
    });
    expect(ldapSourceError(new Error('Connection timeout'), 'bind x', 'ldap://h:389')).toMatchObject({
      kind: 'timeout',
      endpoint: 'connect ldap://h:389',
    });
    const selfSigned = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(ldapSourceError(selfSigned, 'bind x', 'ldaps://h:636').message).toMatch(
      /^activedirectory: tls ldaps:\/\/h:636: TLS handshake failed \(DEPTH_ZERO_SELF_SIGNED_CERT\).*ARKGRAPH_LDAP_CA_FILE/,
    );
    expect(ldapSourceError(new Error('SearchRequest: Operation timed out'), 'search y', 'o')).toMatchObject({
      kind: 'timeout',
      endpoint: 'search y',
    });
  });
});

describe('LDIF writer', () => {
  const section = fixtureSection();
  const ldif = activeDirectoryLdif(section);
  const records = ldif.trimEnd().split('\n\n');
  const dnOf = (record: string) => {
    const line = record.split('\n')[0]!;
    return line.startsWith('dn:: ') ? Buffer.from(line.slice(5), 'base64').toString('utf8') : line.slice(4);
  };

  it('base entry first, containers shallowest first, then the bind account, users, groups, member modifications', () => {
    const dns = records.map(dnOf);
    expect(dns[0]).toBe('DC=corp,DC=example');
    const containers = dns.slice(1, dns.indexOf(section.bindDn));
    expect(new Set(containers.map((d) => d.toLowerCase()))).toEqual(
      new Set(
        [
          'OU=Service Accounts,DC=corp,DC=example',
          'OU=Users,DC=corp,DC=example',
          'OU=IT,DC=corp,DC=example',
          'CN=Users,DC=corp,DC=example',
          'OU=Staff,OU=Users,DC=corp,DC=example',
          'OU=Admins,OU=IT,DC=corp,DC=example',
          'OU=Groups,DC=corp,DC=example',
          'CN=Builtin,DC=corp,DC=example',
        ].map((d) => d.toLowerCase()),
      ),
    );
    const depth = (d: string) => d.split(/(?<!\\),/).length;
    expect(containers.map(depth)).toEqual([...containers.map(depth)].sort((a, b) => a - b));
    const modifications = records.filter((r) => r.includes('changetype: modify'));
    expect(modifications).toHaveLength(section.groups.filter((g) => g.members.length > 0).length);
    expect(records.slice(-modifications.length)).toEqual(modifications);
    expect(records.filter((r) => r.includes('objectClass: user'))).toHaveLength(section.users.length);
  });

  it('writes AD wire forms: binary ids, userAccountControl, FILETIME, base64 for non-ASCII', () => {
    const alice = records.find((r) => dnOf(r) === section.users[0]!.dn)!;
    expect(alice).toContain(`objectGUID:: ${guidToBytes(section.users[0]!.objectGUID).toString('base64')}`);
    expect(alice).toContain(`objectSid:: ${sidToBytes(section.users[0]!.objectSid).toString('base64')}`);
    expect(alice).toContain('userAccountControl: 512');
    expect(alice).toContain(`lastLogonTimestamp: ${isoToFiletime(section.users[0]!.lastLogonTimestamp!)}`);
    expect(alice).toContain('objectCategory: person');
    const disabled = records.find((r) => dnOf(r) === section.users[3]!.dn)!;
    expect(disabled).toContain('userAccountControl: 514');
    expect(disabled.split('\n')[0]).toMatch(/^dn:: /); // José Müller: not ASCII
    expect(ldifLine('cn', ' lead')).toBe(`cn:: ${Buffer.from(' lead').toString('base64')}`);
    expect(ldifLine('cn', ':colon')).toMatch(/^cn:: /);
    expect(ldifLine('cn', 'trail ')).toMatch(/^cn:: /);
    expect(ldifLine('cn', 'plain, text')).toBe('cn: plain, text');
  });

  it('the bind account is a plain inetOrgPerson with an SSHA password', () => {
    const bind = records.find((r) => dnOf(r) === section.bindDn)!;
    expect(bind).not.toContain('objectClass: user');
    const value = /userPassword: \{SSHA\}(\S+)/.exec(bind)![1]!;
    const decoded = Buffer.from(value, 'base64');
    const salt = decoded.subarray(20);
    const digest = createHash('sha1').update(section.bindPassword).update(salt).digest();
    expect(decoded.subarray(0, 20).equals(digest)).toBe(true);
    expect(sshaPassword('x', 'a')).toBe(sshaPassword('x', 'a'));
  });

  it('refuses objects outside the base DN and groups whose cn is not their RDN', () => {
    expect(() =>
      activeDirectoryLdif({ ...section, users: [{ ...section.users[0]!, dn: 'CN=x,DC=other,DC=example' }] }),
    ).toThrow(LdifError);
    expect(() => activeDirectoryLdif({ ...section, groups: [{ ...section.groups[0]!, cn: 'Other' }] })).toThrow(
      /cn "Other" differs from its RDN value "Engineering"/,
    );
  });
});
