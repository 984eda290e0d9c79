/** URL helpers: loopback detection, the https rule, and joining request paths onto a base URL. */
import { SourceError } from './errors.js';

/** True for localhost, 127.0.0.0/8 and ::1 (the only hosts plain http is allowed to). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m?.slice(1).every((o) => Number(o) <= 255) ?? false;
}

/**
 * Parses an absolute URL and enforces "https, or http to a loopback host". Anything else is a 'config' error that
 * names `what` (e.g. "baseUrl") and the origin only — never the path or query, which may carry secrets.
 */
export function parseServiceUrl(raw: string, source: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SourceError({ source, endpoint: what, kind: 'config', detail: `${what} is not an absolute URL` });
  }
  if (url.username !== '' || url.password !== '') {
    throw new SourceError({ source, endpoint: what, kind: 'config', detail: `${what} must not embed credentials` });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new SourceError({
    source,
    endpoint: what,
    kind: 'config',
    detail: `${what} ${url.protocol}//${url.host} is not allowed: https is required (plain http only for loopback hosts)`,
  });
}

/** True when `path` is an absolute URL (has a scheme) or protocol-relative. */
export function isAbsoluteUrl(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//');
}

/**
 * Joins a relative request path onto a base URL by appending it to the base path: base
 * `https://h/api/idadmin` + `/oauth2/platformtoken` → `https://h/api/idadmin/oauth2/platformtoken`. The path is used
 * verbatim (already-encoded segments such as a safeUrlId stay as they are); a `?query` in it is kept.
 */
export function joinUrl(base: URL, path: string): URL {
  if (isAbsoluteUrl(path)) return new URL(path, base);
  const basePath = base.pathname.replace(/\/+$/, '');
  const rel = path === '' ? '' : path.startsWith('/') || path.startsWith('?') ? path : `/${path}`;
  return new URL(`${base.origin}${basePath}${rel}`);
}

/** Endpoint label for messages: method + path without query (or fragment). */
export function endpointLabel(method: string, path: string): string {
  let p = path;
  if (isAbsoluteUrl(path)) {
    try {
      p = new URL(path).pathname;
    } catch {
      p = '(invalid URL)';
    }
  }
  p = p.split(/[?#]/, 1)[0] ?? '';
  return `${method} ${p === '' ? '/' : p}`;
}
