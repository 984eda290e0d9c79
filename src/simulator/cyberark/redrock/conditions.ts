/**
 * WHERE conditions of the Redrock SQL subset compiled into row predicates (SQLite semantics: NULL never equals,
 * LIKE is case-insensitive for ASCII); LIKE patterns are shared with the DirectoryServiceQuery filters.
 */
import type { Condition, Literal } from './sql-parser.js';

/** SQL LIKE pattern (% and _) → case-insensitive RegExp (SQLite LIKE is case-insensitive for ASCII). */
export function likeRegExp(pattern: string, ignoreCase = true): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's');
}

export function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

function equals(rowValue: unknown, literal: Literal, nocase: boolean): boolean {
  if (rowValue === null || rowValue === undefined || literal === null) return false; // SQL: NULL = x is not true
  if (typeof rowValue === 'boolean') {
    if (typeof literal === 'boolean') return rowValue === literal;
    if (typeof literal === 'number') return rowValue === (literal !== 0);
    return String(rowValue) === literal.toLowerCase();
  }
  if (typeof rowValue === 'number' && typeof literal === 'number') return rowValue === literal;
  const a = asText(rowValue)!;
  const b = String(literal);
  return nocase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export type ColumnResolver = (name: string) => string;

/** Checks every column name in the condition, returning a predicate over canonical rows. */
export function compileCondition(
  cond: Condition,
  resolve: ColumnResolver,
): (values: Record<string, unknown>) => boolean {
  switch (cond.op) {
    case 'and': {
      const l = compileCondition(cond.left, resolve);
      const r = compileCondition(cond.right, resolve);
      return (v) => l(v) && r(v);
    }
    case 'or': {
      const l = compileCondition(cond.left, resolve);
      const r = compileCondition(cond.right, resolve);
      return (v) => l(v) || r(v);
    }
    case 'not': {
      const inner = compileCondition(cond.inner, resolve);
      return (v) => !inner(v);
    }
    case 'eq':
    case 'ne': {
      const col = resolve(cond.column);
      const negate = cond.op === 'ne';
      return (v) => {
        const value = v[col];
        if (value === null || value === undefined || cond.value === null) return false;
        return equals(value, cond.value, cond.nocase) !== negate;
      };
    }
    case 'like': {
      const col = resolve(cond.column);
      const re = likeRegExp(cond.pattern);
      return (v) => {
        const text = asText(v[col]);
        return text !== null && re.test(text) !== cond.negate;
      };
    }
    case 'null': {
      const col = resolve(cond.column);
      return (v) => (v[col] === null || v[col] === undefined) !== cond.negate;
    }
  }
}
