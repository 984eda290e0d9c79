/**
 * The API routes: one Fastify plugin per resource, each declaring zod schemas for its parameters, query and responses
 * (docs/openapi.json). /health and /ready stay at the root; everything else is registered once under API_PREFIX.
 * The order below is the order of the paths in the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts.js';
import { assetRoutes } from './assets.js';
import { exportRoutes } from './exports.js';
import { healthRoutes } from './health.js';
import { pathRoutes } from './paths.js';
import { reportRoutes } from './reports.js';
import { safeRoutes } from './safes.js';
import { API_PREFIX, type RouteContext } from './shared.js';
import { sourceRoutes } from './sources.js';
import { syncRoutes } from './sync.js';
import { userRoutes } from './users.js';

export { API_PREFIX, type RouteContext } from './shared.js';

export async function registerRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await app.register(healthRoutes, ctx);
  await app.register(
    async (api) => {
      await api.register(safeRoutes, ctx);
      await api.register(userRoutes, ctx);
      await api.register(accountRoutes, ctx);
      await api.register(pathRoutes, ctx);
      await api.register(assetRoutes, ctx);
      await api.register(exportRoutes, ctx);
      await api.register(reportRoutes, ctx);
      await api.register(syncRoutes, ctx);
      await api.register(sourceRoutes, ctx);
    },
    { prefix: API_PREFIX },
  );
}
