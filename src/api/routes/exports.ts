/** GET /api/v1/exports/access-review: the access-review export (src/api/access-review/), streamed as CSV or JSON. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { openAccessReview } from '../access-review/export.js';
import { accessReviewQuery, asAttachment, problems, READER_ERRORS, type RouteContext, wantsCsv } from './shared.js';

export const exportRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries' | 'inactiveDays'>> = async (
  app,
  { queries, inactiveDays: defaultInactiveDays },
) => {
  app.get(
    '/exports/access-review',
    {
      config: { auth: 'reviewer' },
      schema: {
        tags: ['reviews'],
        summary: 'Access-review export: one row per (principal, resource, grant path), streamed as CSV or JSON',
        description:
          'scope: `safe:<name>`, `role:<name>`, `user:<login>` or `all`. format: `csv` or `json` (default: CSV when Accept names text/csv, else JSON). The columns, their order and the flags are documented in docs/api.md. CSV: UTF-8 with BOM, CRLF, RFC 4180 quoting, formula-injection neutralised. The export is streamed; an error after the first bytes ends the connection instead of completing the document.',
        querystring: accessReviewQuery,
        response: {
          200: z.array(z.record(z.string(), z.unknown())).describe('JSON: an array of rows; CSV: see text/csv'),
          ...problems(...READER_ERRORS, 404),
        },
      },
    },
    async (request, reply) => {
      const { scope, format, inactiveDays } = request.query;
      const csv = wantsCsv(request, format);
      const { stream } = await openAccessReview(queries, {
        scope,
        format: csv ? 'csv' : 'json',
        inactiveDays: inactiveDays ?? defaultInactiveDays,
      });
      stream.on('error', (error) => {
        request.log.error({ err: { message: String((error as Error).message) } }, 'export failed after it started');
      });
      return asAttachment(reply, 'access-review', scope, csv).send(stream as never);
    },
  );
};
