/**
 * Runs a parsed Redrock query over the tables: resolves table and column names (case-insensitive, aliases included),
 * filters, sorts and pages the rows, and projects the result set.
 */

import { compileCondition } from './conditions.js';
import { type ColumnDef, type Dataset, Memo, QueryError, type SourceRow } from './dataset.js';
import { type PageArgs, sortRows } from './paging.js';
import { allColumns, type Projection, type QueryResult, resultSet } from './result-set.js';
import { parseQuery } from './sql-parser.js';

const sortedRowsCache = new WeakMap<Dataset, Memo<SourceRow[]>>();

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
  omitCount = false,
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
      ? allColumns(ds.columns)
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
    omitCount,
  });
}
