/**
 * The protections every request passes: Helmet's security headers with a CSP that Swagger UI (served from local
 * files) works under, a request id and no caching on every answer, a limit on the URL length, and the rate limit per
 * token (per client address without one) — which the health probes are exempt from. No CORS header is ever sent (no
 * CORS plugin is registered).
 */
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is not rate limited: 'always', or 'authenticated' (only for callers with a valid token). For the
     * health probes: behind a proxy every client shares one address, so one flooder would otherwise make the
     * liveness and readiness probes of everyone answer 429 and get a healthy server restarted.
     */
    rateLimitExempt?: 'always' | 'authenticated';
  }
}

/** Longest request URL (path and query) accepted. */
export const MAX_URL_LENGTH = 4096;
/** Largest request body accepted, in bytes. */
export const BODY_LIMIT = 16 * 1024;
/** Requests per token (or per client address without a token) and window, unless buildApi is told otherwise. */
export const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 };

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // Swagger UI sets inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Every answer carries the request id and is never cached; a URL longer than MAX_URL_LENGTH is a 414. */
export function guardRequests(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    if ((request.raw.url ?? '').length > MAX_URL_LENGTH) {
      throw new ApiProblem(414, 'uri-too-long', `the URL is longer than ${MAX_URL_LENGTH} characters`);
    }
  });
}

/**
 * The rate limit, keyed by the caller identified before it (auth-hook.ts identifyCallers). An exempt request is
 * neither limited nor counted. 'authenticated' keeps counting callers without a valid token, so guessing tokens
 * through /ready is throttled like anywhere else (and those callers would only get a 401 anyway).
 */
export async function registerRateLimit(
  app: FastifyInstance,
  rate: { max: number; timeWindowMs: number },
): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: true,
    max: rate.max,
    timeWindow: rate.timeWindowMs,
    keyGenerator: (request) => (request.apiPrincipal ? `token:${request.apiPrincipal.name}` : `addr:${request.ip}`),
    allowList: (request) => {
      const exempt = request.routeOptions.config.rateLimitExempt;
      return exempt === 'always' || (exempt === 'authenticated' && request.apiPrincipal !== null);
    },
    errorResponseBuilder: (_request, ctx) =>
      new ApiProblem(
        429,
        'rate-limited',
        `rate limit exceeded: at most ${ctx.max} requests per ${ctx.after}; retry later`,
      ),
  });
}
