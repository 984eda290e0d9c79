/**
 * Deny by default. Every route except /health needs a bearer token whose role allows it (reader < reviewer < admin);
 * a route says which role in `config.auth` (default reader). Two steps, with the rate limiter between them:
 * identifyCallers names the caller on every request (no decision yet, so unauthenticated requests are rate limited by
 * address before they are refused), authorizeRoutes then refuses with 401 (`WWW-Authenticate: Bearer`) or 403.
 * Tokens themselves are checked in auth.ts (SHA-256 digests, constant time).
 */
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { type ApiPrincipal, type ApiRole, bearerToken, roleAllows, type TokenVerifier } from './auth.js';
import { sendProblem } from './problem.js';

export type RouteAuth = 'public' | ApiRole;

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (null without a valid token). */
    apiPrincipal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route: 'public' or the least role (default reader). */
    auth?: RouteAuth;
  }
}

const INSECURE_PRINCIPAL: ApiPrincipal = { name: 'insecure-no-auth', role: 'admin' };

/** Who is calling: the token's principal, the insecure admin (--insecure-no-auth), or null. */
export function identifyCallers(app: FastifyInstance, options: { verifier: TokenVerifier; insecure: boolean }): void {
  const { verifier, insecure } = options;
  app.decorateRequest('apiPrincipal', null);
  app.addHook('onRequest', async (request) => {
    if (insecure) {
      request.apiPrincipal = INSECURE_PRINCIPAL;
      return;
    }
    const token = bearerToken(request.headers.authorization);
    request.apiPrincipal = token ? (verifier.verify(token) ?? null) : null;
  });
}

/**
 * Adds the authorization check to every route registered from now on. Register the rate limiter first: route hooks
 * added here come after the limiter's.
 */
export function authorizeRoutes(app: FastifyInstance, options: { publicDocs: boolean }): void {
  const authorize: onRequestAsyncHookHandler = async (request, reply) => {
    const required: RouteAuth = request.routeOptions.config.auth ?? 'reader';
    if (required === 'public') return;
    if (options.publicDocs && (request.routeOptions.url ?? '').startsWith('/docs')) return;
    const principal = request.apiPrincipal;
    if (!principal) {
      const presented = request.headers.authorization !== undefined;
      sendProblem(
        request,
        reply,
        401,
        'unauthorized',
        presented ? 'the bearer token is not valid' : 'this route needs a bearer token (Authorization: Bearer <token>)',
        {},
        {
          'www-authenticate': presented ? 'Bearer realm="arkgraph", error="invalid_token"' : 'Bearer realm="arkgraph"',
        },
      );
      return reply;
    }
    if (!roleAllows(principal.role, required)) {
      sendProblem(
        request,
        reply,
        403,
        'forbidden',
        `this route needs the ${required} role; the token "${principal.name}" has the ${principal.role} role`,
      );
      return reply;
    }
    // The token's name (never its value) on every later log line of the request, "request completed" included.
    request.log = request.log.child({ tokenName: principal.name });
    reply.log = request.log;
  };
  app.addHook('onRoute', (route) => {
    const existing = route.onRequest;
    route.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), authorize];
  });
}
