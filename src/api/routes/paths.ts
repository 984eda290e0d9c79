/** GET /api/v1/paths?from=&safe=: every path from a user to a safe. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intQuery, nameParam, pathsSchema } from '../schemas.js';
import { problems, READER_ERRORS, type RouteContext } from './shared.js';

export const pathRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  app.get(
    '/paths',
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
};
