/**
 * The Identity "classic" response envelope and the read-only SQL subset of `POST /Redrock/query`
 * (shared/reference/cyberark-api.md §2), plus the Mongo-like filters of `UserMgmt/DirectoryServiceQuery` (§6.3).
 */
import { randomUUID } from 'node:crypto';

export type ColumnType = 'string' | 'boolean' | 'date' | 'int' | 'object';

export interface ColumnDef {
  name: string;
  type: ColumnType;
}

export interface Entity {
  Type: string;
  Key: string;
  IsForeignKey: boolean;
}

/** One row before projection: canonical column values (dates as epoch ms) and its entities. */
export interface SourceRow {
  values: Record<string, unknown>;
  entities: Entity[];
}

export interface Dataset {
  tableName: string;
  /** Primary-key column (default sort order, so paging is stable). */
  key: string;
  columns: ColumnDef[];
  rows: SourceRow[];
}

export class QueryError extends Error {
  override name = 'QueryError';
}

/** A small least-recently-used cache: filtered and sorted row lists are reused across the pages of one query. */
export class Memo<V> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly max = 32) {}

  get(key: string, compute: () => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }
}

const sortedRowsCache = new WeakMap<Dataset, Memo<SourceRow[]>>();

// ---------------------------------------------------------------------------------------------------------------
// Envelope

const ENVELOPE_TAIL = {
  Message: null,
  MessageID: null,
  Exception: null,
  ErrorID: null,
  ErrorCode: null,
  IsSoftError: false,
  InnerExceptions: null,
} as const;

/** `{success:true, Result, Message:null, ...}` (§2.2). */
export function ok(result: unknown) {
  return { success: true, Result: result, ...ENVELOPE_TAIL };
}

/** Logical failure: HTTP 200 with `success:false` (§2.2 "Errors"). */
export function fail(message: string, messageId: string | null = null) {
  return {
    success: false,
    Result: null,
    Message: message,
    MessageID: messageId,
    Exception: message,
    ErrorID: randomUUID(),
    ErrorCode: null,
    IsSoftError: false,
    InnerExceptions: null,
  };
}

export interface QueryResult {
  IsAggregate: false;
  Count: number;
  Columns: unknown[];
  FullCount: number;
  Results: { Entities: Entity[]; Row: Record<string, unknown> }[];
  ReturnID: '';
}

// Columns[].Type codes and TableKey values other than "NotAKey" are UNCONFIRMED (§2.2); 12 for strings is the only
// value seen, the others are guesses.
const TYPE_CODES: Record<ColumnType, number> = { string: 12, boolean: 3, date: 5, int: 8, object: 13 };

function columnMeta(tableName: string, key: string, out: string, col: ColumnDef) {
  return {
    Name: out,
    IsHidden: false,
    DDName: col.name,
    Title: out,
    DDTitle: col.name,
    Description: null,
    Type: TYPE_CODES[col.type],
    Format: col.type === 'date' ? 'date' : null,
    Width: 0,
    TableKey: col.name === key ? 'PrimaryKey' : 'NotAKey',
    ForeignKey: null,
    TableName: tableName,
  };
}

/** Dates are .NET JSON dates `/Date(<epoch-ms>)/` (§2.2); nulls stay null. */
export function dotNetDate(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : `/Date(${ms})/`;
}

function formatValue(value: unknown, type: ColumnType): unknown {
  if (value === undefined) return null;
  if (type === 'date') return typeof value === 'number' ? dotNetDate(value) : value;
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Paging and sorting

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

/** Reads `Args` / `args` from a request body (§2.1); all fields optional, numbers may be strings. */
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
    // PageNumber is 1-based; 0 is treated as 1 (UNCONFIRMED, §2.1).
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
 * number of rows available (after Limit) and `Count` the rows in the page (§2.2; interplay UNCONFIRMED). A
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

export interface Projection {
  out: string;
  column: ColumnDef;
}

export interface ResultOptions {
  tableName: string;
  key: string;
  projection: Projection[];
  rows: SourceRow[];
  args: PageArgs;
  cap: number | undefined;
  /** Include Columns metadata (Redrock query, DirectoryServiceQuery) or serve `Columns: []`. */
  columnsMeta: boolean;
  /** Append `_MatchFilter: null` to every row, as Redrock table queries do (§2.2 sample). */
  matchFilter: boolean;
}

export function resultSet(o: ResultOptions): QueryResult {
  const { page, fullCount } = paginate(o.rows, o.args, o.cap);
  return {
    IsAggregate: false,
    Count: page.length,
    Columns: o.columnsMeta ? o.projection.map((p) => columnMeta(o.tableName, o.key, p.out, p.column)) : [],
    FullCount: fullCount,
    Results: page.map((r) => {
      const row: Record<string, unknown> = {};
      for (const p of o.projection) {
        // A key the source row does not have at all is left out (e.g. Forest on non-AD directory rows).
        if (p.column.name in r.values) row[p.out] = formatValue(r.values[p.column.name], p.column.type);
      }
      if (o.matchFilter) row._MatchFilter = null;
      return { Entities: r.entities, Row: row };
    }),
    ReturnID: '',
  };
}

/** A result set over simple rows whose values are served as they are (Columns: []). */
export function simpleResult(
  tableName: string,
  key: string,
  columns: ColumnDef[],
  rows: SourceRow[],
  args: PageArgs,
  cap: number | undefined,
): QueryResult {
  return resultSet({
    tableName,
    key,
    projection: columns.map((c) => ({ out: c.name, column: c })),
    rows: sortRows(
      rows,
      args.sortBy.map((c) => ({ column: c, desc: !args.ascending, nocase: true })),
      key,
    ),
    args,
    cap,
    columnsMeta: false,
    matchFilter: false,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SQL subset

type Token =
  | { t: 'ident'; v: string; quoted: boolean }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'sym'; v: string }
  | { t: 'eof' };

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))!;
      out.push({ t: 'ident', v: m[0], quoted: false });
      i += m[0].length;
      continue;
    }
    if (c === '[' || c === '"') {
      const close = c === '[' ? ']' : '"';
      const end = sql.indexOf(close, i + 1);
      if (end === -1) throw new QueryError(`unterminated identifier at ${i}`);
      out.push({ t: 'ident', v: sql.slice(i + 1, end), quoted: true });
      i = end + 1;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new QueryError(`unterminated string literal at ${i}`);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += sql[j];
        j++;
      }
      out.push({ t: 'string', v });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(sql.slice(i));
    if (num) {
      out.push({ t: 'number', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (two === '!=' || two === '<>') {
      out.push({ t: 'sym', v: '!=' });
      i += 2;
      continue;
    }
    if ('=(),*;'.includes(c)) {
      out.push({ t: 'sym', v: c });
      i++;
      continue;
    }
    throw new QueryError(`unsupported character "${c}" at ${i}`);
  }
  out.push({ t: 'eof' });
  return out;
}

type Literal = string | number | boolean | null;

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'eq' | 'ne'; column: string; value: Literal; nocase: boolean }
  | { op: 'like'; column: string; pattern: string; negate: boolean }
  | { op: 'null'; column: string; negate: boolean };

export interface ParsedQuery {
  select: '*' | { column: string; alias: string }[];
  table: string;
  where: Condition | undefined;
  orderBy: SortKey[];
}

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'order',
  'by',
  'collate',
  'asc',
  'desc',
  'and',
  'or',
  'not',
  'like',
  'is',
  'null',
  'as',
]);

class Parser {
  #pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.#pos]!;
  }
  next(): Token {
    return this.tokens[this.#pos++]!;
  }
  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.t === 'ident' && !t.quoted && t.v.toLowerCase() === word;
  }
  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.#pos++;
    return true;
  }
  expectKeyword(word: string): void {
    if (!this.acceptKeyword(word))
      throw new QueryError(`expected ${word.toUpperCase()} but found ${describe(this.peek())}`);
  }
  acceptSym(sym: string): boolean {
    const t = this.peek();
    if (t.t === 'sym' && t.v === sym) {
      this.#pos++;
      return true;
    }
    return false;
  }
  identifier(what: string): string {
    const t = this.next();
    if (t.t !== 'ident' || (!t.quoted && KEYWORDS.has(t.v.toLowerCase()))) {
      throw new QueryError(`expected ${what} but found ${describe(t)}`);
    }
    return t.v;
  }

  query(): ParsedQuery {
    this.expectKeyword('select');
    let select: ParsedQuery['select'];
    if (this.acceptSym('*')) select = '*';
    else {
      select = [];
      do {
        const column = this.identifier('a column name');
        let alias = column;
        if (this.acceptKeyword('as')) alias = this.identifier('an alias');
        select.push({ column, alias });
      } while (this.acceptSym(','));
    }
    this.expectKeyword('from');
    const table = this.identifier('a table name');
    let where: Condition | undefined;
    if (this.acceptKeyword('where')) where = this.orExpr();
    const orderBy: SortKey[] = [];
    if (this.acceptKeyword('order')) {
      this.expectKeyword('by');
      do {
        const column = this.identifier('a column name');
        const nocase = this.collate();
        let desc = false;
        if (this.acceptKeyword('desc')) desc = true;
        else this.acceptKeyword('asc');
        orderBy.push({ column, desc, nocase });
      } while (this.acceptSym(','));
    }
    this.acceptSym(';');
    if (this.peek().t !== 'eof') throw new QueryError(`unsupported SQL near ${describe(this.peek())}`);
    return { select, table, where, orderBy };
  }

  collate(): boolean {
    if (!this.acceptKeyword('collate')) return false;
    const t = this.next();
    if (t.t !== 'ident' || t.v.toLowerCase() !== 'nocase') throw new QueryError('only COLLATE NOCASE is supported');
    return true;
  }

  orExpr(): Condition {
    let left = this.andExpr();
    while (this.acceptKeyword('or')) left = { op: 'or', left, right: this.andExpr() };
    return left;
  }

  andExpr(): Condition {
    let left = this.unary();
    while (this.acceptKeyword('and')) left = { op: 'and', left, right: this.unary() };
    return left;
  }

  unary(): Condition {
    if (this.acceptKeyword('not')) return { op: 'not', inner: this.unary() };
    if (this.acceptSym('(')) {
      const inner = this.orExpr();
      if (!this.acceptSym(')')) throw new QueryError(`expected ) but found ${describe(this.peek())}`);
      return inner;
    }
    const column = this.identifier('a column name');
    if (this.acceptKeyword('is')) {
      const negate = this.acceptKeyword('not');
      this.expectKeyword('null');
      return { op: 'null', column, negate };
    }
    const negate = this.acceptKeyword('not');
    if (this.acceptKeyword('like')) {
      const t = this.next();
      if (t.t !== 'string') throw new QueryError(`LIKE needs a string pattern, found ${describe(t)}`);
      this.collate();
      return { op: 'like', column, pattern: t.v, negate };
    }
    if (negate) throw new QueryError(`expected LIKE after NOT, found ${describe(this.peek())}`);
    const opTok = this.next();
    if (opTok.t !== 'sym' || (opTok.v !== '=' && opTok.v !== '!=')) {
      throw new QueryError(`unsupported operator ${describe(opTok)} (supported: =, !=, <>, LIKE, IS NULL)`);
    }
    const value = this.literal();
    const nocase = this.collate();
    return { op: opTok.v === '=' ? 'eq' : 'ne', column, value, nocase };
  }

  literal(): Literal {
    const t = this.next();
    if (t.t === 'string' || t.t === 'number') return t.v;
    if (t.t === 'ident' && !t.quoted) {
      const w = t.v.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    throw new QueryError(`expected a literal value but found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'eof':
      return 'end of query';
    case 'string':
      return `'${t.v}'`;
    case 'number':
      return String(t.v);
    default:
      return `"${t.v}"`;
  }
}

export function parseQuery(script: string): ParsedQuery {
  return new Parser(tokenize(script)).query();
}

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

function containsRegExp(value: string, ignoreCase: boolean): RegExp {
  return new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ignoreCase ? 'i' : '');
}

function asText(v: unknown): string | null {
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

/**
 * Runs a `Select <cols>|* from <Table> [WHERE ...] [ORDER BY ...]` script over the datasets (table names and column
 * names are case-insensitive; a selected column is served under the name as written, like SQLite). `Args.SortBy`
 * applies when the script has no ORDER BY. Throws QueryError for anything unsupported.
 */
export function runQuery(
  script: string,
  tables: ReadonlyMap<string, Dataset>,
  args: PageArgs,
  cap: number | undefined,
): QueryResult {
  if (script.trim().startsWith('@'))
    throw new QueryError(`named scripts are not supported by the simulator: ${script}`);
  const q = parseQuery(script);
  const ds = tables.get(q.table.toLowerCase());
  if (!ds) throw new QueryError(`unknown table "${q.table}"`);
  const byLower = new Map(ds.columns.map((c) => [c.name.toLowerCase(), c]));
  const aliases = new Map<string, string>();
  const resolveColumn = (name: string): ColumnDef => {
    const col = byLower.get(name.toLowerCase()) ?? byLower.get(aliases.get(name.toLowerCase()) ?? '');
    if (!col) throw new QueryError(`unknown column "${name}" in table ${ds.tableName}`);
    return col;
  };
  const projection: Projection[] =
    q.select === '*'
      ? ds.columns.map((c) => ({ out: c.name, column: c }))
      : q.select.map((s) => ({ out: s.alias, column: resolveColumn(s.column) }));
  if (q.select !== '*') for (const s of q.select) aliases.set(s.alias.toLowerCase(), s.column.toLowerCase());

  const predicate = q.where ? compileCondition(q.where, (n) => resolveColumn(n).name) : undefined;
  const order =
    q.orderBy.length > 0
      ? q.orderBy.map((k) => ({ ...k, column: resolveColumn(k.column).name }))
      : args.sortBy.map((c) => ({ column: resolveColumn(c).name, desc: !args.ascending, nocase: true }));
  let memo = sortedRowsCache.get(ds);
  if (!memo) {
    memo = new Memo();
    sortedRowsCache.set(ds, memo);
  }
  // The datasets are immutable, so the filtered and sorted rows can serve every page of the same query.
  const rows = memo.get(JSON.stringify([q.where ?? null, order]), () =>
    sortRows(predicate ? ds.rows.filter((r) => predicate(r.values)) : ds.rows, order, ds.key),
  );
  return resultSet({
    tableName: ds.tableName,
    key: ds.key,
    projection,
    rows,
    args,
    cap,
    columnsMeta: true,
    matchFilter: true,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// DirectoryServiceQuery filters (§6.3): {} | {Col: value} | {Col: {_eq|_ne|_like: ...}} | {_or: [...]} | {_and: [...]}

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
