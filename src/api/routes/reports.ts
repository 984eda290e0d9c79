/** GET /api/v1/reports/correlation: the identity-correlation report, as JSON or CSV. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { correlationReportCsv } from '../../queries/correlation-report.js';
import { correlationReportSchema } from '../schemas.js';
import { asAttachment, formatQuery, problems, READER_ERRORS, type RouteContext, wantsCsv } from './shared.js';

export const reportRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  app.get(
    '/reports/correlation',
    {
      config: { auth: 'reviewer' },
      schema: {
        tags: ['reviews'],
        summary: 'Identity-correlation report (JSON, or CSV with ?format=csv or Accept: text/csv)',
        description:
          'Per directory (Entra ID tenant, AD domain): matched identities, ambiguous keys, directory identities without a CyberArk account, disabled identities that still hold safe permissions, guests; and CyberArk orphans. The CSV form has one row per reported identity, summary rows first.',
        querystring: z.object({ format: formatQuery }).strict(),
        response: { 200: correlationReportSchema, ...problems(...READER_ERRORS) },
      },
    },
    async (request, reply) => {
      const report = await queries.correlationReport();
      if (!wantsCsv(request, request.query.format)) return report as z.infer<typeof correlationReportSchema>;
      return asAttachment(reply, 'correlation-report', 'all', true)
        .serializer((text: unknown) => String(text))
        .send(correlationReportCsv(report) as never);
    },
  );
};
