/**
 * Redrock paging and sorting (Identity docs: use queries): the `Args` of a request body, the stable sort of
 * rows by columns, and the Limit / PageSize / PageNumber window.
 */
import type { SourceRow } from './dataset.js';

export interface PageArgs {
  pageNumber: number;
  pageSize: number | undefined;
  limit: number | undefined;
  sortBy: string[];
  ascending: boolean;
}

function positive(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

function lookup(obj: Record<string, unknown>, name: string): unknown {
  if (obj[name] !== undefined) return obj[name];
  const l = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === l) return v;
  return undefined;
}

/** Reads `Args` / `args` from a request body; all fields optional, numbers may be strings. */
export function readArgs(body: Record<string, unknown>): PageArgs {
  const raw = lookup(body, 'Args');
  const args = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const sortBy = lookup(args, 'SortBy');
  const direction = lookup(args, 'Direction');
  const ascendingFlag = lookup(args, 'Ascending');
  let ascending = true;
  if (typeof ascendingFlag === 'boolean') ascending = ascendingFlag;
  if (direction !== undefined && direction !== '' && direction !== null) {
    ascending = !['false', '0', 'desc', 'descending'].includes(String(direction).trim().toLowerCase());
  }
  return {
    // PageNumber is 1-based; 0 is treated as 1 (unconfirmed).
    pageNumber: positive(lookup(args, 'PageNumber')) ?? 1,
    pageSize: positive(lookup(args, 'PageSize')),
    limit: positive(lookup(args, 'Limit')),
    sortBy:
      typeof sortBy === 'string'
        ? sortBy
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ascending,
  };
}

export interface SortKey {
  column: string;
  desc: boolean;
  nocase: boolean;
}

function compareValues(a: unknown, b: unknown, nocase: boolean): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? -1 : 1; // NULLs first, as in SQLite
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  let x = typeof a === 'string' ? a : JSON.stringify(a);
  let y = typeof b === 'string' ? b : JSON.stringify(b);
  if (nocase) {
    x = x.toLowerCase();
    y = y.toLowerCase();
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Stable sort by the keys, then by the primary key. */
export function sortRows(rows: SourceRow[], keys: SortKey[], primaryKey: string): SourceRow[] {
  const all = [...keys, { column: primaryKey, desc: false, nocase: false }];
  return [...rows].sort((r1, r2) => {
    for (const k of all) {
      const c = compareValues(r1.values[k.column], r2.values[k.column], k.nocase);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

/**
 * Pages rows: `Limit` bounds the rows available, `PageSize`/`PageNumber` select a page of them. `FullCount` is the
 * number of rows available (after Limit) and `Count` the rows in the page (their interplay is unconfirmed). A
 * pageSizeCap fault shrinks the effective page size, offsets included, so that paging by PageNumber stays contiguous.
 */
export function paginate<T>(rows: readonly T[], args: PageArgs, cap?: number): { page: T[]; fullCount: number } {
  const available = args.limit !== undefined ? rows.slice(0, args.limit) : rows;
  let size = args.pageSize;
  if (cap !== undefined) size = Math.min(size ?? Number.POSITIVE_INFINITY, cap);
  if (size === undefined || !Number.isFinite(size)) return { page: [...available], fullCount: available.length };
  const start = (args.pageNumber - 1) * size;
  return { page: available.slice(start, start + size), fullCount: available.length };
}
