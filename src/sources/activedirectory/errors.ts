/**
 * LDAP failures as SourceErrors of source 'activedirectory' whose endpoint is the LDAP operation, e.g.
 * `bind CN=svc-arkgraph,OU=Service,DC=corp,DC=example` or `search (objectClass=group) base DC=corp,DC=example`: the
 * result code in words, AD's bind sub-code, a hint for the usual suspects, the server's own message.
 */
import { ResultCodeError } from 'ldapts';
import { SourceError, type SourceErrorKind } from '../../http/index.js';
import { SOURCE } from './schemas.js';

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
