/**
 * Active Directory settings: what the configuration gives, and the checked form with defaults filled in (the
 * transport rule, the DNs, the domain name, the page size).
 */
import { DnSyntaxError, normalizeAttributeType, parseDn } from '../../graph/dn.js';
import { isLoopbackHost, registerSecret, SourceError } from '../../http/index.js';
import { domainFromDcParts } from './convert.js';
import { SOURCE } from './schemas.js';

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

/** A SourceError of kind 'config' naming the setting. */
export const configError = (endpoint: string, detail: string) =>
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
