/** The API routes. Every route declares zod schemas for its parameters, query and responses (docs/openapi.json). */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ArkgraphConfig } from '../config/config.js';
import { CSV_BOM, CSV_CONTENT_TYPE, CSV_EOL, csvLine } from '../csv.js';
import { CORRELATION_CSV_COLUMNS, correlationReportRows } from '../queries/correlation-report.js';
import { QueryEngine } from '../queries/engine.js';
import { ASSET_TYPES, type PageRequest } from '../queries/types.js';
import type { GraphStore } from '../store/types.js';
import { csvChunks, jsonChunks, parseScope, prepareAccessReview } from './access-review.js';
import { ApiProblem } from './problem.js';
import {
  accountAccessSchema,
  assetListSchema,
  correlationReportSchema,
  healthSchema,
  intQuery,
  nameParam,
  pathsSchema,
  problemSchema,
  readySchema,
  safeAccessSchema,
  searchQuery,
  sourceCheckSchema,
  syncRunSchema,
  syncRunsSchema,
  syncStartedSchema,
  userAccessSchema,
  whoCanSchema,
} from './schemas.js';
import type { SourceTestResult } from './source-test.js';
import type { SyncController } from './sync-control.js';

export interface RouteContext {
  store: GraphStore;
  config: ArkgraphConfig;
  syncs: SyncController;
  inactiveDays: number;
  readyTimeoutMs: number;
  sourceTester: (config: ArkgraphConfig) => Promise<SourceTestResult>;
}

const PREFIX = '/api/v1';

/** Problem responses, documented per route. */
function problems(...codes: number[]): Record<number, typeof problemSchema> {
  return Object.fromEntries(codes.map((c) => [c, problemSchema]));
}
const READER_ERRORS = [400, 401, 403, 429, 503] as const;

/** Paging of lists (assets) and of answers listing principals: the same bounds everywhere. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const pageQuery = {
  offset: intQuery(0, 1_000_000_000).optional().describe('Items to skip (default 0)'),
  limit: intQuery(1, MAX_PAGE_SIZE).optional().describe(`Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`),
};

function pageOf(query: { offset?: number | undefined; limit?: number | undefined }): PageRequest {
  return { offset: query.offset ?? 0, limit: query.limit ?? DEFAULT_PAGE_SIZE };
}

/** The requested representation: ?format wins, then Accept: text/csv, else JSON. */
export function wantsCsv(request: FastifyRequest, format: 'csv' | 'json' | undefined): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /(^|[,\s])text\/csv\b/i.test(accept);
}

function fileName(base: string, scope: string, csv: boolean): string {
  const slug = scope.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const day = new Date().toISOString().slice(0, 10);
  return `${base}-${slug}-${day}.${csv ? 'csv' : 'json'}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ApiProblem(503, 'store-unavailable', `the store did not answer within ${ms} ms`)),
      ms,
    );
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export async function registerRoutes(root: FastifyInstance, ctx: RouteContext): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store, syncs } = ctx;
  const queries = new QueryEngine(store);

  // ------------------------------------------------------------------------------------------ operations
  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness (no token needed)',
        security: [],
        querystring: z.object({}).strict(),
        response: { 200: healthSchema, ...problems(400, 429) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: 200 when the store answers, 503 when it is unreachable or unreadable',
        querystring: z.object({}).strict(),
        response: { 200: readySchema, ...problems(...READER_ERRORS) },
      },
    },
    async () => {
      const hasData = await withTimeout(store.hasData(), ctx.readyTimeoutMs);
      return { status: 'ready' as const, store: store.kind, has_data: hasData };
    },
  );

  // ---------------------------------------------------------------------------------------------- queries
  app.get(
    `${PREFIX}/safes/:safe/access`,
    {
      schema: {
        tags: ['queries'],
        summary: 'Who can do what on a safe (who-can with ?permission=, else every principal with any permission)',
        description:
          'With `permission` (an API key such as retrieveAccounts or a display name such as "Retrieve Accounts", any case): the same JSON as `arkgraph who-can --json --offset … --limit …`. Without it: every principal holding any permission on the safe. Principals come a page at a time (`offset`, `limit`; `total` counts them all) in a fixed order: CyberArk users, groups, roles, vault users, vault groups, each by name then id. The safe is matched by graph id or by name, any case. 404 lists close names in `suggestions`; an unknown permission is a 400 with `validPermissions`. For every principal of every safe at once, use /exports/access-review.',
        params: z.object({ safe: nameParam.describe('Safe name (any case) or graph id') }),
        querystring: z
          .object({
            permission: z.string().min(1).max(100).optional().describe('API key or display name'),
            ...pageQuery,
          })
          .strict(),
        response: { 200: z.union([whoCanSchema, safeAccessSchema]), ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => {
      const { safe } = request.params;
      const { permission } = request.query;
      const page = pageOf(request.query);
      return permission !== undefined ? queries.whoCan(permission, safe, page) : queries.safeAccess(safe, page);
    },
  );

  app.get(
    `${PREFIX}/users/:user/access`,
    {
      schema: {
        tags: ['queries'],
        summary: 'What a user can reach: safes, roles and applications with paths (arkgraph access --json)',
        params: z.object({ user: nameParam.describe('Login name (any case) or graph id') }),
        querystring: z.object({}).strict(),
        response: { 200: userAccessSchema, ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => queries.userAccess(request.params.user),
  );

  app.get(
    `${PREFIX}/accounts/:account/access`,
    {
      schema: {
        tags: ['queries'],
        summary: 'Who can do what with an account, through its safe (arkgraph account-access --json), a page at a time',
        params: z.object({ account: nameParam.describe('Account id (e.g. 35_3), graph id or name') }),
        querystring: z.object(pageQuery).strict(),
        response: { 200: accountAccessSchema, ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => queries.accountAccess(request.params.account, pageOf(request.query)),
  );

  app.get(
    `${PREFIX}/paths`,
    {
      schema: {
        tags: ['queries'],
        summary: 'Every path from a user to a safe, expired memberships included (arkgraph paths --json)',
        querystring: z
          .object({
            from: nameParam.describe('Login name or graph id of the user'),
            safe: nameParam.describe('Safe name or graph id'),
            maxDepth: intQuery(1, 12).optional().describe('Maximum hops, 1-12 (default 8)'),
          })
          .strict(),
        response: { 200: pathsSchema, ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => {
      const { from, safe, maxDepth } = request.query;
      return queries.paths(from, safe, maxDepth);
    },
  );

  // ----------------------------------------------------------------------------------------------- assets
  for (const type of ASSET_TYPES) {
    app.get(
      `${PREFIX}/${type}`,
      {
        schema: {
          tags: ['assets'],
          summary: `List ${type} (paged, ordered by name, searchable)`,
          querystring: z
            .object({
              ...pageQuery,
              search: searchQuery,
            })
            .strict(),
          response: { 200: assetListSchema, ...problems(...READER_ERRORS) },
        },
      },
      async (request) => {
        const { search } = request.query;
        const page = await queries.listAssets({
          type,
          ...pageOf(request.query),
          ...(search !== undefined ? { search } : {}),
        });
        // Every item starts with id, native_id, tenant_id and name (src/queries/assets.ts).
        return page as z.infer<typeof assetListSchema>;
      },
    );
  }

  // ---------------------------------------------------------------------------------------------- reviews
  app.get(
    `${PREFIX}/exports/access-review`,
    {
      config: { auth: 'reviewer' },
      schema: {
        tags: ['reviews'],
        summary: 'Access-review export: one row per (principal, resource, grant path), streamed as CSV or JSON',
        description:
          'scope: `safe:<name>`, `role:<name>`, `user:<login>` or `all`. format: `csv` or `json` (default: CSV when Accept names text/csv, else JSON). The columns, their order and the flags are documented in docs/api.md. CSV: UTF-8 with BOM, CRLF, RFC 4180 quoting, formula-injection neutralised. The export is streamed; an error after the first bytes ends the connection instead of completing the document.',
        querystring: z
          .object({
            scope: z.string().min(1).max(500).describe('safe:<name> | role:<name> | user:<login> | all'),
            format: z.enum(['csv', 'json']).optional(),
            inactiveDays: intQuery(1, 3650).optional().describe('Threshold of the no_login_90d flag (default 90)'),
          })
          .strict(),
        response: {
          200: z.array(z.record(z.string(), z.unknown())).describe('JSON: an array of rows; CSV: see text/csv'),
          ...problems(...READER_ERRORS, 404),
        },
      },
    },
    async (request, reply) => {
      const { scope, format, inactiveDays } = request.query;
      const csv = wantsCsv(request, format);
      const rows = await prepareAccessReview(queries, parseScope(scope), {
        inactiveDays: inactiveDays ?? ctx.inactiveDays,
      });
      const stream = Readable.from(csv ? csvChunks(rows) : jsonChunks(rows), { objectMode: false });
      stream.on('error', (error) => {
        request.log.error({ err: { message: String((error as Error).message) } }, 'export failed after it started');
      });
      return reply
        .type(csv ? CSV_CONTENT_TYPE : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName('access-review', scope, csv)}"`)
        .send(stream as never);
    },
  );

  app.get(
    `${PREFIX}/reports/correlation`,
    {
      config: { auth: 'reviewer' },
      schema: {
        tags: ['reviews'],
        summary: 'Identity-correlation report (JSON, or CSV with ?format=csv or Accept: text/csv)',
        description:
          'Per directory (Entra ID tenant, AD domain): matched identities, ambiguous keys, directory identities without a CyberArk account, disabled identities that still hold safe permissions, guests; and CyberArk orphans. The CSV form has one row per reported identity, summary rows first.',
        querystring: z.object({ format: z.enum(['csv', 'json']).optional() }).strict(),
        response: { 200: correlationReportSchema, ...problems(...READER_ERRORS) },
      },
    },
    async (request, reply) => {
      const report = await queries.correlationReport();
      if (!wantsCsv(request, request.query.format)) return report as z.infer<typeof correlationReportSchema>;
      const lines = [
        csvLine(CORRELATION_CSV_COLUMNS),
        ...correlationReportRows(report).map((r) => csvLine(CORRELATION_CSV_COLUMNS.map((c) => r[c]))),
      ];
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="${fileName('correlation-report', 'all', true)}"`)
        .serializer((text: unknown) => String(text))
        .send(`${CSV_BOM}${lines.join(CSV_EOL)}${CSV_EOL}` as never);
    },
  );

  // ------------------------------------------------------------------------------------------------- sync
  app.get(
    `${PREFIX}/sync/runs`,
    {
      schema: {
        tags: ['sync'],
        summary: 'Recent sync runs, newest first, with the running one (status, counts, durations, errors)',
        querystring: z.object({ limit: intQuery(1, 200).optional().describe('How many (default 20)') }).strict(),
        response: { 200: syncRunsSchema, ...problems(...READER_ERRORS) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const running = syncs.running;
      const runs = await store.syncRuns(limit);
      const list = running && !runs.some((r) => r.id === running.id) ? [running, ...runs].slice(0, limit) : runs;
      return { running: running?.id ?? null, runs: list };
    },
  );

  app.get(
    `${PREFIX}/sync/runs/:id`,
    {
      schema: {
        tags: ['sync'],
        summary: 'One sync run',
        params: z.object({ id: z.string().min(1).max(200) }),
        querystring: z.object({}).strict(),
        response: { 200: syncRunSchema, ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => {
      const running = syncs.running;
      if (running && running.id === request.params.id) return running;
      const run = await store.syncRun(request.params.id);
      if (!run) throw new ApiProblem(404, 'not-found', `no sync run "${request.params.id.slice(0, 200)}"`);
      return run;
    },
  );

  app.post(
    `${PREFIX}/sync`,
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['sync'],
        summary: 'Start a sync in the background (202 with the run id; 409 when one is running)',
        querystring: z.object({}).strict(),
        body: z.object({}).strict().nullish().describe('No body (or an empty JSON object)'),
        response: { 202: syncStartedSchema, ...problems(...READER_ERRORS, 409) },
      },
    },
    async (_request, reply) => {
      if (!syncs.configured) {
        throw new ApiProblem(
          409,
          'sync-not-configured',
          'no source is configured on this server (ARKGRAPH_IDENTITY_URL, ARKGRAPH_CLIENT_ID, ARKGRAPH_CLIENT_SECRET)',
        );
      }
      const r = await syncs.start('api');
      if (!r.started) {
        throw new ApiProblem(409, 'sync-running', `sync ${r.running} is running; try again when it has finished`, {
          running_id: r.running,
        });
      }
      const location = `${PREFIX}/sync/runs/${encodeURIComponent(r.id)}`;
      return reply
        .code(202)
        .header('location', location)
        .send({ id: r.id, status: 'running' as const, location });
    },
  );

  app.post(
    `${PREFIX}/sources/test`,
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['sync'],
        summary: 'Test each configured source: a token and one cheap read per required right, nothing synced',
        querystring: z.object({}).strict(),
        body: z.object({}).strict().nullish().describe('No body (or an empty JSON object)'),
        response: { 200: sourceCheckSchema, ...problems(...READER_ERRORS) },
      },
    },
    async () => ctx.sourceTester(ctx.config),
  );
}
