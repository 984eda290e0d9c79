/**
 * Reading users and groups through a bound LDAP client: paged subtree searches, then range retrieval of `member` /
 * `memberOf` where an entry's values came back ranged. Every value is checked here (objectGUID 16 bytes, objectSid
 * well-formed, integers, FILETIMEs) so that a malformed one fails the source with a SourceError naming the operation,
 * the entry and the attribute.
 */
import { Control, type SearchOptions, type SearchResult } from 'ldapts';
import { SourceError } from '../../http/index.js';
import type { ProgressListener } from '../source.js';
import { AdValueError, filetimeToIso, guidFromBytes, parseLdapInteger, sidFromBytes } from './convert.js';
import { ldapSourceError } from './errors.js';
import { type LdapEntry, type LdapValue, plainValues, RangeRetrievalError, retrieveAllValues } from './range.js';
import {
  type ActiveDirectoryRaw,
  type AdRawGroup,
  type AdRawUser,
  BINARY_ATTRIBUTES,
  GROUP_ATTRIBUTES,
  GROUP_FILTER,
  RANGE_RETRIEVAL_NOERR_OID,
  SOURCE,
  USER_ATTRIBUTES,
  USER_FILTER,
} from './schemas.js';
import type { ResolvedActiveDirectoryConfig } from './settings.js';

/** What the directory reader needs from an LDAP client (ldapts' Client); a fake can stand in for it in tests. */
export interface LdapSearchClient {
  searchPaginated(
    baseDN: string,
    options?: SearchOptions,
    controls?: Control | Control[],
  ): AsyncGenerator<SearchResult>;
  search(baseDN: string, options?: SearchOptions, controls?: Control | Control[]): Promise<SearchResult>;
}

export const searchLabel = (filter: string, base: string) => `search ${filter} base ${base}`;

class EntryReader {
  constructor(
    readonly entry: LdapEntry,
    readonly endpoint: string,
  ) {}

  fail(attribute: string, detail: string): never {
    throw new SourceError({
      source: SOURCE,
      endpoint: this.endpoint,
      kind: 'validation',
      detail: `entry ${this.entry.dn}: attribute ${attribute}: ${detail}`,
      field: attribute,
    });
  }

  text(attribute: string): string | null {
    const value = plainValues(this.entry, attribute)[0];
    if (value === undefined) return null;
    if (Buffer.isBuffer(value)) this.fail(attribute, 'expected text, got bytes that are not UTF-8');
    return value as string;
  }

  texts(values: LdapValue[], attribute: string): string[] {
    return values.map((v) => {
      if (Buffer.isBuffer(v)) this.fail(attribute, 'expected a DN, got bytes that are not UTF-8');
      return v as string;
    });
  }

  binary(attribute: string, required: true): Buffer;
  binary(attribute: string, required: false): Buffer | null;
  binary(attribute: string, required: boolean): Buffer | null {
    const value = plainValues(this.entry, attribute)[0];
    if (value === undefined) return required ? this.fail(attribute, 'missing') : null;
    // A server spelling the name differently defeats explicitBufferAttributes; ldapts only decodes valid UTF-8, so
    // re-encoding gives back the exact bytes.
    return Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  }

  check<T>(attribute: string, value: T | null, convert: (v: T) => unknown): void {
    if (value === null) return;
    try {
      convert(value);
    } catch (e) {
      if (e instanceof AdValueError) this.fail(attribute, e.message);
      throw e;
    }
  }
}

function readUser(entry: LdapEntry, endpoint: string, memberOf: LdapValue[]): AdRawUser {
  const r = new EntryReader(entry, endpoint);
  const user: AdRawUser = {
    dn: entry.dn,
    sAMAccountName: r.text('sAMAccountName'),
    userPrincipalName: r.text('userPrincipalName'),
    displayName: r.text('displayName'),
    mail: r.text('mail'),
    objectGUID: r.binary('objectGUID', true),
    objectSid: r.binary('objectSid', false),
    userAccountControl: r.text('userAccountControl'),
    lastLogonTimestamp: r.text('lastLogonTimestamp'),
    primaryGroupID: r.text('primaryGroupID'),
    memberOf: r.texts(memberOf, 'memberOf'),
  };
  r.check('objectGUID', user.objectGUID, guidFromBytes);
  r.check('objectSid', user.objectSid, sidFromBytes);
  r.check('userAccountControl', user.userAccountControl, parseLdapInteger);
  r.check('lastLogonTimestamp', user.lastLogonTimestamp, filetimeToIso);
  r.check('primaryGroupID', user.primaryGroupID, parseLdapInteger);
  return user;
}

function readGroup(entry: LdapEntry, endpoint: string, member: LdapValue[], memberOf: LdapValue[]): AdRawGroup {
  const r = new EntryReader(entry, endpoint);
  const group: AdRawGroup = {
    dn: entry.dn,
    sAMAccountName: r.text('sAMAccountName'),
    cn: r.text('cn'),
    objectGUID: r.binary('objectGUID', true),
    objectSid: r.binary('objectSid', false),
    groupType: r.text('groupType'),
    member: r.texts(member, 'member'),
    memberOf: r.texts(memberOf, 'memberOf'),
  };
  r.check('objectGUID', group.objectGUID, guidFromBytes);
  r.check('objectSid', group.objectSid, sidFromBytes);
  r.check('groupType', group.groupType, parseLdapInteger);
  return group;
}

/**
 * Reads users and groups through an already bound client: paged searches, then range retrieval where an entry's
 * `member`/`memberOf` came back ranged.
 */
export async function readDirectory(
  client: LdapSearchClient,
  config: Pick<ResolvedActiveDirectoryConfig, 'baseDn' | 'pageSize' | 'origin'>,
  progress?: ProgressListener,
): Promise<Pick<ActiveDirectoryRaw, 'users' | 'groups' | 'warnings' | 'stats'>> {
  const stats = { userPages: 0, groupPages: 0, rangeRequests: 0, references: 0 };
  const warnings: string[] = [];

  const pagedSearch = async (filter: string, attributes: readonly string[], phase: string): Promise<LdapEntry[]> => {
    const endpoint = searchLabel(filter, config.baseDn);
    progress?.({ type: 'phase', source: SOURCE, phase });
    const entries: LdapEntry[] = [];
    let pages = 0;
    try {
      for await (const page of client.searchPaginated(config.baseDn, {
        scope: 'sub',
        filter,
        attributes: [...attributes],
        explicitBufferAttributes: BINARY_ATTRIBUTES,
        paged: { pageSize: config.pageSize },
      })) {
        pages++;
        entries.push(...(page.searchEntries as LdapEntry[]));
        stats.references += page.searchReferences.length;
        progress?.({ type: 'progress', source: SOURCE, phase, done: entries.length });
      }
    } catch (e) {
      throw ldapSourceError(e, endpoint, config.origin);
    }
    if (phase === 'users') stats.userPages = pages;
    else stats.groupPages = pages;
    return entries;
  };

  /** All values of `attribute`, following ranges with base-scope searches of the entry. */
  const allValues = async (entry: LdapEntry, attribute: string): Promise<LdapValue[]> => {
    let endpoint = searchLabel(`(objectClass=*) ${attribute};range=0-*`, entry.dn);
    try {
      const result = await retrieveAllValues(entry, attribute, async (spec) => {
        endpoint = searchLabel(`(objectClass=*) ${spec}`, entry.dn);
        const reply = await client.search(
          entry.dn,
          { scope: 'base', filter: '(objectClass=*)', attributes: [spec], explicitBufferAttributes: BINARY_ATTRIBUTES },
          new Control(RANGE_RETRIEVAL_NOERR_OID, { critical: false }),
        );
        return (reply.searchEntries[0] as LdapEntry | undefined) ?? null;
      });
      stats.rangeRequests += result.requests;
      return result.values;
    } catch (e) {
      if (e instanceof RangeRetrievalError) {
        throw new SourceError({ source: SOURCE, endpoint, kind: 'api', detail: e.message, field: attribute });
      }
      throw ldapSourceError(e, endpoint, config.origin);
    }
  };

  const userEntries = await pagedSearch(USER_FILTER, USER_ATTRIBUTES, 'users');
  const usersEndpoint = searchLabel(USER_FILTER, config.baseDn);
  const users: AdRawUser[] = [];
  for (const entry of userEntries) users.push(readUser(entry, usersEndpoint, await allValues(entry, 'memberOf')));

  const groupEntries = await pagedSearch(GROUP_FILTER, GROUP_ATTRIBUTES, 'groups');
  const groupsEndpoint = searchLabel(GROUP_FILTER, config.baseDn);
  const groups: AdRawGroup[] = [];
  for (const entry of groupEntries) {
    const before = stats.rangeRequests;
    const member = await allValues(entry, 'member');
    groups.push(readGroup(entry, groupsEndpoint, member, await allValues(entry, 'memberOf')));
    if (stats.rangeRequests > before) {
      progress?.({ type: 'progress', source: SOURCE, phase: 'ranges', done: stats.rangeRequests });
    }
  }
  return { users, groups, warnings, stats };
}
