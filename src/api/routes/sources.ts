/** POST /api/v1/sources/test: a connectivity test of each configured source (src/api/source-test.ts). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sourceCheckSchema } from '../schemas.js';
import { noBody, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const sourceRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'config' | 'sourceTester'>> = async (
  app,
  { config, sourceTester },
) => {
  app.post(
    '/sources/test',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['sync'],
        summary: 'Test each configured source: a token and one cheap read per required right, nothing synced',
        querystring: z.object({}).strict(),
        body: noBody,
        response: { 200: sourceCheckSchema, ...problems(...READER_ERRORS) },
      },
    },
    async () => sourceTester(config),
  );
};
