/**
 * How failures become answers: Fastify's error handler, not-found handler and framework-error handler all answer with
 * the RFC 9457 problem of problem.ts, and the log gets the error's type, scrubbed message and stack (the answer never
 * does). An unknown route is a 401 for a caller without a token, so the route map is not open to anyone.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scrubSecrets } from '../http/index.js';
import { StoreError } from '../store/errors.js';
import { type MappedProblem, problemFor, sendProblem } from './problem.js';

function errorForLog(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; message?: string; stack?: string; code?: string };
  return {
    type: e?.name ?? typeof error,
    message: scrubSecrets(String(e?.message ?? error)),
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.stack ? { stack: scrubSecrets(e.stack) } : {}),
  };
}

/**
 * The problem for an error, with the cause named where the generic store detail would hide what to do: an incomplete
 * graph (a sync stopped before it committed) is fixed by a sync, not by waiting for the store. Its message names the
 * sync and the database, never the server's address, so it can be shown.
 */
function problemOf(error: unknown): MappedProblem {
  const p = problemFor(error);
  if (p.slug === 'store-unavailable' && error instanceof StoreError && error.reason === 'incomplete') {
    return { ...p, detail: error.message };
  }
  return p;
}

/**
 * Fastify's `frameworkErrors` option: errors Fastify raises while routing (e.g. a URL with bad percent-encoding),
 * before any hook ran, so the headers that matter most are set here.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const p = problemFor(error);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  reply.header('x-request-id', request.id);
  sendProblem(request, reply, p.status, p.slug, p.detail, p.extra, p.headers);
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const p = problemOf(error);
    if (p.status >= 500 && p.slug !== 'store-unavailable') {
      request.log.error({ err: errorForLog(error) }, 'request failed');
    } else if (p.status === 503) {
      request.log.warn({ err: errorForLog(error) }, 'store unavailable');
    }
    return sendProblem(request, reply, p.status, p.slug, p.detail, p.extra, p.headers);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (!request.apiPrincipal) {
      return sendProblem(
        request,
        reply,
        401,
        'unauthorized',
        'a bearer token is required',
        {},
        {
          'www-authenticate': 'Bearer realm="arkgraph"',
        },
      );
    }
    const path = (request.raw.url ?? '').split('?')[0] ?? '';
    return sendProblem(request, reply, 404, 'not-found', `no route ${request.method} ${path.slice(0, 200)}`);
  });
}
