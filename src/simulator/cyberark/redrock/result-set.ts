/**
 * The Redrock result set (marcozj/golang-sdk): `{IsAggregate, Count, Columns, FullCount, Results,
 * ReturnID}` over one page of rows, projected onto the selected columns, with .NET JSON dates.
 */
import type { ColumnDef, ColumnType, Entity, SourceRow } from './dataset.js';
import { type PageArgs, paginate, sortRows } from './paging.js';

export interface QueryResult {
  IsAggregate: false;
  /** Left out of some real answers (issue 14). */
  Count?: number;
  Columns: unknown[];
  FullCount: number;
  Results: { Entities: Entity[]; Row: Record<string, unknown> }[];
  ReturnID: '';
}

// Columns[].Type codes and TableKey values other than "NotAKey" are undocumented; 12 for strings is the only
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

/** Dates are .NET JSON dates `/Date(<epoch-ms>)/` (Identity data dictionary); nulls stay null. */
export function dotNetDate(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : `/Date(${ms})/`;
}

function formatValue(value: unknown, type: ColumnType): unknown {
  if (value === undefined) return null;
  if (type === 'date') return typeof value === 'number' ? dotNetDate(value) : value;
  return value;
}

export interface Projection {
  out: string;
  column: ColumnDef;
}

/** Every column, served under its own name. */
export function allColumns(columns: readonly ColumnDef[]): Projection[] {
  return columns.map((c) => ({ out: c.name, column: c }));
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
  /** Append `_MatchFilter: null` to every row, as Redrock table queries do. */
  matchFilter: boolean;
  /** Leave `Count` out, as some real answers do (issue 14). */
  omitCount?: boolean;
}

export function resultSet(o: ResultOptions): QueryResult {
  const { page, fullCount } = paginate(o.rows, o.args, o.cap);
  return {
    IsAggregate: false,
    ...(o.omitCount ? {} : { Count: page.length }),
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
    projection: allColumns(columns),
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
