/**
 * Range retrieval (`member;range=0-1499`). OpenLDAP does not implement it, so the code path is driven by a fake
 * page source that answers like AD (MaxValRange, ranged attribute descriptions, the final `-*` chunk, the
 * RANGE_RETRIEVAL_NOERR control) and, like ldapts, adds an empty value list for every requested attribute name the
 * reply does not carry. The real-server tests in extract.test.ts cover everything else.
 */
import { type Control, OperationsError, type SearchOptions, type SearchResult } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/http/errors.js';
import { guidToBytes, sidToBytes } from '../../src/sources/activedirectory/convert.js';
import {
  type LdapEntry,
  parseRangeOption,
  RangeRetrievalError,
  rangedChunk,
  retrieveAllValues,
} from '../../src/sources/activedirectory/range.js';
import { type LdapSearchClient, readDirectory } from '../../src/sources/activedirectory/read.js';
import { RANGE_RETRIEVAL_NOERR_OID } from '../../src/sources/activedirectory/schemas.js';
import { transformActiveDirectory } from '../../src/sources/activedirectory/transform.js';
import { guidFor } from './fixture.js';

describe('parseRangeOption', () => {
  it.each([
    ['member;range=0-1499', { attribute: 'member', low: 0, high: 1499 }],
    ['member;range=1500-*', { attribute: 'member', low: 1500, high: null }],
    ['memberOf;Range=0-*', { attribute: 'memberOf', low: 0, high: null }],
    ['member;binary;range=10-19', { attribute: 'member', low: 10, high: 19 }],
  ])('%s', (key, parsed) => {
    expect(parseRangeOption(key)).toEqual(parsed);
  });

  it.each(['member', 'member;range=', 'member;range=5-1', 'member;range=a-b', 'member;range=0'])(
    '%s is not a range',
    (key) => {
      expect(parseRangeOption(key)).toBeNull();
    },
  );
});

describe('rangedChunk', () => {
  it('ignores the empty key ldapts adds for a requested range the reply did not carry', () => {
    const entry = { dn: 'CN=g', 'member;range=1500-2999': ['a', 'b'], 'member;range=1500-*': [] } as LdapEntry;
    expect(rangedChunk(entry, 'member')).toEqual({ attribute: 'member', low: 1500, high: 2999, values: ['a', 'b'] });
    expect(rangedChunk({ dn: 'CN=g', member: ['x'] } as LdapEntry, 'member')).toBeNull();
    expect(rangedChunk({ dn: 'CN=g', 'member;range=1500-*': [] } as LdapEntry, 'member')).toEqual({
      attribute: 'member',
      low: 1500,
      high: null,
      values: [],
    });
  });

  it('a scalar value (one value) counts as a list of one', () => {
    const entry = { dn: 'CN=g', 'member;range=0-*': 'only' } as LdapEntry;
    expect(rangedChunk(entry, 'MEMBER')!.values).toEqual(['only']);
  });

  it('two non-empty ranges of one attribute are a protocol error', () => {
    const entry = { dn: 'CN=g', 'member;range=0-1': ['a', 'b'], 'member;range=2-*': ['c'] } as LdapEntry;
    expect(() => rangedChunk(entry, 'member')).toThrow(RangeRetrievalError);
  });
});

describe('retrieveAllValues', () => {
  const values = Array.from({ length: 7 }, (_, i) => `v${i}`);
  /** A server with MaxValRange 3. */
  const fetcher =
    (log: string[], max = 3) =>
    async (spec: string, low: number): Promise<LdapEntry> => {
      log.push(spec);
      const end = Math.min(low + max, values.length);
      const key = end >= values.length ? `member;range=${low}-*` : `member;range=${low}-${end - 1}`;
      return { dn: 'CN=g', [key]: values.slice(low, end), ...(key === spec ? {} : { [spec]: [] }) } as LdapEntry;
    };

  it('plain values need no follow-up', async () => {
    const log: string[] = [];
    const result = await retrieveAllValues({ dn: 'CN=g', member: ['a', 'b'] } as LdapEntry, 'member', fetcher(log));
    expect(result).toEqual({ values: ['a', 'b'], requests: 0 });
    expect(log).toEqual([]);
  });

  it('follows ranges until the chunk ending in *', async () => {
    const log: string[] = [];
    const first = { dn: 'CN=g', 'member;range=0-2': values.slice(0, 3), member: [] } as LdapEntry;
    const result = await retrieveAllValues(first, 'member', fetcher(log));
    expect(result.values).toEqual(values);
    expect(log).toEqual(['member;range=3-*', 'member;range=6-*']);
    expect(result.requests).toBe(2);
  });

  it('a reply without the attribute ends the loop (NOERR past the last value)', async () => {
    const first = { dn: 'CN=g', 'member;range=0-1': ['a', 'b'] } as LdapEntry;
    const result = await retrieveAllValues(first, 'member', async (spec) => ({ dn: 'CN=g', [spec]: [] }) as LdapEntry);
    expect(result).toEqual({ values: ['a', 'b'], requests: 1 });
  });

  it('a server that ignores the option and returns the plain attribute gives the whole list', async () => {
    const first = { dn: 'CN=g', 'member;range=0-1': ['a', 'b'] } as LdapEntry;
    const result = await retrieveAllValues(
      first,
      'member',
      async (spec) => ({ dn: 'CN=g', member: ['a', 'b', 'c'], [spec]: [] }) as LdapEntry,
    );
    expect(result.values).toEqual(['a', 'b', 'c']);
  });

  it('a chunk that does not start where asked, a first range not at 0, a vanished entry: errors', async () => {
    const first = { dn: 'CN=g', 'member;range=0-1': ['a', 'b'] } as LdapEntry;
    await expect(
      retrieveAllValues(first, 'member', async () => ({ dn: 'CN=g', 'member;range=5-*': ['x'] }) as LdapEntry),
    ).rejects.toThrow('CN=g: asked for member from 2, the server answered with 5-*');
    await expect(
      retrieveAllValues({ dn: 'CN=g', 'member;range=3-4': ['a'] } as LdapEntry, 'member', fetcher([])),
    ).rejects.toThrow(/starts at 3, not 0/);
    await expect(retrieveAllValues(first, 'member', async () => null)).rejects.toThrow(/disappeared/);
  });

  it('stops after maxRequests', async () => {
    const first = { dn: 'CN=g', 'member;range=0-0': ['a'] } as LdapEntry;
    let n = 0;
    const endless = async (_spec: string, low: number) => {
      n++;
      return { dn: 'CN=g', [`member;range=${low}-${low}`]: [`v${low}`] } as LdapEntry;
    };
    await expect(retrieveAllValues(first, 'member', endless, 10)).rejects.toThrow(
      /still incomplete after 10 range requests/,
    );
    expect(n).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// readDirectory over a fake AD

interface FakeObject {
  dn: string;
  kind: 'user' | 'group';
  attrs: Record<string, string | Buffer | string[]>;
}

/** Answers like AD with MaxValRange `maxValRange`, and shapes entries like ldapts' SearchEntry.toObject. */
class FakeAd implements LdapSearchClient {
  readonly baseSearches: { spec: string; controls: Control[] }[] = [];
  pages = 0;
  constructor(
    readonly objects: FakeObject[],
    readonly maxValRange: number,
    readonly misbehave: 'none' | 'wrong-low' | 'error' = 'none',
  ) {}

  private shape(obj: FakeObject, requested: string[], low = 0): LdapEntry {
    const out: Record<string, unknown> = { dn: obj.dn };
    for (const req of requested) {
      const range = parseRangeOption(req);
      const name = range?.attribute ?? req;
      const value = Object.entries(obj.attrs).find(([k]) => k.toLowerCase() === name.toLowerCase());
      if (!value) continue;
      const [key, v] = value;
      if (Array.isArray(v) && (v.length > this.maxValRange || range)) {
        const from = range ? range.low : low;
        const end = Math.min(from + this.maxValRange, v.length);
        const last = end >= v.length;
        const start = this.misbehave === 'wrong-low' && from > 0 ? from + 1 : from;
        out[`${key};range=${start}-${last ? '*' : end - 1}`] = v.slice(from, end);
      } else out[key] = Array.isArray(v) && v.length === 1 ? v[0] : v;
    }
    for (const req of requested) {
      if (!Object.keys(out).some((k) => k.toLowerCase() === req.toLowerCase())) out[req] = [];
    }
    return out as LdapEntry;
  }

  async *searchPaginated(_base: string, options: SearchOptions = {}): AsyncGenerator<SearchResult> {
    const kind = String(options.filter).includes('group') ? 'group' : 'user';
    const matching = this.objects.filter((o) => o.kind === kind);
    const size = typeof options.paged === 'object' ? (options.paged.pageSize ?? 100) : 100;
    for (let i = 0; i < matching.length || i === 0; i += size) {
      this.pages++;
      yield {
        searchEntries: matching.slice(i, i + size).map((o) => this.shape(o, options.attributes ?? [])),
        searchReferences: [],
      } as SearchResult;
    }
  }

  async search(base: string, options: SearchOptions = {}, controls?: Control | Control[]): Promise<SearchResult> {
    const list = controls === undefined ? [] : Array.isArray(controls) ? controls : [controls];
    const spec = options.attributes?.[0] ?? '';
    this.baseSearches.push({ spec, controls: list });
    if (this.misbehave === 'error') throw new OperationsError('00002020: Operations Error');
    const obj = this.objects.find((o) => o.dn === base);
    return {
      searchEntries: obj ? [this.shape(obj, options.attributes ?? [])] : [],
      searchReferences: [],
    } as SearchResult;
  }
}

const SID = 'S-1-5-21-1-2-3';
const user = (i: number, memberOf: string[] = []): FakeObject => ({
  dn: `CN=U${i},OU=Users,DC=corp,DC=example`,
  kind: 'user',
  attrs: {
    sAMAccountName: `u${i}`,
    objectGUID: guidToBytes(guidFor(`u${i}`)),
    objectSid: sidToBytes(`${SID}-${1000 + i}`),
    userAccountControl: '512',
    ...(memberOf.length ? { memberOf } : {}),
  },
});
const group = (name: string, member: string[]): FakeObject => ({
  dn: `CN=${name},OU=Groups,DC=corp,DC=example`,
  kind: 'group',
  attrs: {
    cn: name,
    sAMAccountName: name,
    objectGUID: guidToBytes(guidFor(name)),
    objectSid: sidToBytes(`${SID}-${5000 + name.length}`),
    groupType: '-2147483646',
    member,
  },
});

describe('readDirectory with range retrieval (fake AD, MaxValRange 1500)', () => {
  const users = Array.from({ length: 3500 }, (_, i) => user(i));
  const bigMembers = users.map((u) => u.dn);
  const config = { baseDn: 'DC=corp,DC=example', pageSize: 1000, origin: 'ldaps://dc1.corp.example:636' };

  it('reads all 3500 members of a large group through two follow-up ranges with the NOERR control', async () => {
    const ad = new FakeAd([...users, group('Big', bigMembers), group('Small', bigMembers.slice(0, 3))], 1500);
    const raw = await readDirectory(ad, config);
    const big = raw.groups.find((g) => g.cn === 'Big')!;
    expect(big.member).toEqual(bigMembers);
    expect(raw.groups.find((g) => g.cn === 'Small')!.member).toEqual(bigMembers.slice(0, 3));
    expect(ad.baseSearches.map((s) => s.spec)).toEqual(['member;range=1500-*', 'member;range=3000-*']);
    for (const s of ad.baseSearches) {
      expect(s.controls).toHaveLength(1);
      expect(s.controls[0]!.type).toBe(RANGE_RETRIEVAL_NOERR_OID);
      expect(s.controls[0]!.critical).toBe(false);
    }
    expect(raw.stats.rangeRequests).toBe(2);
    expect(raw.stats.userPages).toBe(4);

    const out = transformActiveDirectory({
      domain: 'corp.example',
      baseDn: config.baseDn,
      url: config.origin,
      ...raw,
    });
    const bigNode = out.nodes.find((n) => n.props.name === 'Big')!;
    expect(out.edges.filter((e) => e.kind === 'MEMBER_OF' && e.to.id === bigNode.id)).toHaveLength(3500);
    expect(out.warnings).toEqual([]);
  });

  it('an exact multiple of the range size ends with the * chunk', async () => {
    const ad = new FakeAd([...users.slice(0, 3000), group('Exact', bigMembers.slice(0, 3000))], 1500);
    const raw = await readDirectory(ad, config);
    expect(raw.groups[0]!.member).toHaveLength(3000);
    expect(ad.baseSearches.map((s) => s.spec)).toEqual(['member;range=1500-*']);
  });

  it("a user's ranged memberOf is completed too", async () => {
    const groups = Array.from({ length: 5 }, (_, i) => `CN=G${i},OU=Groups,DC=corp,DC=example`);
    const ad = new FakeAd([user(1, groups)], 2);
    const raw = await readDirectory(ad, config);
    expect(raw.users[0]!.memberOf).toEqual(groups);
    expect(ad.baseSearches.map((s) => s.spec)).toEqual(['memberOf;range=2-*', 'memberOf;range=4-*']);
  });

  it('a server answering the wrong range fails with a SourceError naming the base search', async () => {
    const ad = new FakeAd([...users.slice(0, 20), group('Big', bigMembers.slice(0, 20))], 8, 'wrong-low');
    const error = await readDirectory(ad, config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe(
      'activedirectory: search (objectClass=*) member;range=8-* base CN=Big,OU=Groups,DC=corp,DC=example: CN=Big,OU=Groups,DC=corp,DC=example: asked for member from 8, the server answered with 9-15',
    );
  });

  it('an LDAP error during range retrieval names the range search', async () => {
    const ad = new FakeAd([...users.slice(0, 20), group('Big', bigMembers.slice(0, 20))], 8, 'error');
    const error = (await readDirectory(ad, config).catch((e: unknown) => e)) as SourceError;
    expect(error.endpoint).toBe('search (objectClass=*) member;range=8-* base CN=Big,OU=Groups,DC=corp,DC=example');
    expect(error.detail).toBe('operations error (LDAP result 1); server message: 00002020: Operations Error');
  });

  it('a malformed objectGUID fails naming the search, the entry and the attribute', async () => {
    const bad = user(1);
    bad.attrs.objectGUID = Buffer.from([1, 2, 3]);
    const error = (await readDirectory(new FakeAd([bad], 1500), config).catch((e: unknown) => e)) as SourceError;
    expect(error).toBeInstanceOf(SourceError);
    expect(error.kind).toBe('validation');
    expect(error.field).toBe('objectGUID');
    expect(error.message).toBe(
      'activedirectory: search (&(objectCategory=person)(objectClass=user)) base DC=corp,DC=example: entry CN=U1,OU=Users,DC=corp,DC=example: attribute objectGUID: expected 16 bytes, got 3',
    );
  });

  it('malformed integers and FILETIMEs name their attribute', async () => {
    const badUac = user(2);
    badUac.attrs.userAccountControl = 'enabled';
    await expect(readDirectory(new FakeAd([badUac], 1500), config)).rejects.toThrow(
      /attribute userAccountControl: expected an integer, got "enabled"/,
    );
    const badLogon = user(3);
    badLogon.attrs.lastLogonTimestamp = 'yesterday';
    await expect(readDirectory(new FakeAd([badLogon], 1500), config)).rejects.toThrow(
      /entry CN=U3,OU=Users,DC=corp,DC=example: attribute lastLogonTimestamp: expected an integer FILETIME/,
    );
    const noGuid = user(4);
    delete noGuid.attrs.objectGUID;
    await expect(readDirectory(new FakeAd([noGuid], 1500), config)).rejects.toThrow(/attribute objectGUID: missing/);
  });
});
