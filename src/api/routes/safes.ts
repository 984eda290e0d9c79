/** GET /api/v1/safes/{safe}/access: who-can with ?permission=, else every principal with any permission. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nameParam, safeAccessSchema, whoCanSchema } from '../schemas.js';
import { pageOf, pageQuery, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const safeRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  app.get(
    '/safes/:safe/access',
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
};
