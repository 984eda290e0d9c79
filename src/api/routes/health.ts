/**
 * GET /health (liveness, no token) and GET /ready (the store answers within readyTimeoutMs), at the root. Neither is
 * rate limited (security.ts: /ready only for callers with a valid token), so a flood from one address cannot fail
 * the probes.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiProblem } from '../problem.js';
import { healthSchema, readySchema } from '../schemas.js';
import { problems, READER_ERRORS, type RouteContext } from './shared.js';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ApiProblem(503, 'store-unavailable', `the store did not answer within ${ms} ms`)),
      ms,
    );
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export const healthRoutes: FastifyPluginAsyncZod<Pick<RouteContext, 'store' | 'readyTimeoutMs'>> = async (
  app,
  { store, readyTimeoutMs },
) => {
  app.get(
    '/health',
    {
      config: { auth: 'public', rateLimitExempt: 'always' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness (no token needed, never rate limited)',
        security: [],
        querystring: z.object({}).strict(),
        response: { 200: healthSchema, ...problems(400) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { rateLimitExempt: 'authenticated' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: 200 when the store answers, 503 when it is unreachable or unreadable',
        description:
          'Not rate limited for callers with a valid token (one flooding address must not fail the probes); without one the request counts against the address like any other.',
        querystring: z.object({}).strict(),
        response: { 200: readySchema, ...problems(...READER_ERRORS) },
      },
    },
    async () => {
      const hasData = await withTimeout(store.hasData(), readyTimeoutMs);
      return { status: 'ready' as const, store: store.kind, has_data: hasData };
    },
  );
};
