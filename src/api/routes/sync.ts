/** Sync runs (GET /api/v1/sync/runs, /sync/runs/{id}) and POST /api/v1/sync, which starts one in the background. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiProblem } from '../problem.js';
import { intQuery, syncRunSchema, syncRunsSchema, syncStartedSchema } from '../schemas.js';
import { API_PREFIX, noBody, problems, READER_ERRORS, type RouteContext } from './shared.js';

export const syncRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'store' | 'syncs'>> = async (
  app,
  { store, syncs },
) => {
  app.get(
    '/sync/runs',
    {
      schema: {
        tags: ['sync'],
        summary: 'Recent sync runs, newest first, with the running one (status, counts, durations, errors)',
        querystring: z.object({ limit: intQuery(1, 200).optional().describe('How many (default 20)') }).strict(),
        response: { 200: syncRunsSchema, ...problems(...READER_ERRORS) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const running = syncs.running;
      const runs = await store.syncRuns(limit);
      const list = running && !runs.some((r) => r.id === running.id) ? [running, ...runs].slice(0, limit) : runs;
      return { running: running?.id ?? null, runs: list };
    },
  );

  app.get(
    '/sync/runs/:id',
    {
      schema: {
        tags: ['sync'],
        summary: 'One sync run',
        params: z.object({ id: z.string().min(1).max(200) }),
        querystring: z.object({}).strict(),
        response: { 200: syncRunSchema, ...problems(...READER_ERRORS, 404) },
      },
    },
    async (request) => {
      const running = syncs.running;
      if (running && running.id === request.params.id) return running;
      const run = await store.syncRun(request.params.id);
      if (!run) throw new ApiProblem(404, 'not-found', `no sync run "${request.params.id.slice(0, 200)}"`);
      return run;
    },
  );

  app.post(
    '/sync',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['sync'],
        summary: 'Start a sync in the background (202 with the run id; 409 when one is running)',
        querystring: z.object({}).strict(),
        body: noBody,
        response: { 202: syncStartedSchema, ...problems(...READER_ERRORS, 409) },
      },
    },
    async (_request, reply) => {
      if (!syncs.configured) {
        throw new ApiProblem(
          409,
          'sync-not-configured',
          'no source is configured on this server (ARKGRAPH_IDENTITY_URL, ARKGRAPH_CLIENT_ID, ARKGRAPH_CLIENT_SECRET)',
        );
      }
      const r = await syncs.start('api');
      if (!r.started) {
        throw new ApiProblem(409, 'sync-running', `sync ${r.running} is running; try again when it has finished`, {
          running_id: r.running,
        });
      }
      const location = `${API_PREFIX}/sync/runs/${encodeURIComponent(r.id)}`;
      return reply
        .code(202)
        .header('location', location)
        .send({ id: r.id, status: 'running' as const, location });
    },
  );
};
