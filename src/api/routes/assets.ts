/** GET /api/v1/{safes,users,groups,roles,applications,accounts}: paged, ordered, searchable asset lists. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ASSET_TYPES } from '../../queries/types.js';
import { assetListSchema, searchQuery } from '../schemas.js';
import { pageOf, pageQuery, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const assetRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  for (const type of ASSET_TYPES) {
    app.get(
      `/${type}`,
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
};
