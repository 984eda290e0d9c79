/**
 * Active Directory value conversions: objectGUID bytes ↔ GUID string, objectSid bytes ↔ S-1-… (MS-DTYP 2.4.2.2),
 * Integer8 FILETIME ↔ ISO 8601, userAccountControl and groupType flags. Pure; invalid input throws AdValueError,
 * which the extractor turns into a SourceError naming the entry and the attribute.
 */

export class AdValueError extends Error {
  override readonly name = 'AdValueError';
}

const GUID = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/**
 * GUID string from the 16 objectGUID bytes: the first three fields are little-endian ("bytes_le"), the last eight
 * bytes are kept in order. Lower case, 8-4-4-4-12.
 */
export function guidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new AdValueError(`expected 16 bytes, got ${bytes.length}`);
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = Array.from(bytes.subarray(from, to));
    if (reverse) part.reverse();
    return part.map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/** The 16 objectGUID bytes (AD's byte order) of a GUID string; braces and upper case are accepted. */
export function guidToBytes(guid: string): Buffer {
  const m = GUID.exec(guid.trim());
  if (!m) throw new AdValueError(`not a GUID: ${JSON.stringify(guid)}`);
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(m[1]!), le(m[2]!), le(m[3]!), Buffer.from(m[4]! + m[5]!, 'hex')]);
}

/** The canonical GUID string (lower case, no braces). */
export function canonicalGuid(guid: string): string {
  return guidFromBytes(guidToBytes(guid));
}

/**
 * SID string from objectSid bytes (MS-DTYP 2.4.2.2): revision (1 byte), sub-authority count (1), identifier
 * authority (6, big-endian), sub-authorities (count × 4, little-endian). An authority ≥ 2^32 is written in hex.
 */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new AdValueError(`a SID has at least 8 bytes, got ${bytes.length}`);
  const revision = bytes[0]!;
  const count = bytes[1]!;
  if (revision !== 1) throw new AdValueError(`unsupported SID revision ${revision}`);
  if (count > 15) throw new AdValueError(`a SID has at most 15 sub-authorities, got ${count}`);
  if (bytes.length !== 8 + 4 * count) {
    throw new AdValueError(`a SID with ${count} sub-authorities has ${8 + 4 * count} bytes, got ${bytes.length}`);
  }
  let authority = 0n;
  for (let i = 2; i < 8; i++) authority = (authority << 8n) | BigInt(bytes[i]!);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(view.getUint32(8 + 4 * i, true));
  const auth = authority >= 1n << 32n ? `0x${authority.toString(16).toUpperCase().padStart(12, '0')}` : `${authority}`;
  return [`S-${revision}-${auth}`, ...subs].join('-');
}

/** objectSid bytes of a SID string (`S-1-5-21-…`). */
export function sidToBytes(sid: string): Buffer {
  const m = /^S-1-(0x[0-9a-f]{12}|\d+)((?:-\d+){0,15})$/i.exec(sid.trim());
  if (!m) throw new AdValueError(`not a SID: ${JSON.stringify(sid)}`);
  const authority = BigInt(m[1]!);
  if (authority >= 1n << 48n) throw new AdValueError(`SID authority out of range: ${m[1]}`);
  const subs = m[2] === '' ? [] : m[2]!.slice(1).split('-').map(Number);
  const out = Buffer.alloc(8 + 4 * subs.length);
  out[0] = 1;
  out[1] = subs.length;
  for (let i = 0; i < 6; i++) out[2 + i] = Number((authority >> BigInt(8 * (5 - i))) & 0xffn);
  subs.forEach((s, i) => {
    if (!Number.isSafeInteger(s) || s > 0xffffffff) throw new AdValueError(`SID sub-authority out of range: ${s}`);
    out.writeUInt32LE(s, 8 + 4 * i);
  });
  return out;
}

const EPOCH_DIFF_MS = 11_644_473_600_000n; // 1601-01-01 → 1970-01-01
const FILETIME_NEVER = 9_223_372_036_854_775_807n;

/**
 * ISO 8601 UTC from an Integer8 FILETIME (100-ns ticks since 1601-01-01 UTC), or null for 0 and
 * 9223372036854775807, which both mean "never".
 */
export function filetimeToIso(value: string): string | null {
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw new AdValueError(`expected an integer FILETIME, got ${JSON.stringify(value)}`);
  const ticks = BigInt(text);
  if (ticks === 0n || ticks === FILETIME_NEVER) return null;
  if (ticks < 0n || ticks > FILETIME_NEVER) throw new AdValueError(`FILETIME out of range: ${text}`);
  return new Date(Number(ticks / 10_000n - EPOCH_DIFF_MS)).toISOString();
}

/** Integer8 FILETIME (decimal string) of an ISO 8601 instant, at millisecond precision. */
export function isoToFiletime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new AdValueError(`not a date: ${JSON.stringify(iso)}`);
  return ((BigInt(ms) + EPOCH_DIFF_MS) * 10_000n).toString();
}

/** Parses a decimal LDAP Integer (userAccountControl, groupType …) into a safe integer. */
export function parseLdapInteger(value: string): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text)) throw new AdValueError(`expected an integer, got ${JSON.stringify(value)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new AdValueError(`integer out of range: ${text}`);
  return n;
}

/** userAccountControl flags (ADS_USER_FLAG_ENUM). */
export const UAC = { ACCOUNTDISABLE: 0x2, NORMAL_ACCOUNT: 0x200, DONT_EXPIRE_PASSWD: 0x10000 } as const;

/** groupType flags (ADS_GROUP_TYPE_ENUM); the value is a signed 32-bit integer. */
export const GROUP_TYPE = { GLOBAL: 0x2, DOMAIN_LOCAL: 0x4, UNIVERSAL: 0x8, SECURITY: 0x80000000 } as const;

export function isAccountDisabled(userAccountControl: number): boolean {
  return (userAccountControl & UAC.ACCOUNTDISABLE) !== 0;
}

export function isSecurityGroup(groupType: number): boolean {
  return ((groupType >>> 0) & GROUP_TYPE.SECURITY) !== 0;
}

/** The domain's DNS name from the DC= components of a base DN (`DC=corp,DC=example` → `corp.example`), or null. */
export function domainFromDcParts(dcValues: readonly string[]): string | null {
  return dcValues.length === 0 ? null : dcValues.map((v) => v.toLowerCase()).join('.');
}
