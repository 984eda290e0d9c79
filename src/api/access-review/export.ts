/**
 * The access-review export: one row per (principal, resource, grant path), produced as an async stream so that an
 * export of the whole estate never sits in memory. Resources are read one at a time (safes paged with listAssets,
 * then safeAccess per safe; applications likewise), and each resource's rows are written before the next is read.
 *
 * Scopes:
 * - `safe:<name>`: every principal with any permission on the safe.
 * - `user:<login>`: the user's own rows on every safe and application it reaches.
 * - `role:<name>`: every grant that runs through the role: the role's own (effective) safes and applications, and
 *   every holder (user, group or nested role) whose grant path passes through the role. Paths beyond the stored
 *   limit (sync.maxPaths) are not seen.
 * - `all`: every safe, then every application.
 *
 * The columns are in columns.ts, the rows of one resource in rows.ts, the CSV and JSON forms in writer.ts.
 * openAccessReview is the one entry of the API route and of `arkgraph export access-review`.
 */
import type { Readable } from 'node:stream';
import type { QueryEngine } from '../../queries/engine.js';
import type { GrantPath, PrincipalAccess } from '../../queries/types.js';
import type { AccessReviewRow } from './columns.js';
import { PAGE, type Resource, RowContext, resourceRows } from './rows.js';
import { type ExportScope, parseScope, resolveRole, scopeText } from './scope.js';
import { type ExportFormat, exportStream } from './writer.js';

export interface AccessReviewOptions {
  /** Users whose last login is older than this many days (or who never logged in) get no_login_90d. Default 90. */
  inactiveDays?: number;
  /** Clock for the no-login flag (tests). */
  now?: number;
}

async function* pagedIds(queries: QueryEngine, type: 'safes' | 'applications'): AsyncGenerator<string> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await queries.listAssets({ type, offset, limit: PAGE });
    for (const item of page.items) yield String(item.id);
    if (page.items.length < PAGE || offset + page.items.length >= page.total) return;
  }
}

async function* everyResource(
  queries: QueryEngine,
): AsyncGenerator<{ resource: Resource; principals: PrincipalAccess[] }> {
  for await (const id of pagedIds(queries, 'safes')) {
    const r = await queries.safeAccess(id);
    yield { resource: { type: 'Safe', ...r.safe }, principals: r.principals };
  }
  for await (const id of pagedIds(queries, 'applications')) {
    const r = await queries.applicationAccess(id);
    yield { resource: { type: 'CyberArkApplication', ...r.application }, principals: r.principals };
  }
}

/**
 * Resolves the scope (unknown names fail here, before anything is streamed) and returns the row stream.
 * Store errors that happen later end the stream with an error.
 */
export async function prepareAccessReview(
  queries: QueryEngine,
  scope: ExportScope,
  options: AccessReviewOptions = {},
): Promise<AsyncGenerator<AccessReviewRow>> {
  const ctx = new RowContext(
    queries,
    scopeText(scope),
    (options.inactiveDays ?? 90) * 86_400_000,
    options.now ?? Date.now(),
  );
  const everything = () => true;

  if (scope.kind === 'safe') {
    const r = await queries.safeAccess(scope.name);
    return (async function* () {
      if (r.principals.length > 50) await ctx.prefetchDirectoryTypes();
      yield* resourceRows(ctx, { type: 'Safe', ...r.safe }, r.principals, everything);
    })();
  }

  if (scope.kind === 'user') {
    const u = await queries.userAccess(scope.name);
    const userId = u.user.id;
    const mine = (p: PrincipalAccess) => p.id === userId;
    return (async function* () {
      for (const s of u.safes) {
        const r = await queries.safeAccess(s.safe.id);
        yield* resourceRows(ctx, { type: 'Safe', ...r.safe }, r.principals, mine);
      }
      for (const a of u.applications) {
        const r = await queries.applicationAccess(a.application.id);
        yield* resourceRows(ctx, { type: 'CyberArkApplication', ...r.application }, r.principals, mine);
      }
    })();
  }

  if (scope.kind === 'role') {
    const role = await resolveRole(queries, scope.name);
    const throughRole = (p: PrincipalAccess, path: GrantPath | undefined) =>
      p.id === role.id || (path?.some((s) => s.kind === 'CyberArkRole' && s.id === role.id) ?? false);
    return (async function* () {
      await ctx.prefetchDirectoryTypes();
      for await (const { resource, principals } of everyResource(queries)) {
        yield* resourceRows(ctx, resource, principals, throughRole);
      }
    })();
  }

  // all: fail now (e.g. no graph yet) rather than after the headers went out.
  await queries.listAssets({ type: 'safes', limit: 1 });
  return (async function* () {
    await ctx.prefetchDirectoryTypes();
    for await (const { resource, principals } of everyResource(queries)) {
      yield* resourceRows(ctx, resource, principals, everything);
    }
  })();
}

export interface AccessReviewRequest {
  /** `safe:<name>`, `role:<name>`, `user:<login>` or `all`. */
  scope: string;
  format: ExportFormat;
  /** Threshold of the no_login_90d flag, in days (default 90). */
  inactiveDays?: number | undefined;
}

/**
 * An export ready to stream: the scope is parsed and resolved (a bad scope or an unknown name fails here, before any
 * byte), `stream` produces the document on demand (writer.ts exportStream) and `rows()` counts the rows sent so far.
 */
export async function openAccessReview(
  queries: QueryEngine,
  request: AccessReviewRequest,
): Promise<{ stream: Readable; rows: () => number }> {
  const rows = await prepareAccessReview(queries, parseScope(request.scope), {
    ...(request.inactiveDays !== undefined ? { inactiveDays: request.inactiveDays } : {}),
  });
  let count = 0;
  async function* counted(): AsyncGenerator<AccessReviewRow> {
    for await (const row of rows) {
      count++;
      yield row;
    }
  }
  return { stream: exportStream(counted(), request.format), rows: () => count };
}
