/** GET /api/v1/accounts/{account}/access: who can do what with an account, through its safe. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountAccessSchema, nameParam } from '../schemas.js';
import { pageOf, pageQuery, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const accountRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  app.get(
    '/accounts/:account/access',
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
};
