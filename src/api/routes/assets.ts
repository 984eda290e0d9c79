/** GET /api/v1/{safes,users,groups,roles,applications,accounts}: paged, ordered, searchable asset lists. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ASSET_TYPES } from '../../queries/types.js';
import { assetListSchema } from '../schemas.js';
import { assetListQuery, assetQueryOf, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const assetRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'queries'>> = async (app, { queries }) => {
  for (const type of ASSET_TYPES) {
    app.get(
      `/${type}`,
      {
        schema: {
          tags: ['assets'],
          summary: `List ${type} (paged, ordered by name, searchable)`,
          querystring: assetListQuery,
          response: { 200: assetListSchema, ...problems(...READER_ERRORS) },
        },
      },
      async (request) => {
        const page = await queries.listAssets(assetQueryOf(type, request.query));
        // Every item starts with id, native_id, tenant_id and name (src/queries/assets.ts).
        return page as z.infer<typeof assetListSchema>;
      },
    );
  }
};
