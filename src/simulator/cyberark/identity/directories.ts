/**
 * Identity directory endpoints: the directory services (`/Core/GetDirectoryServices`) and
 * `/UserMgmt/DirectoryServiceQuery` over users, groups and roles with Mongo-like filters.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyOf, pick } from '../../shared/http.js';
import type { Variations } from '../../shared/variations.js';
import type { TenantModel } from '../model.js';
import { type ColumnDef, Memo, QueryError, type SourceRow } from '../redrock/dataset.js';
import { compileMongoFilter } from '../redrock/mongo-filter.js';
import { type PageArgs, readArgs, sortRows } from '../redrock/paging.js';
import { allColumns, type QueryResult, resultSet } from '../redrock/result-set.js';
import { fail, ok } from './envelope.js';
import { pageCap } from './params.js';
import {
  DSQ_GROUP_COLUMNS,
  DSQ_ROLE_COLUMNS,
  DSQ_USER_COLUMNS,
  directoryServiceRow,
  dsqGroupRow,
  dsqRoleRow,
  dsqUserRow,
} from './rows.js';

export function registerDirectoryRoutes(api: FastifyInstance, model: TenantModel, variations: Variations): void {
  const tenant = model.tenant;
  // DirectoryServiceQuery rows are built on first use and kept (the tenant is immutable while serving).
  const lazy = <T>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => {
      value ??= build();
      return value;
    };
  };
  const dsqRows = {
    users: lazy(() => tenant.identity.users.map((u) => dsqUserRow(model, u, variations))),
    groups: lazy(() => tenant.identity.groups.map((g) => dsqGroupRow(model, g))),
    roles: lazy(() => tenant.identity.roles.map(dsqRoleRow)),
  };
  const dsqCache = new Memo<SourceRow[]>();

  const directoryServices = async (request: FastifyRequest) => {
    const rows = tenant.identity.directoryServices.map((d) => directoryServiceRow(model, d));
    const columns = [
      'Service',
      'DisplayName',
      'Tenant',
      'Name',
      'Status',
      'Config',
      'StatusDisplay',
      'Everybody',
      'Description',
      'DisplayNameShort',
      'directoryServiceUuid',
      'Forest',
    ].map((name) => ({ name, type: 'string' as const }));
    // Served in tenant order (CDS first, as in the marcozj/golang-sdk sample), not sorted by key.
    return ok(
      resultSet({
        tableName: 'DirectoryServices',
        key: 'directoryServiceUuid',
        projection: allColumns(columns),
        rows,
        args: readArgs(bodyOf(request)),
        cap: pageCap(request),
        columnsMeta: false,
        matchFilter: false,
      }),
    );
  };
  api.get('/Core/GetDirectoryServices', directoryServices);
  api.post('/Core/GetDirectoryServices', directoryServices);

  api.post('/UserMgmt/DirectoryServiceQuery', async (request) => {
    const body = bodyOf(request);
    const args = readArgs(body);
    const c = pageCap(request);
    const dirFilter = pick(body, 'directoryServices');
    const dirs =
      Array.isArray(dirFilter) && dirFilter.length > 0
        ? new Set(dirFilter.filter((d): d is string => typeof d === 'string').map((d) => d.toLowerCase()))
        : undefined;
    const inDirs = (r: SourceRow) => !dirs || dirs.has(String(r.values.DirectoryServiceUuid).toLowerCase());
    const dirKey = dirs ? [...dirs].sort().join(',') : '*';
    try {
      const result: Record<string, QueryResult> = {};
      const sub = (
        key: string,
        tableName: string,
        primary: string,
        columns: ColumnDef[],
        rows: () => SourceRow[],
        byDirectory: boolean,
      ): QueryResult | undefined => {
        const raw = pick(body, key);
        if (raw === undefined || raw === null) return undefined;
        let filter: unknown = {};
        if (typeof raw === 'string') {
          if (raw.trim() !== '') {
            try {
              filter = JSON.parse(raw);
            } catch {
              throw new QueryError(`"${key}" is not a JSON-encoded filter`);
            }
          }
        } else filter = raw;
        const predicate = compileMongoFilter(filter, columns);
        const order = sortKeys(columns, args);
        // Rows are immutable: the filtered and sorted list serves every page of the same query.
        const cacheKey = JSON.stringify([key, filter, byDirectory ? dirKey : '*', order]);
        const selected = dsqCache.get(cacheKey, () =>
          sortRows(
            rows().filter((r) => (!byDirectory || inDirs(r)) && predicate(r.values)),
            order,
            primary,
          ),
        );
        const omitCount = variations.varies('DirectoryServiceQuery Count', key, args.pageNumber);
        return dsqResult(tableName, primary, columns, selected, args, c, omitCount);
      };
      const users = sub('user', 'User', 'InternalName', DSQ_USER_COLUMNS, dsqRows.users, true);
      const groups = sub('group', 'Group', 'InternalName', DSQ_GROUP_COLUMNS, dsqRows.groups, true);
      const roles = sub('roles', 'Role', '_ID', DSQ_ROLE_COLUMNS, dsqRows.roles, false);
      if (users) result.User = users;
      if (groups) result.Group = groups;
      if (roles) result.roles = roles;
      return ok(result);
    } catch (error) {
      if (error instanceof QueryError) return fail(`Query failed: ${error.message}`);
      throw error;
    }
  });
}

function sortKeys(columns: ColumnDef[], args: PageArgs) {
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  return args.sortBy.map((s) => {
    const name = byLower.get(s.toLowerCase());
    if (!name) throw new QueryError(`unknown sort column "${s}"`);
    return { column: name, desc: !args.ascending, nocase: true };
  });
}

/** A DirectoryServiceQuery sub-result over rows already filtered and sorted. */
function dsqResult(
  tableName: string,
  key: string,
  columns: ColumnDef[],
  rows: SourceRow[],
  args: PageArgs,
  cap: number | undefined,
  omitCount: boolean,
): QueryResult {
  return resultSet({
    tableName,
    key,
    projection: allColumns(columns),
    rows,
    args,
    cap,
    columnsMeta: true,
    matchFilter: false,
    omitCount,
  });
}
