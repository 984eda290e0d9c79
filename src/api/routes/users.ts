/** GET /api/v1/users/{user}/access: what a user can reach, and how. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nameParam, userAccessSchema } from '../schemas.js';
import { problems, READER_ERRORS, type RouteContext } from './shared.js';

export const userRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  app.get(
    '/users/:user/access',
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
};
