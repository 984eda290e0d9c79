/**
 * The read-only SQL subset of `POST /Redrock/query` (Identity docs: use queries): `SELECT <columns>|* FROM
 * <table> [WHERE ...] [ORDER BY ...]`, tokenised and parsed into a query tree; ./query.ts runs it.
 */
import { QueryError } from './dataset.js';
import type { SortKey } from './paging.js';

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

export type Literal = string | number | boolean | null;

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
