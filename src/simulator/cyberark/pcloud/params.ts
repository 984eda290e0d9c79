/**
 * Query parameters of the Privilege Cloud list endpoints (CyberArk docs; psPAS): offset/limit paging,
 * next links, `filter` expressions and `sort` lists.
 */
import type { FastifyRequest } from 'fastify';
import { intParam, type Query, rawQueryPairs } from '../../shared/http.js';
import { badParam } from './errors.js';

/** Base path of the REST API v2. */
export const API = '/PasswordVault/API';

/** offset/limit with defaults; invalid values → 400. */
export function paging(q: Query, defaultLimit: number): { offset: number; limit: number } {
  const offset = intParam(q.offset) ?? 0;
  const limit = intParam(q.limit) ?? defaultLimit;
  if (Number.isNaN(offset)) throw badParam(`invalid offset "${q.offset}"`);
  if (Number.isNaN(limit) || limit < 1) throw badParam(`invalid limit "${q.limit}"`);
  return { offset, limit };
}

/** `API/Safes?offset=..&limit=..` + the other query parameters of the request (original spelling and order). */
export function nextLink(
  request: FastifyRequest,
  path: string,
  offset: number,
  limit: number,
  lead: [string, string][] = [],
): string {
  const skip = new Set(['offset', 'limit', ...lead.map(([k]) => k.toLowerCase())]);
  const pairs: [string, string][] = [['offset', String(offset)], ['limit', String(limit)], ...lead];
  for (const [k, v] of rawQueryPairs(request)) if (!skip.has(k.toLowerCase())) pairs.push([k, v]);
  return `${path}?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

export interface FilterTerm {
  key: string;
  op: string;
  value: string;
}

/**
 * Parses `key op value [AND key op value ...]` (keys and AND case-insensitive). A value is either quoted ('...' or
 * "...") or runs unquoted, spaces included, up to the next ` AND <known key> <op> ` or the end.
 */
export function parseFilter(filter: string, keys: readonly string[], ops: readonly string[] = ['eq']): FilterTerm[] {
  const keyAlt = keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const opAlt = ops.join('|');
  const head = new RegExp(`^(${keyAlt})\\s+(${opAlt})\\s+`, 'i');
  const nextTerm = new RegExp(`\\s+and\\s+(?=(${keyAlt})\\s+(${opAlt})\\s)`, 'i');
  const terms: FilterTerm[] = [];
  let rest = filter.trim();
  while (rest.length > 0) {
    const m = head.exec(rest);
    if (!m) throw badParam(`unsupported filter "${filter}" (supported: ${keys.join(', ')} with ${ops.join('/')})`);
    const key = keys.find((k) => k.toLowerCase() === m[1]!.toLowerCase())!;
    rest = rest.slice(m[0].length);
    let value: string;
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      const end = rest.indexOf(quote, 1);
      if (end === -1) throw badParam(`unterminated quote in filter "${filter}"`);
      value = rest.slice(1, end);
      rest = rest.slice(end + 1);
      const and = /^\s+and\s+/i.exec(rest);
      if (and) rest = rest.slice(and[0].length);
      else if (rest.trim() !== '') throw badParam(`unexpected text after ${key} in filter "${filter}"`);
      else rest = '';
    } else {
      const n = nextTerm.exec(rest);
      value = (n ? rest.slice(0, n.index) : rest).trim();
      rest = n ? rest.slice(n.index + n[0].length) : '';
    }
    terms.push({ key, op: m[2]!.toLowerCase(), value });
  }
  return terms;
}

export function boolTerm(t: FilterTerm): boolean {
  const v = t.value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw badParam(`${t.key} must be true or false`);
  return v === 'true';
}

/** `sort=field [asc|desc][, field ...]` → comparator; only the listed fields are accepted. */
export function sorter<T>(sort: string | undefined, fields: Record<string, (t: T) => string | number | undefined>) {
  if (!sort || sort.trim() === '') return undefined;
  const keys = sort.split(',').map((part) => {
    const [field = '', dir = 'asc', ...extra] = part.trim().split(/\s+/);
    const name = Object.keys(fields).find((f) => f.toLowerCase() === field.toLowerCase());
    if (!name || extra.length > 0 || !['asc', 'desc'].includes(dir.toLowerCase())) {
      throw badParam(`unsupported sort "${sort}"`);
    }
    return { get: fields[name]!, desc: dir.toLowerCase() === 'desc' };
  });
  return (a: T, b: T): number => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x ?? '')
              .toLowerCase()
              .localeCompare(String(y ?? '').toLowerCase());
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}
