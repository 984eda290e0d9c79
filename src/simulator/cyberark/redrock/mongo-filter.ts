/**
 * The Mongo-like filters of `UserMgmt/DirectoryServiceQuery`, as CyberArk's SDKs send them:
 * {} | {Col: value} | {Col: {_eq|_ne|_like: ...}} | {_or: [...]} | {_and: [...]}
 */
import { asText, likeRegExp } from './conditions.js';
import { type ColumnDef, QueryError } from './dataset.js';

type Predicate = (values: Record<string, unknown>) => boolean;

export function compileMongoFilter(filter: unknown, columns: readonly ColumnDef[]): Predicate {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    throw new QueryError('a directory query filter must be a JSON object');
  }
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const parts: Predicate[] = [];
  for (const [key, cond] of Object.entries(filter as Record<string, unknown>)) {
    if (key === '_or' || key === '_and') {
      if (!Array.isArray(cond)) throw new QueryError(`${key} needs an array`);
      const subs = cond.map((c) => compileMongoFilter(c, columns));
      parts.push(key === '_or' ? (v) => subs.some((s) => s(v)) : (v) => subs.every((s) => s(v)));
      continue;
    }
    const col = byLower.get(key.toLowerCase());
    if (!col) throw new QueryError(`unknown column "${key}" in filter`);
    if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) {
      parts.push((v) => mongoEq(v[col], cond));
      continue;
    }
    for (const [op, arg] of Object.entries(cond as Record<string, unknown>)) {
      if (op === '_eq') parts.push((v) => mongoEq(v[col], arg));
      else if (op === '_ne') parts.push((v) => !mongoEq(v[col], arg));
      else if (op === '_like') {
        let value: unknown = arg;
        let ignoreCase = true;
        if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
          value = (arg as Record<string, unknown>).value;
          const ic = (arg as Record<string, unknown>).ignoreCase;
          if (typeof ic === 'boolean') ignoreCase = ic;
        }
        if (typeof value !== 'string') throw new QueryError(`_like on ${key} needs a string`);
        // A plain string means "contains"; a % makes it an SQL LIKE pattern.
        const re = value.includes('%') ? likeRegExp(value, ignoreCase) : containsRegExp(value, ignoreCase);
        parts.push((v) => {
          const text = asText(v[col]);
          return text !== null && re.test(text);
        });
      } else throw new QueryError(`unsupported filter operator "${op}"`);
    }
  }
  return (v) => parts.every((p) => p(v));
}

function mongoEq(value: unknown, arg: unknown): boolean {
  if (arg === null) return value === null || value === undefined;
  if (typeof value === 'string' && typeof arg === 'string') return value === arg;
  return value === arg;
}

function containsRegExp(value: string, ignoreCase: boolean): RegExp {
  return new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ignoreCase ? 'i' : '');
}
