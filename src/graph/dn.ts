/**
 * Distinguished names: an RFC 4514 parser and the comparison key arkgraph correlates AD objects by.
 *
 * The same DN is written in many equivalent ways: `CN=Smith\, John,OU=Users,DC=corp,DC=example` (AD) and
 * `cn=Smith\2C John,ou=Users,dc=corp,dc=example` (OpenLDAP) name one entry. `normalizeDn` maps every spelling of a
 * DN to one key, following RFC 4514 (string form) and RFC 4517 distinguishedNameMatch with the RFC 4518 preparation
 * of caseIgnoreMatch values (cn, ou, dc, o, …):
 *
 * - attribute types are case-folded, `oid.` prefixes dropped, OIDs and long names mapped to the short name
 *   (`2.5.4.3`, `commonName` → `cn`);
 * - values are decoded (`\,` `\+` `\"` `\\` `\<` `\>` `\;` `\#` `\=` `\ ` and hex pairs such as `\2C` or the UTF-8
 *   sequence `\C3\A9`), Unicode-normalised (NFKC), lower-cased, inner whitespace runs collapsed to one space and
 *   trimmed (leading and trailing spaces are insignificant for caseIgnoreMatch, even escaped ones);
 * - a value written `#<hex>` is BER: a UTF8String, PrintableString or IA5String is decoded and compared as that
 *   string, anything else is kept as `#<lower-case hex>`;
 * - the AVAs of a multi-valued RDN (`cn=a+sn=b`) are sorted; values are re-escaped canonically (`\` `,` `+` `"` `<`
 *   `>` `;` `=`, a leading `#`, NUL as `\00`); RDNs are joined with `,` and no spaces.
 *
 * Tolerated legacy input: `;` as an RDN separator, spaces around `,` `+` `=` (RFC 2253-era `cn=a, ou=b`), and RFC
 * 2253 quoted values (`CN="Smith, John"`). Everything else that RFC 4514 forbids (a missing `=`, an empty RDN, an
 * unescaped `"` `<` `>` or NUL inside a value, an escape of an ordinary character, a dangling `\`, hex escapes that
 * are not UTF-8, an odd-length `#hex` value, an attribute type that is neither a name nor an OID) throws
 * DnSyntaxError.
 *
 * Limits: `toLowerCase()` is not full Unicode case folding (`ß` stays `ß`), and every attribute is treated as
 * case-insensitive; neither matters for AD user and group DNs.
 */

/** One attribute value assertion of an RDN. */
export interface DnAva {
  /** The attribute type as written, trimmed (`CN`, `2.5.4.3`, `oid.2.5.4.3`). */
  type: string;
  /** The value with escapes decoded and unescaped edge spaces removed; for a BER value, `#` + the hex as written. */
  value: string;
  /** For a `#<hex>` (BER) value only: the hex digits, lower-cased. */
  hex?: string;
}

/** A relative distinguished name: one AVA, or several for a multi-valued RDN (`cn=a+sn=b`). */
export type Rdn = DnAva[];

export class DnSyntaxError extends Error {
  override readonly name = 'DnSyntaxError';
  constructor(
    readonly dn: string,
    readonly reason: string,
    /** Offset in `dn` where the problem was found, when there is one. */
    readonly offset?: number,
  ) {
    const shown = dn.length > 200 ? `${dn.slice(0, 200)}…` : dn;
    super(`invalid DN${offset === undefined ? '' : ` at offset ${offset}`}: ${reason}: ${JSON.stringify(shown)}`);
  }
}

const HEX_DIGIT = /^[0-9a-fA-F]$/;
/** Characters that may follow a backslash (RFC 4514 `special` and `\`); hex pairs are handled separately. */
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);
/** Characters that must be escaped inside an unquoted value. */
const MUST_ESCAPE = new Set(['"', '<', '>', '\0']);
const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERIC_OID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const isSpace = (c: string | undefined) => c === ' ';
const isSeparator = (c: string | undefined) => c === ',' || c === ';' || c === '+';

/**
 * Parses a DN string (RFC 4514, with the legacy tolerances listed above) into its RDNs, leaf first as written.
 * The empty DN (or only spaces) is the root: `[]`.
 */
export function parseDn(dn: string): Rdn[] {
  const len = dn.length;
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new DnSyntaxError(dn, reason, at);
  };
  const skipSpaces = () => {
    while (isSpace(dn[pos])) pos++;
  };

  /** Reads `\x` or `\hh` at `pos` (which is on the backslash) into `bytes`. */
  const readEscape = (bytes: number[]) => {
    const a = dn[pos + 1];
    const b = dn[pos + 2];
    if (a === undefined) fail('dangling escape "\\" at the end');
    if (HEX_DIGIT.test(a!) && b !== undefined && HEX_DIGIT.test(b)) {
      bytes.push(Number.parseInt(a! + b, 16));
      pos += 3;
      return;
    }
    if (!ESCAPABLE.has(a!)) fail(`invalid escape "\\${a}" (only special characters and hex pairs can be escaped)`);
    bytes.push(a!.charCodeAt(0));
    pos += 2;
  };

  /** Appends the UTF-8 bytes of the (possibly astral) character at `pos` and moves past it. */
  const pushCodePoint = (bytes: number[]) => {
    const cp = dn.codePointAt(pos)!;
    const ch = String.fromCodePoint(cp);
    if (cp < 0x80) bytes.push(cp);
    else for (const byte of Buffer.from(ch, 'utf8')) bytes.push(byte);
    pos += ch.length;
  };

  const decode = (bytes: number[], start: number): string => {
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      return fail('value is not valid UTF-8 (check its hex escapes)', start);
    }
  };

  /** After a value: only spaces, then a separator or the end. */
  const expectValueEnd = (what: string) => {
    skipSpaces();
    if (pos < len && !isSeparator(dn[pos])) fail(`unexpected "${dn[pos]}" after ${what}`);
  };

  const readType = (): string => {
    const start = pos;
    while (pos < len && dn[pos] !== '=' && !isSeparator(dn[pos])) pos++;
    if (pos >= len || dn[pos] !== '=') {
      const text = dn.slice(start, pos).trim();
      return fail(text === '' ? 'empty RDN' : `missing "=" after "${text}"`, start);
    }
    const type = dn.slice(start, pos).trim();
    if (type === '') fail('empty attribute type', start);
    const bare = type.toLowerCase().startsWith('oid.') ? type.slice(4) : type;
    if (!DESCR.test(bare) && !NUMERIC_OID.test(bare)) fail(`invalid attribute type "${type}"`, start);
    pos++; // '='
    return type;
  };

  const readValue = (type: string): DnAva => {
    skipSpaces();
    const start = pos;
    if (dn[pos] === '#') {
      pos++;
      const hexStart = pos;
      while (pos < len && HEX_DIGIT.test(dn[pos]!)) pos++;
      const hex = dn.slice(hexStart, pos);
      if (hex.length === 0 || hex.length % 2 !== 0)
        fail('a "#" value needs an even, non-zero number of hex digits', start);
      expectValueEnd('a "#" hex value');
      return { type, value: `#${hex}`, hex: hex.toLowerCase() };
    }
    const bytes: number[] = [];
    if (dn[pos] === '"') {
      // RFC 2253 quoted value: everything up to the closing quote, escapes still apply.
      pos++;
      for (;;) {
        const c = dn[pos];
        if (c === undefined) fail('unterminated quoted value', start);
        if (c === '"') break;
        if (c === '\\') readEscape(bytes);
        else pushCodePoint(bytes);
      }
      pos++;
      expectValueEnd('a quoted value');
      return { type, value: decode(bytes, start) };
    }
    let trailingSpaces = 0;
    while (pos < len) {
      const c = dn[pos]!;
      if (isSeparator(c)) break;
      if (c === '\\') {
        readEscape(bytes);
        trailingSpaces = 0;
        continue;
      }
      if (MUST_ESCAPE.has(c)) fail(`unescaped ${c === '\0' ? 'NUL' : `'${c}'`} in a value`);
      pushCodePoint(bytes);
      trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
    }
    if (trailingSpaces > 0) bytes.length -= trailingSpaces;
    return { type, value: decode(bytes, start) };
  };

  const rdns: Rdn[] = [];
  skipSpaces();
  if (pos >= len) return rdns;
  let rdn: Rdn = [];
  for (;;) {
    skipSpaces();
    const type = readType();
    rdn.push(readValue(type));
    skipSpaces();
    if (pos >= len) {
      rdns.push(rdn);
      return rdns;
    }
    const sep = dn[pos]!;
    pos++;
    if (sep !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
    skipSpaces();
    if (pos >= len) fail(sep === '+' ? 'empty AVA after "+"' : 'empty RDN after the last separator', pos - 1);
  }
}

/** Short names for OIDs and long names of the attribute types that appear in directory DNs. */
const TYPE_ALIASES: Readonly<Record<string, string>> = (() => {
  const table: [short: string, oid: string, ...aliases: string[]][] = [
    ['cn', '2.5.4.3', 'commonname'],
    ['sn', '2.5.4.4', 'surname'],
    ['serialnumber', '2.5.4.5'],
    ['c', '2.5.4.6', 'countryname'],
    ['l', '2.5.4.7', 'localityname'],
    ['st', '2.5.4.8', 'stateorprovincename'],
    ['street', '2.5.4.9', 'streetaddress'],
    ['o', '2.5.4.10', 'organizationname'],
    ['ou', '2.5.4.11', 'organizationalunitname'],
    ['title', '2.5.4.12'],
    ['givenname', '2.5.4.42', 'gn'],
    ['initials', '2.5.4.43'],
    ['dnqualifier', '2.5.4.46'],
    ['dc', '0.9.2342.19200300.100.1.25', 'domaincomponent'],
    ['uid', '0.9.2342.19200300.100.1.1', 'userid'],
    ['emailaddress', '1.2.840.113549.1.9.1', 'email', 'e'],
  ];
  const out: Record<string, string> = {};
  for (const [short, oid, ...aliases] of table) {
    out[oid] = short;
    for (const a of aliases) out[a] = short;
  }
  return out;
})();

/** The canonical form of an attribute type: lower case, no `oid.` prefix, OIDs and long names → short name. */
export function normalizeAttributeType(type: string): string {
  let t = type.trim().toLowerCase();
  if (t.startsWith('oid.')) t = t.slice(4);
  return TYPE_ALIASES[t] ?? t;
}

/** RFC 4518-style preparation of a caseIgnoreMatch value: NFKC, lower case, whitespace runs → one space, trim. */
export function prepareDnValue(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Escapes a value for the RFC 4514 string form (what `formatDn` and the normalised key use). */
export function escapeDnValue(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = value[i]!;
    if (c === '\0') out += '\\00';
    else if ('\\,+"<>;='.includes(c)) out += `\\${c}`;
    else if ((c === '#' && i === 0) || (c === ' ' && (i === 0 || i === last))) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** Decodes a BER string value (UTF8String, PrintableString, IA5String) or returns null for anything else. */
function berString(hex: string): string | null {
  const bytes = Buffer.from(hex, 'hex');
  const tag = bytes[0];
  if (tag !== 0x0c && tag !== 0x13 && tag !== 0x16) return null;
  let length = bytes[1];
  let offset = 2;
  if (length === undefined) return null;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || bytes.length < 2 + count) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
    offset = 2 + count;
  }
  if (offset + length !== bytes.length) return null;
  try {
    return utf8.decode(bytes.subarray(offset));
  } catch {
    return null;
  }
}

/** The normalised `type=value` of one AVA. */
function avaKey(ava: DnAva): string {
  const type = normalizeAttributeType(ava.type);
  if (ava.hex !== undefined) {
    const text = berString(ava.hex);
    return `${type}=${text === null ? `#${ava.hex}` : escapeDnValue(prepareDnValue(text))}`;
  }
  return `${type}=${escapeDnValue(prepareDnValue(ava.value))}`;
}

/** The normalised comparison key of parsed RDNs (see normalizeDn). */
export function normalizeRdns(rdns: readonly Rdn[], dn = ''): string {
  return rdns
    .map((rdn) => {
      const keys = rdn.map(avaKey).sort();
      for (let i = 1; i < keys.length; i++) {
        if (keys[i] === keys[i - 1]) throw new DnSyntaxError(dn, `duplicate AVA "${keys[i]}" in a multi-valued RDN`);
      }
      return keys.join('+');
    })
    .join(',');
}

/**
 * The comparison key of a DN: two DNs name the same entry exactly when their keys are equal. Throws DnSyntaxError
 * for malformed input. Keep the original DN for display; use the key only to compare and index.
 */
export function normalizeDn(dn: string): string {
  return normalizeRdns(parseDn(dn), dn);
}

/** normalizeDn, or null when the DN does not parse. */
export function tryNormalizeDn(dn: string): string | null {
  try {
    return normalizeDn(dn);
  } catch (e) {
    if (e instanceof DnSyntaxError) return null;
    throw e;
  }
}

/** Formats RDNs back into an RFC 4514 string, keeping the types and values as they are (no normalisation). */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns
    .map((rdn) => rdn.map((a) => `${a.type}=${a.hex !== undefined ? `#${a.hex}` : escapeDnValue(a.value)}`).join('+'))
    .join(',');
}

/** True when `dn` equals `base` or lies below it (compared by normalised key). */
export function isDnWithin(dn: string, base: string): boolean {
  const d = parseDn(dn);
  const b = parseDn(base);
  if (b.length > d.length) return false;
  return normalizeRdns(d.slice(d.length - b.length)) === normalizeRdns(b);
}
