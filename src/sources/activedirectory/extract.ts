/**
 * Active Directory over LDAP: configuration checks and the extract stage (docs/active-directory.md).
 *
 * Sequence: connect (ldaps://, or ldap:// + StartTLS, or plain ldap:// to a loopback host) → simple bind → paged
 * subtree search of users `(&(objectCategory=person)(objectClass=user))` → paged subtree search of groups
 * `(objectClass=group)` → for every entry whose `member` or `memberOf` came back ranged (`member;range=0-1499`),
 * base-scope searches for the following ranges → unbind (always). Every value is checked here (objectGUID 16 bytes,
 * objectSid well-formed, integers, FILETIMEs) so that a malformed one fails the source with a SourceError naming the
 * operation, the entry and the attribute; the transform stage converts them.
 *
 * Errors are SourceErrors of source 'activedirectory' whose endpoint is the LDAP operation, e.g.
 * `bind CN=svc-arkgraph,OU=Service,DC=corp,DC=example` or `search (objectClass=group) base DC=corp,DC=example`. The
 * bind password is registered as a secret and never appears in a message.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, Control, ResultCodeError, type SearchOptions, type SearchResult } from 'ldapts';
import { DnSyntaxError, normalizeAttributeType, parseDn } from '../../graph/dn.js';
import { registerSecret, SourceError, type SourceErrorKind } from '../../http/errors.js';
import { isLoopbackHost } from '../../http/url.js';
import type { ProgressListener } from '../types.js';
import {
  AdValueError,
  domainFromDcParts,
  filetimeToIso,
  guidFromBytes,
  parseLdapInteger,
  sidFromBytes,
} from './convert.js';
import { type LdapEntry, type LdapValue, plainValues, RangeRetrievalError, retrieveAllValues } from './range.js';

export const SOURCE = 'activedirectory' as const;

/** Users: person objects of class user (excludes computers, whose objectCategory is computer). */
export const USER_FILTER = '(&(objectCategory=person)(objectClass=user))';
export const GROUP_FILTER = '(objectClass=group)';

export const USER_ATTRIBUTES = [
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'mail',
  'objectGUID',
  'objectSid',
  'userAccountControl',
  'lastLogonTimestamp',
  'primaryGroupID',
  'memberOf',
] as const;

export const GROUP_ATTRIBUTES = [
  'distinguishedName',
  'sAMAccountName',
  'cn',
  'objectGUID',
  'objectSid',
  'groupType',
  'member',
  'memberOf',
] as const;

/** Returned as Buffers; ldapts matches these names case-sensitively against the server's spelling (reference §3.3). */
export const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'objectguid', 'objectsid', 'OBJECTGUID', 'OBJECTSID'];

/** LDAP_SERVER_RANGE_RETRIEVAL_NOERR_OID: no operationsError when a range starts past the last value. */
export const RANGE_RETRIEVAL_NOERR_OID = '1.2.840.113556.1.4.1948';

export const DEFAULT_PAGE_SIZE = 500;
/** AD's MaxPageSize; larger pages are capped by AD (and refused by OpenLDAP), so they are refused here. */
export const MAX_PAGE_SIZE = 1000;

export interface ActiveDirectoryConfig {
  /** `ldaps://host[:636]`, or `ldap://host[:389]` with `startTls` (plain ldap:// only to loopback or allowInsecure). */
  url: string;
  bindDn: string;
  bindPassword: string;
  /** Search base, e.g. DC=corp,DC=example. */
  baseDn: string;
  /** DNS name of the domain (the tenant id); default: the DC= components of baseDn. */
  domain?: string;
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls?: boolean;
  /** PEM file with the CA certificate(s) to trust for ldaps:// and StartTLS (default: Node's CA store). */
  tlsCaFile?: string;
  /** Alias of tlsCaFile (the name the config loader uses); tlsCaFile wins when both are set. */
  caFile?: string;
  /** Entries per page of the paged searches (1–1000, default 500). */
  pageSize?: number;
  /** Allow plain ldap:// to a non-loopback host (the bind password then crosses the network in clear text). */
  allowInsecure?: boolean;
  /** Per-operation timeout (default 30 s) and TCP/TLS connect timeout (default 10 s). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface ResolvedActiveDirectoryConfig {
  url: string;
  /** scheme://host:port, for messages. */
  origin: string;
  host: string;
  secure: boolean;
  startTls: boolean;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  domain: string;
  tlsCaFile: string | null;
  pageSize: number;
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface ExtractActiveDirectoryOptions {
  progress?: ProgressListener;
}

/** A user entry as read, values checked but not converted. */
export interface AdRawUser {
  dn: string;
  sAMAccountName: string | null;
  userPrincipalName: string | null;
  displayName: string | null;
  mail: string | null;
  objectGUID: Buffer;
  objectSid: Buffer | null;
  userAccountControl: string | null;
  lastLogonTimestamp: string | null;
  /** RID of the primary group (Domain Users by default), whose membership `member`/`memberOf` never list. */
  primaryGroupID: string | null;
  memberOf: string[];
}

export interface AdRawGroup {
  dn: string;
  sAMAccountName: string | null;
  cn: string | null;
  objectGUID: Buffer;
  objectSid: Buffer | null;
  groupType: string | null;
  member: string[];
  memberOf: string[];
}

export interface ActiveDirectoryRaw {
  /** DNS name of the domain: the tenant id. */
  domain: string;
  baseDn: string;
  url: string;
  users: AdRawUser[];
  groups: AdRawGroup[];
  warnings: string[];
  stats: { userPages: number; groupPages: number; rangeRequests: number; references: number };
}

const configError = (endpoint: string, detail: string) =>
  new SourceError({ source: SOURCE, endpoint, kind: 'config', detail });

/**
 * Checks a configuration and fills in the defaults. The transport rule mirrors the https rule of src/http: ldaps://,
 * or ldap:// with StartTLS, or plain ldap:// only to a loopback host — unless allowInsecure is set.
 */
export function resolveActiveDirectoryConfig(config: ActiveDirectoryConfig): ResolvedActiveDirectoryConfig {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw configError('url', 'url is not an absolute LDAP URL (ldaps://host[:port] or ldap://host[:port])');
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'ldap' && scheme !== 'ldaps') {
    throw configError('url', `url scheme ${scheme}:// is not supported: use ldaps:// or ldap://`);
  }
  if (url.username !== '' || url.password !== '') throw configError('url', 'url must not embed credentials');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw configError('url', 'url must be scheme://host[:port] only; set the base DN separately');
  }
  if (url.hostname === '') throw configError('url', 'url has no host');
  const secure = scheme === 'ldaps';
  const port = url.port === '' ? (secure ? 636 : 389) : Number(url.port);
  const origin = `${scheme}://${url.host}${url.port === '' ? `:${port}` : ''}`;
  const startTls = config.startTls === true;
  if (secure && startTls) throw configError('url', 'startTls applies to ldap:// URLs; ldaps:// is already TLS');
  if (!secure && !startTls && !isLoopbackHost(url.hostname) && config.allowInsecure !== true) {
    throw configError(
      'url',
      `url ${origin} is not allowed: use ldaps:// or StartTLS (plain ldap:// only for loopback hosts, or set allowInsecure)`,
    );
  }
  const tlsCaFile = config.tlsCaFile || config.caFile || null;
  if (tlsCaFile && !secure && !startTls) {
    throw configError('tlsCaFile', 'tlsCaFile needs an ldaps:// URL or StartTLS');
  }
  if (!config.bindDn || config.bindDn.trim() === '') throw configError('bindDn', 'bindDn is required');
  // An empty password makes a simple bind "unauthenticated": it succeeds without checking anything (RFC 4513 §5.1.2).
  if (!config.bindPassword)
    throw configError('bindPassword', 'bindPassword is required (an empty one is an anonymous bind)');
  registerSecret(config.bindPassword);
  const parseConfigDn = (what: 'bindDn' | 'baseDn', dn: string | undefined) => {
    try {
      return parseDn(dn ?? '');
    } catch (e) {
      if (e instanceof DnSyntaxError) throw configError(what, `${what} is not a valid DN: ${e.reason}`);
      throw e;
    }
  };
  parseConfigDn('bindDn', config.bindDn);
  const baseRdns = parseConfigDn('baseDn', config.baseDn);
  if (baseRdns.length === 0) throw configError('baseDn', 'baseDn is required');
  const dcValues = baseRdns.flat().filter((a) => normalizeAttributeType(a.type) === 'dc');
  const domain = config.domain?.trim().toLowerCase() || domainFromDcParts(dcValues.map((a) => a.value));
  if (!domain) throw configError('domain', `baseDn ${config.baseDn} has no DC= components: set the domain name`);
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw configError('pageSize', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return {
    url: origin,
    origin,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    secure,
    startTls,
    bindDn: config.bindDn,
    bindPassword: config.bindPassword,
    baseDn: config.baseDn,
    domain,
    tlsCaFile,
    pageSize,
    timeoutMs: config.timeoutMs ?? 30_000,
    connectTimeoutMs: config.connectTimeoutMs ?? 10_000,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
]);

/** AD's "data xxx" sub-codes of invalidCredentials (49), from the diagnostic message. */
const AD_BIND_DATA: Record<string, string> = {
  '525': 'user not found',
  '52e': 'invalid credentials',
  '530': 'not permitted to log on at this time',
  '531': 'not permitted to log on at this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'user must reset password',
  '775': 'account locked out',
};

/** LDAP result codes: what they mean and, for the usual suspects, what to check. */
const RESULT_TEXT: Record<number, [text: string, hint?: string]> = {
  1: ['operations error'],
  2: ['protocol error'],
  3: ['time limit exceeded'],
  4: ['size limit exceeded', 'the server did not page the results'],
  8: ['stronger authentication required', 'the server refuses this bind without TLS or signing'],
  10: ['referral', 'the base DN is held by another server'],
  11: ['administrative limit exceeded', "is the page size above the server's limit?"],
  13: ['confidentiality required', 'use ldaps:// or StartTLS'],
  32: ['no such object', 'check the base DN'],
  34: ['invalid DN syntax'],
  48: ['inappropriate authentication'],
  49: ['invalid credentials'],
  50: ['insufficient access rights'],
  51: ['server busy'],
  52: ['server unavailable'],
  53: ['server unwilling to perform'],
  80: ['other error'],
};

/** The server's diagnostic message, or '' when ldapts filled in its own default text. */
function diagnosticOf(error: ResultCodeError): string {
  const strip = (m: string) => m.replace(/\s*Code: 0x[0-9a-f]+$/i, '').trim();
  const own = strip(error.message);
  try {
    const fallback = strip(new (error.constructor as new () => Error)().message);
    return own === fallback ? '' : own;
  } catch {
    return own;
  }
}

/** Turns anything ldapts or the socket threw into a SourceError for `endpoint`. */
export function ldapSourceError(error: unknown, endpoint: string, origin: string): SourceError {
  if (error instanceof SourceError) return error;
  if (error instanceof ResultCodeError) {
    const code = error.code;
    const diagnostic = diagnosticOf(error);
    const data = /\bdata ([0-9a-f]{3,4})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
    const [text, hint] = RESULT_TEXT[code] ?? [error.name.replace(/Error$/, '')];
    const adReason = code === 49 && data ? AD_BIND_DATA[data] : undefined;
    const kind: SourceErrorKind =
      code === 49 || code === 48 || code === 50 || code === 8 || code === 13 ? 'auth' : 'api';
    let detail = `${text} (LDAP result ${code})`;
    if (adReason && adReason !== text) detail += `: ${adReason}`;
    if (hint) detail += `: ${hint}`;
    if (diagnostic) detail += `; server message: ${diagnostic}`;
    return new SourceError({
      source: SOURCE,
      endpoint,
      kind,
      detail,
      code: `LDAP_${code}`,
      retryable: code === 51 || code === 52 || code === 3,
      cause: error,
    });
  }
  const err = error as NodeJS.ErrnoException | undefined;
  const message = err?.message ?? String(error);
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code && NETWORK_CODES.has(code)) {
    return new SourceError({
      source: SOURCE,
      endpoint: `connect ${origin}`,
      kind: 'network',
      detail: `cannot reach the LDAP server (${code}): ${message}`,
      code,
      retryable: true,
      cause: error,
    });
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
    return new SourceError({
      source: SOURCE,
      endpoint: `tls ${origin}`,
      kind: 'network',
      detail: `TLS handshake failed (${code}): ${message}; trust the server's CA with tlsCaFile (ARKGRAPH_LDAP_CA_FILE)`,
      code,
      cause: error,
    });
  }
  if (message === 'Connection timeout') {
    return new SourceError({
      source: SOURCE,
      endpoint: `connect ${origin}`,
      kind: 'timeout',
      detail: 'connection timed out',
      retryable: true,
      cause: error,
    });
  }
  if (/Operation timed out/.test(message)) {
    return new SourceError({
      source: SOURCE,
      endpoint,
      kind: 'timeout',
      detail: 'operation timed out',
      retryable: true,
      cause: error,
    });
  }
  if (/Connection closed|Socket error/.test(message)) {
    return new SourceError({
      source: SOURCE,
      endpoint,
      kind: 'network',
      detail: `connection lost: ${message.split('\n')[0]}`,
      retryable: true,
      cause: error,
    });
  }
  return new SourceError({ source: SOURCE, endpoint, kind: 'api', detail: message, cause: error });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading entries

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

// ---------------------------------------------------------------------------------------------------------------
// Extract

type ResolvedConfig = ReturnType<typeof resolveActiveDirectoryConfig>;

/** TLS for LDAPS and StartTLS: TLS 1.2+, the configured CA, SNI for host names. */
export function ldapTlsOptions(c: ResolvedConfig, ca: string | undefined): ConnectionOptions {
  return { minVersion: 'TLSv1.2', ...(ca ? { ca: [ca] } : {}), ...(isIP(c.host) ? {} : { servername: c.host }) };
}

/** An ldapts client for the resolved configuration. */
export function createLdapClient(c: ResolvedConfig, ca: string | undefined): Client {
  const tlsOptions = ldapTlsOptions(c, ca);
  return new Client({
    url: c.url,
    timeout: c.timeoutMs,
    connectTimeout: c.connectTimeoutMs,
    ...(c.secure ? { tlsOptions } : {}),
  });
}

/** Connects, binds, reads users and groups, and unbinds (always). */
export async function extractActiveDirectory(
  config: ActiveDirectoryConfig,
  options: ExtractActiveDirectoryOptions = {},
): Promise<ActiveDirectoryRaw> {
  const c = resolveActiveDirectoryConfig(config);
  const progress = options.progress;
  let ca: string | undefined;
  if (c.tlsCaFile) {
    try {
      ca = await readFile(c.tlsCaFile, 'utf8');
    } catch (e) {
      throw configError('tlsCaFile', `cannot read tlsCaFile ${c.tlsCaFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  const client = createLdapClient(c, ca);
  try {
    if (c.startTls) {
      progress?.({ type: 'phase', source: SOURCE, phase: 'starttls' });
      try {
        await client.startTLS({ ...ldapTlsOptions(c, ca), host: c.host });
      } catch (e) {
        throw ldapSourceError(e, `starttls ${c.origin}`, c.origin);
      }
    }
    progress?.({ type: 'phase', source: SOURCE, phase: 'bind' });
    try {
      await client.bind(c.bindDn, c.bindPassword);
    } catch (e) {
      throw ldapSourceError(e, `bind ${c.bindDn}`, c.origin);
    }
    const read = await readDirectory(client, c, progress);
    return { domain: c.domain, baseDn: c.baseDn, url: c.url, ...read };
  } finally {
    await client.unbind().catch(() => {});
  }
}
