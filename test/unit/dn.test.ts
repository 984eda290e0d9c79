import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DnSyntaxError,
  escapeDnValue,
  formatDn,
  isDnWithin,
  normalizeAttributeType,
  normalizeDn,
  parseDn,
  tryNormalizeDn,
} from '../../src/graph/dn.js';

const SMITH = 'cn=smith\\, john,ou=users,dc=corp,dc=example';

describe('normalizeDn: the reference worked examples (entra-ad.md §4.3)', () => {
  it.each([
    ['CN=Smith\\, John,OU=Users,DC=corp,DC=example', SMITH],
    ['cn=Smith\\2C John,ou=Users,dc=corp,dc=example', SMITH], // OpenLDAP's form
    ['cn=smith\\, john, ou=users, dc=CORP, dc=example', SMITH], // spaces after commas, mixed case
    ['CN=Smith\\2c John ,OU=Users,DC=corp,DC=example', SMITH], // lower-case hex, unescaped trailing space
    ['CN=a+SN=b,DC=x', 'cn=a+sn=b,dc=x'],
    ['sn=B+cn=A,dc=X', 'cn=a+sn=b,dc=x'],
    ['CN=J\\C3\\BCrgen M\\C3\\BCller,DC=x', 'cn=jürgen müller,dc=x'],
    ['CN=Jürgen Müller,DC=x', 'cn=jürgen müller,dc=x'],
    ['CN=\\ lead,DC=x', 'cn=lead,dc=x'],
    ['CN=trail\\ ,DC=x', 'cn=trail,dc=x'],
    ['2.5.4.3=Alice,0.9.2342.19200300.100.1.25=corp', 'cn=alice,dc=corp'],
    ['CN=Alice   Adams,DC=x', 'cn=alice adams,dc=x'],
    ['CN=\\#1 Fan,DC=x', 'cn=\\#1 fan,dc=x'],
    ['CN=#04024869,DC=x', 'cn=#04024869,dc=x'],
  ])('%s → %s', (input, key) => {
    expect(normalizeDn(input)).toBe(key);
  });

  it('CN=x,garbage throws', () => {
    expect(() => normalizeDn('CN=x,garbage')).toThrow(DnSyntaxError);
    expect(() => normalizeDn('CN=x,garbage')).toThrow(/missing "=" after "garbage"/);
  });
});

describe('normalizeDn: escapes', () => {
  it.each([
    ['CN=a\\,b,DC=x', 'cn=a\\,b,dc=x'],
    ['CN=a\\+b,DC=x', 'cn=a\\+b,dc=x'],
    ['CN=a\\"b,DC=x', 'cn=a\\"b,dc=x'],
    ['CN=a\\\\b,DC=x', 'cn=a\\\\b,dc=x'],
    ['CN=a\\<b\\>,DC=x', 'cn=a\\<b\\>,dc=x'],
    ['CN=a\\;b,DC=x', 'cn=a\\;b,dc=x'],
    ['CN=a\\=b,DC=x', 'cn=a\\=b,dc=x'],
    ['CN=a=b,DC=x', 'cn=a\\=b,dc=x'], // '=' may appear unescaped in a value; the key escapes it
    ['CN=a#b,DC=x', 'cn=a#b,dc=x'], // '#' needs escaping only in front
    ['CN=\\#,DC=x', 'cn=\\#,dc=x'],
  ])('%s → %s', (input, key) => {
    expect(normalizeDn(input)).toBe(key);
  });

  it('every hex-escaped spelling of a special character gives the same key', () => {
    const specials = [',', '+', '"', '\\', '<', '>', ';', '=', '#'];
    for (const c of specials) {
      const hex = c.charCodeAt(0).toString(16);
      const a = normalizeDn(`CN=x\\${c}y,DC=x`);
      expect(normalizeDn(`CN=x\\${hex}y,DC=x`)).toBe(a);
      expect(normalizeDn(`CN=x\\${hex.toUpperCase()}y,DC=x`)).toBe(a);
    }
  });

  it('hex escapes are UTF-8 bytes: é written as \\c3\\a9, \\C3\\A9 or é is one key', () => {
    const key = normalizeDn('CN=Andr\\c3\\a9,OU=Users,DC=corp,DC=example');
    expect(key).toBe('cn=andré,ou=users,dc=corp,dc=example');
    expect(normalizeDn('CN=Andr\\C3\\A9,OU=Users,DC=corp,DC=example')).toBe(key);
    expect(normalizeDn('CN=ANDRÉ,OU=Users,DC=corp,DC=example')).toBe(key);
    // decomposed é (e + U+0301) is NFKC-normalised to the precomposed character
    expect(normalizeDn('CN=Andre\u0301,OU=Users,DC=corp,DC=example')).toBe(key);
  });

  it('four-byte UTF-8 (an emoji) escaped or literal', () => {
    expect(normalizeDn('CN=a\\F0\\9F\\98\\80,DC=x')).toBe('cn=a😀,dc=x');
    expect(normalizeDn('CN=a😀,DC=x')).toBe('cn=a😀,dc=x');
  });

  it('escaped spaces are kept by the parser but are insignificant in the key', () => {
    expect(parseDn('CN=\\ a\\ ,DC=x')[0]![0]!.value).toBe(' a ');
    expect(parseDn('CN=a \\20,DC=x')[0]![0]!.value).toBe('a  ');
    expect(normalizeDn('CN=\\ a\\ ,DC=x')).toBe('cn=a,dc=x');
    expect(normalizeDn('CN=a\\20\\20b,DC=x')).toBe('cn=a b,dc=x');
  });

  it('NUL is re-escaped as \\00', () => {
    expect(normalizeDn('CN=a\\00b,DC=x')).toBe('cn=a\\00b,dc=x');
  });
});

describe('normalizeDn: types, spaces, separators, multi-valued RDNs', () => {
  it('attribute types: case, OIDs, oid. prefix, long names', () => {
    expect(normalizeDn('commonName=A,organizationalUnitName=B,organizationName=C,domainComponent=d')).toBe(
      'cn=a,ou=b,o=c,dc=d',
    );
    expect(normalizeDn('OID.2.5.4.3=A,oid.2.5.4.11=B,2.5.4.10=C,0.9.2342.19200300.100.1.1=u')).toBe(
      'cn=a,ou=b,o=c,uid=u',
    );
    expect(normalizeDn('CommonName=A,userid=u,EmailAddress=x@y')).toBe('cn=a,uid=u,emailaddress=x@y');
    expect(normalizeDn('E=x@Y,C=DE,L=Berlin,ST=BE,street=Main')).toBe(
      'emailaddress=x@y,c=de,l=berlin,st=be,street=main',
    );
    expect(normalizeAttributeType(' CN ')).toBe('cn');
    expect(normalizeAttributeType('1.2.840.113556.1.4.221')).toBe('1.2.840.113556.1.4.221');
    expect(normalizeAttributeType('sAMAccountName')).toBe('samaccountname');
  });

  it('spaces around separators and "=" are insignificant', () => {
    const key = 'cn=alice adams,ou=users,dc=corp,dc=example';
    expect(normalizeDn('  CN = Alice Adams , OU = Users ,  DC = corp ,DC=example  ')).toBe(key);
    expect(normalizeDn('cn=Alice Adams;ou=Users;dc=corp;dc=example')).toBe(key);
    expect(normalizeDn('cn=Alice\tAdams,ou=Users,dc=corp,dc=example')).toBe(key);
    expect(normalizeDn('cn=Alice\u00a0Adams,ou=Users,dc=corp,dc=example')).toBe(key);
  });

  it('multi-valued RDNs are sorted, with spaces around "+" tolerated', () => {
    expect(normalizeDn('uid=jdoe + CN=John Doe,OU=People,DC=x')).toBe('cn=john doe+uid=jdoe,ou=people,dc=x');
    expect(normalizeDn('CN=John Doe+uid=jdoe,OU=People,DC=x')).toBe('cn=john doe+uid=jdoe,ou=people,dc=x');
    expect(normalizeDn('cn=b+cn=a,dc=x')).toBe('cn=a+cn=b,dc=x');
  });

  it('a multi-valued RDN is not the same DN as two RDNs', () => {
    expect(normalizeDn('cn=a+sn=b,dc=x')).not.toBe(normalizeDn('cn=a,sn=b,dc=x'));
  });

  it('RFC 2253 quoted values', () => {
    expect(normalizeDn('CN="Smith, John",OU=Users,DC=corp,DC=example')).toBe(SMITH);
    expect(normalizeDn('CN="a+b;c\\"d" ,DC=x')).toBe('cn=a\\+b\\;c\\"d,dc=x');
  });

  it('BER (#hex) values: string types are decoded, others kept as lower-case hex', () => {
    expect(normalizeDn('CN=#0C024869,DC=x')).toBe('cn=hi,dc=x'); // UTF8String "Hi"
    expect(normalizeDn('CN=#13024869,DC=x')).toBe('cn=hi,dc=x'); // PrintableString
    expect(normalizeDn('CN=#16024869,DC=x')).toBe('cn=hi,dc=x'); // IA5String
    expect(normalizeDn('CN=#04024869,DC=x')).toBe('cn=#04024869,dc=x'); // OCTET STRING
    expect(normalizeDn('CN=#0C034869,DC=x')).toBe('cn=#0c034869,dc=x'); // wrong length: kept as hex
    expect(normalizeDn('CN=#0402ABCD ,DC=x')).toBe('cn=#0402abcd,dc=x');
    expect(parseDn('CN=#0402ABCD')[0]![0]).toEqual({ type: 'CN', value: '#0402ABCD', hex: '0402abcd' });
  });

  it('the empty DN is the root; an empty value is allowed', () => {
    expect(parseDn('')).toEqual([]);
    expect(parseDn('   ')).toEqual([]);
    expect(normalizeDn('')).toBe('');
    expect(normalizeDn('CN=,DC=x')).toBe('cn=,dc=x');
  });

  it('the key is idempotent and parses back to itself', () => {
    for (const dn of [
      'CN=Smith\\, John,OU=Users,DC=corp,DC=example',
      'CN=\\#1 Fan+SN=x\\+y,DC=x',
      'CN=a\\<b\\>\\;\\"\\\\,DC=x',
      'CN=Jürgen,DC=x',
      'CN=#04024869,DC=x',
    ]) {
      const key = normalizeDn(dn);
      expect(normalizeDn(key)).toBe(key);
    }
  });
});

describe('parseDn', () => {
  it('returns RDNs leaf first with types as written and values decoded', () => {
    expect(parseDn('CN=Smith\\2C John+UID=js,OU=Users,DC=corp')).toEqual([
      [
        { type: 'CN', value: 'Smith, John' },
        { type: 'UID', value: 'js' },
      ],
      [{ type: 'OU', value: 'Users' }],
      [{ type: 'DC', value: 'corp' }],
    ]);
  });

  it('formatDn writes RFC 4514 strings that parse back to the same RDNs', () => {
    const rdns = parseDn('CN=\\ Smith\\, John\\ ,OU=a\\+b\\#,DC=corp');
    const text = formatDn(rdns);
    expect(text).toBe('CN=\\ Smith\\, John\\ ,OU=a\\+b#,DC=corp');
    expect(parseDn(text)).toEqual(rdns);
    expect(escapeDnValue('#a b ')).toBe('\\#a b\\ ');
  });
});

describe('malformed DNs throw DnSyntaxError with the offset and the reason', () => {
  it.each([
    ['CN=x,garbage', /missing "="/],
    ['garbage', /missing "="/],
    ['cn=a,,dc=b', /empty RDN/],
    [',cn=a', /empty RDN/],
    ['cn=a,', /empty RDN after the last separator/],
    ['cn=a+', /empty AVA after "\+"/],
    ['cn=a++sn=b', /empty RDN|missing "="/],
    ['=a', /empty attribute type/],
    ['c n=a', /invalid attribute type "c n"/],
    ['1cn=a', /invalid attribute type/],
    ['2.5.04.3=a', /invalid attribute type/],
    ['cn=a\\', /dangling escape/],
    ['cn=a\\z', /invalid escape "\\z"/],
    ['cn=a\\4g', /invalid escape/],
    ['cn=\\ff', /not valid UTF-8/],
    ['cn=\\c3', /not valid UTF-8/],
    ['cn=\\c3\\28', /not valid UTF-8/],
    ['cn=#', /even, non-zero number of hex digits/],
    ['cn=#abc', /even, non-zero number of hex digits/],
    ['cn=#abzz', /unexpected "z" after a "#" hex value/],
    ['cn=a"b', /unescaped '"'/],
    ['cn=a<b', /unescaped '<'/],
    ['cn=a>b', /unescaped '>'/],
    ['cn=a\0b', /unescaped NUL/],
    ['cn="abc', /unterminated quoted value/],
    ['cn="a"b', /unexpected "b" after a quoted value/],
    ['cn=a+cn=A', /duplicate AVA/],
  ])('%j', (dn, message) => {
    let error: unknown;
    try {
      normalizeDn(dn);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DnSyntaxError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(JSON.stringify(dn));
    expect(tryNormalizeDn(dn)).toBeNull();
  });

  it('reports the offset', () => {
    try {
      parseDn('cn=a,ou=b\\q');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DnSyntaxError);
      expect((e as DnSyntaxError).offset).toBe(9);
      expect((e as DnSyntaxError).reason).toMatch(/invalid escape/);
    }
  });
});

describe('isDnWithin', () => {
  it('compares the base by normalised key', () => {
    expect(isDnWithin('CN=Smith\\, John,OU=Users,DC=corp,DC=example', 'dc=CORP, dc=example')).toBe(true);
    expect(isDnWithin('DC=corp,DC=example', 'DC=corp,DC=example')).toBe(true);
    expect(isDnWithin('CN=a,DC=other,DC=example', 'DC=corp,DC=example')).toBe(false);
    expect(isDnWithin('DC=example', 'DC=corp,DC=example')).toBe(false);
  });
});

describe('properties', () => {
  const valueChar = fc.constantFrom(...'aAbBzZ09 ,+"\\<>;=#éÉü-_.'.split(''));
  const value = fc.array(valueChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
  const type = fc.constantFrom('cn', 'CN', 'ou', 'OU', 'dc', 'commonName', '2.5.4.3', 'uid');
  const rdns = fc.array(fc.array(fc.record({ type, value }), { minLength: 1, maxLength: 1 }), {
    minLength: 1,
    maxLength: 4,
  });

  it('formatDn → parseDn round-trips (modulo edge spaces), and keys are idempotent', () => {
    fc.assert(
      fc.property(rdns, (r) => {
        const text = formatDn(r);
        const parsed = parseDn(text);
        expect(parsed).toEqual(r);
        const key = normalizeDn(text);
        expect(normalizeDn(key)).toBe(key);
      }),
    );
  });

  it('escaping every character as hex does not change the key', () => {
    fc.assert(
      fc.property(rdns, (r) => {
        const hexed = r
          .map((rdn) =>
            rdn
              .map(
                (a) =>
                  `${a.type}=${[...Buffer.from(a.value, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}`,
              )
              .join('+'),
          )
          .join(',');
        expect(normalizeDn(hexed)).toBe(normalizeDn(formatDn(r)));
      }),
    );
  });

  it('case and spaces after separators do not change the key', () => {
    fc.assert(
      fc.property(rdns, (r) => {
        const text = formatDn(r);
        const upper = formatDn(r.map((rdn) => rdn.map((a) => ({ ...a, value: a.value.toUpperCase() }))));
        expect(normalizeDn(upper)).toBe(normalizeDn(text));
        expect(normalizeDn(r.map((rdn) => formatDn([rdn])).join(' ,  '))).toBe(normalizeDn(text));
      }),
    );
  });
});
