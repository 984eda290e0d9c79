/** GET /api/v1/exports/access-review: the access-review export (src/api/access-review/), streamed as CSV or JSON. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { prepareAccessReview } from '../access-review/export.js';
import { parseScope } from '../access-review/scope.js';
import { exportStream } from '../access-review/writer.js';
import { intQuery } from '../schemas.js';
import { asAttachment, formatQuery, problems, READER_ERRORS, type RouteContext, wantsCsv } from './shared.js';

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
        querystring: z
          .object({
            scope: z.string().min(1).max(500).describe('safe:<name> | role:<name> | user:<login> | all'),
            format: formatQuery,
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
        inactiveDays: inactiveDays ?? defaultInactiveDays,
      });
      const stream = exportStream(rows, csv ? 'csv' : 'json');
      stream.on('error', (error) => {
        request.log.error({ err: { message: String((error as Error).message) } }, 'export failed after it started');
      });
      return asAttachment(reply, 'access-review', scope, csv).send(stream as never);
    },
  );
};
