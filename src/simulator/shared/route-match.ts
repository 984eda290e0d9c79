/**
 * Which requests a fault rule applies to: the rule's match (method and path) against a request's method and raw path.
 * Shared by the fault controller (./fault-rules.ts) and the request counters (./counters.ts), which key on the same
 * normalised path.
 */

export interface FaultMatch {
  method?: string;
  /**
   * A string is matched case-insensitively against the path without the query string (trailing slash ignored): with a
   * `*` it is a glob anchored at both ends (`*` = any characters, `/` included); without one it is a path prefix on
   * segment boundaries (`/redrock/query` matches `/Redrock/Query/` but not `/redrock/queryx`). The raw path and its
   * percent-decoded form are both tried. A RegExp is tested against the raw path as received.
   */
  path: string | RegExp;
}

/** What a request looks like to a route matcher. */
export interface RequestInfo {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
}

export type RouteMatcher = (match: FaultMatch, request: RequestInfo) => boolean;

/** Path without query string and without a trailing slash (the root stays `/`). */
export function normalisePath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path || '/';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const globCache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re;
}

function matchesPathString(pattern: string, path: string): boolean {
  const p = normalisePath(path).toLowerCase();
  const pat = pattern.toLowerCase();
  if (pat.includes('*')) return globRegExp(pat).test(p);
  const prefix = normalisePath(pat);
  if (prefix === '/') return true;
  return p === prefix || p.startsWith(`${prefix}/`);
}

/** The default matcher: see {@link FaultMatch}. */
export const defaultRouteMatcher: RouteMatcher = (match, request) => {
  if (match.method && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.path instanceof RegExp) {
    match.path.lastIndex = 0;
    return match.path.test(request.path);
  }
  return matchesPathString(match.path, request.path) || matchesPathString(match.path, safeDecode(request.path));
};
