/**
 * Attribute range retrieval (MS-ADTS 3.1.1.3.1.3.3). AD returns at most MaxValRange (1500) values of a
 * multi-valued attribute per response; the rest must be asked for with `member;range=<low>-*`. The reply's
 * attribute description states the range returned (`member;range=0-1499`); the last chunk ends in `-*`. For large
 * groups AD answers a plain `member` request with the ranged description only, so every entry's keys are scanned.
 *
 * ldapts adds an empty value list for each requested attribute name the reply does not contain, so a reply to
 * `member;range=1500-*` that carries `member;range=1500-2999` also has an empty `member;range=1500-*` key: empty
 * ranged keys are ignored when a non-empty one is present.
 */

export type LdapValue = string | Buffer;

/** An entry as ldapts returns it: one value → scalar, several → array, absent but requested → []. */
export type LdapEntry = { dn: string } & Record<string, LdapValue | LdapValue[]>;

export interface RangeChunk {
  /** The attribute name without options, as the server spelled it. */
  attribute: string;
  low: number;
  /** Last index returned, or null for `*` (the final chunk). */
  high: number | null;
  values: LdapValue[];
}

const RANGE_KEY = /^([^;]+)((?:;[^;]+)*?);range=(\d+)-(\d+|\*)((?:;[^;]+)*)$/i;

/** Parses an attribute description with a range option: `member;range=0-1499` → member, 0, 1499. */
export function parseRangeOption(key: string): { attribute: string; low: number; high: number | null } | null {
  const m = RANGE_KEY.exec(key);
  if (!m) return null;
  const low = Number(m[3]);
  const high = m[4] === '*' ? null : Number(m[4]);
  if (!Number.isSafeInteger(low) || (high !== null && (!Number.isSafeInteger(high) || high < low))) return null;
  return { attribute: m[1]!, low, high };
}

/** All values of an entry attribute as an array. */
export function valuesOf(value: LdapValue | LdapValue[] | undefined): LdapValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The plain (option-less) values of `attribute`, matched case-insensitively. */
export function plainValues(entry: LdapEntry, attribute: string): LdapValue[] {
  const want = attribute.toLowerCase();
  const out: LdapValue[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (key !== 'dn' && key.toLowerCase() === want) out.push(...valuesOf(value));
  }
  return out;
}

export class RangeRetrievalError extends Error {
  override readonly name = 'RangeRetrievalError';
}

/**
 * The ranged chunk of `attribute` in an entry, or null when the entry has none (or only empty ones that ldapts added
 * for requested names). Two non-empty ranged chunks of one attribute are a protocol error.
 */
export function rangedChunk(entry: LdapEntry, attribute: string): RangeChunk | null {
  const want = attribute.toLowerCase();
  const chunks: RangeChunk[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'dn') continue;
    const r = parseRangeOption(key);
    if (r && r.attribute.toLowerCase() === want) chunks.push({ ...r, values: valuesOf(value) });
  }
  if (chunks.length === 0) return null;
  const nonEmpty = chunks.filter((c) => c.values.length > 0);
  if (nonEmpty.length > 1) {
    throw new RangeRetrievalError(
      `${entry.dn}: the server returned ${nonEmpty.length} ranges of ${attribute} in one entry (${nonEmpty.map((c) => `${c.low}-${c.high ?? '*'}`).join(', ')})`,
    );
  }
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  // Only empty chunks: a final, empty one (what ldapts reports when the server returned nothing for the range).
  return { attribute: chunks[0]!.attribute, low: chunks[0]!.low, high: null, values: [] };
}

/**
 * Fetches the entry again asking for `<attribute>;range=<low>-*` (a base-scope search in the extractor). Returns
 * the entry, or null when the server returned no entry.
 */
export type RangeFetcher = (attributeWithRange: string, low: number) => Promise<LdapEntry | null>;

export interface RangeResult {
  values: LdapValue[];
  /** Follow-up requests made (0 when the attribute was not ranged). */
  requests: number;
}

/**
 * All values of `attribute`: the plain values when the entry is not ranged; otherwise the first chunk followed by
 * `<attribute>;range=<high+1>-*` requests until a chunk ends in `*`. Each chunk must start where the previous one
 * ended; a reply without the attribute ends the loop (what AD does with the RANGE_RETRIEVAL_NOERR control when the
 * previous chunk ended exactly at the last value).
 */
export async function retrieveAllValues(
  entry: LdapEntry,
  attribute: string,
  fetch: RangeFetcher,
  maxRequests = 100_000,
): Promise<RangeResult> {
  const first = rangedChunk(entry, attribute);
  if (!first) return { values: plainValues(entry, attribute), requests: 0 };
  if (first.low !== 0) {
    throw new RangeRetrievalError(`${entry.dn}: the first range of ${attribute} starts at ${first.low}, not 0`);
  }
  const values = [...first.values];
  let high = first.high;
  let requests = 0;
  while (high !== null) {
    if (requests >= maxRequests) {
      throw new RangeRetrievalError(`${entry.dn}: ${attribute} still incomplete after ${requests} range requests`);
    }
    const low = high + 1;
    requests++;
    const next = await fetch(`${attribute};range=${low}-*`, low);
    if (!next)
      throw new RangeRetrievalError(`${entry.dn}: the entry disappeared while reading ${attribute} from ${low}`);
    const chunk = rangedChunk(next, attribute);
    const plain = plainValues(next, attribute);
    if (!chunk || (chunk.values.length === 0 && plain.length > 0)) {
      // The server ignored the range option and sent the plain attribute: that is the whole list.
      if (plain.length > 0) return { values: plain, requests };
      break;
    }
    if (chunk.values.length > 0 && chunk.low !== low) {
      throw new RangeRetrievalError(
        `${entry.dn}: asked for ${attribute} from ${low}, the server answered with ${chunk.low}-${chunk.high ?? '*'}`,
      );
    }
    values.push(...chunk.values);
    high = chunk.high;
  }
  return { values, requests };
}
