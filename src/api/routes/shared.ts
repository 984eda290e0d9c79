/**
 * What the route plugins share: the /api/v1 prefix, the context buildApi hands them, the documented problem
 * responses, paging and format parameters, the queries of the asset lists and of the access-review export (which the
 * CLI's `list` and `export access-review` validate their options with, so both take exactly the same values), and
 * the download headers of CSV (or JSON) answers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ArkgraphConfig } from '../../config/config.js';
import { CSV_CONTENT_TYPE } from '../../csv.js';
import type { QueryEngine } from '../../queries/engine.js';
import type { AssetQuery, AssetType, PageRequest } from '../../queries/types.js';
import type { GraphStore } from '../../store/types.js';
import { intQuery, problemSchema, searchQuery } from '../schemas.js';
import type { SourceTestResult } from '../source-test.js';
import type { SyncController } from '../sync-control.js';

/** Every route but /health, /ready and /docs lives under this prefix (routes/index.ts registers it once). */
export const API_PREFIX = '/api/v1';

/** What the route plugins are given (each plugin takes the part it uses). */
export interface RouteContext {
  /** The one query engine of the app: every query route asks it. */
  queries: QueryEngine;
  store: GraphStore;
  config: ArkgraphConfig;
  syncs: SyncController;
  /** Default threshold of the no_login_90d export flag, in days. */
  inactiveDays: number;
  /** How long GET /ready waits for the store. */
  readyTimeoutMs: number;
  sourceTester: (config: ArkgraphConfig) => Promise<SourceTestResult>;
}

/** Problem responses, documented per route. */
export function problems(...codes: number[]): Record<number, typeof problemSchema> {
  return Object.fromEntries(codes.map((c) => [c, problemSchema]));
}
export const READER_ERRORS = [400, 401, 403, 429, 503] as const;

/** Paging of lists (assets) and of answers listing principals: the same bounds everywhere. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
export const pageQuery = {
  offset: intQuery(0, 1_000_000_000).optional().describe('Items to skip (default 0)'),
  limit: intQuery(1, MAX_PAGE_SIZE).optional().describe(`Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`),
};

export function pageOf(query: { offset?: number | undefined; limit?: number | undefined }): PageRequest {
  return { offset: query.offset ?? 0, limit: query.limit ?? DEFAULT_PAGE_SIZE };
}

/** GET /api/v1/{type} and `arkgraph list <type>`: a page of an asset list, optionally searched by name. */
export const assetListQuery = z.object({ ...pageQuery, search: searchQuery }).strict();

export function assetQueryOf(type: AssetType, query: z.infer<typeof assetListQuery>): AssetQuery {
  return { type, ...pageOf(query), ...(query.search !== undefined ? { search: query.search } : {}) };
}

/** The body of the POST routes, which take none. */
export const noBody = z.object({}).strict().nullish().describe('No body (or an empty JSON object)');

/** ?format= of the routes that answer in CSV or JSON. */
export const formatQuery = z.enum(['csv', 'json']).optional();

/** GET /api/v1/exports/access-review and `arkgraph export access-review`. */
export const accessReviewQuery = z
  .object({
    scope: z.string().min(1).max(500).describe('safe:<name> | role:<name> | user:<login> | all'),
    format: formatQuery,
    inactiveDays: intQuery(1, 3650).optional().describe('Threshold of the no_login_90d flag (default 90)'),
  })
  .strict();

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

/** A download: the CSV or JSON content type, and a file name of `base`, the scope and today's date. */
export function asAttachment<R extends FastifyReply>(reply: R, base: string, scope: string, csv: boolean): R {
  return reply
    .type(csv ? CSV_CONTENT_TYPE : 'application/json; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName(base, scope, csv)}"`) as R;
}
