/**
 * The arkgraph HTTP API (Fastify 5): access queries, asset views, access-review exports, reports and sync control
 * under /api/v1, plus /health, /ready and the OpenAPI document with Swagger UI at /docs. docs/api.md describes it.
 *
 * Security: deny by default. Every route except /health needs a bearer token whose role allows it (reader <
 * reviewer < admin); 401 carries `WWW-Authenticate: Bearer`. Tokens are kept as SHA-256 digests and compared in
 * constant time (src/api/auth.ts). Requests are rate limited per token (per client address without one), bodies and
 * URLs are size-limited, query parameters are validated strictly (unknown ones are refused), no CORS header is ever
 * sent, and Helmet sets the security headers with a CSP that Swagger UI (served from local files) works under.
 * Errors are RFC 9457 problem details without stack traces or secrets (src/api/problem.ts).
 */
import { randomUUID } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type onRequestAsyncHookHandler,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ArkgraphConfig } from '../config/config.js';
import { scrubSecrets } from '../http/index.js';
import type { Logger } from '../log.js';
import type { GraphStore } from '../store/types.js';
import { syncConfigFrom } from '../sync/config.js';
import { runSync } from '../sync/run.js';
import { type ApiPrincipal, type ApiRole, type ApiToken, bearerToken, roleAllows, TokenVerifier } from './auth.js';
import { swaggerOptions } from './openapi.js';
import { ApiProblem, problemFor, sendProblem } from './problem.js';
import { registerRoutes } from './routes.js';
import type { SourceTestResult } from './source-test.js';
import { type Schedule, type ScheduleOptions, SyncController, type SyncRunner, startSchedule } from './sync-control.js';

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
  interface FastifyInstance {
    arkgraph: ApiState;
  }
}

export interface ApiState {
  syncs: SyncController;
  schedule: Schedule | undefined;
}

export interface BuildApiOptions {
  store: GraphStore;
  config: ArkgraphConfig;
  /** API tokens (src/api/auth.ts loadApiTokens). */
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Runs one sync; default: runSync with the configured sources (none configured → POST /sync answers 409). */
  syncRunner?: SyncRunner;
  /** Every request is treated as an admin. The caller must bind to loopback only (arkgraph serve enforces it). */
  insecureNoAuth?: boolean;
  /** Scheduled syncs (`every: "15m"` or `cron: "0 * * * *"`); ticks never overlap a running sync. */
  schedule?: ScheduleOptions;
  /** Serve /docs (Swagger UI and the OpenAPI JSON) without a token. Default false. */
  publicDocs?: boolean;
  /** Requests per token (or per client address without a token) and window. Default 600 per minute. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Default threshold of the no_login_90d export flag, in days. Default 90. */
  inactiveDays?: number;
  /** Source connectivity test (default: the real extractor clients, src/api/source-test.ts). */
  sourceTester?: (config: ArkgraphConfig) => Promise<SourceTestResult>;
  /** Minimum interval of `schedule.every` (tests lower it). Default 10 s. */
  minSyncIntervalMs?: number;
  /** How long GET /ready waits for the store before answering 503. Default 5 s. */
  readyTimeoutMs?: number;
}

export const API_PREFIX = '/api/v1';
/** Longest request URL (path and query) accepted. */
export const MAX_URL_LENGTH = 4096;
export const BODY_LIMIT = 16 * 1024;

const INSECURE_PRINCIPAL: ApiPrincipal = { name: 'insecure-no-auth', role: 'admin' };

async function defaultSyncRunner(store: GraphStore, config: ArkgraphConfig): Promise<SyncRunner | undefined> {
  if (!config.identity) return undefined;
  const syncConfig = syncConfigFrom(config);
  return (hooks) => runSync(store, syncConfig, hooks);
}

function errorForLog(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; message?: string; stack?: string; code?: string };
  return {
    type: e?.name ?? typeof error,
    message: scrubSecrets(String(e?.message ?? error)),
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.stack ? { stack: scrubSecrets(e.stack) } : {}),
  };
}

export async function buildApi(options: BuildApiOptions): Promise<FastifyInstance> {
  const { store, config, logger } = options;
  const verifier = new TokenVerifier(options.tokens);
  const insecure = options.insecureNoAuth === true;
  const apiLogger = logger.child({ component: 'api' });
  if (insecure) {
    apiLogger.warn('authentication is DISABLED (--insecure-no-auth): every request acts as an admin; loopback only');
  } else if (verifier.size === 0) {
    apiLogger.warn('no API token is configured: every route but /health answers 401');
  }

  const app = Fastify({
    loggerInstance: apiLogger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const p = problemFor(error);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      reply.header('x-request-id', request.id);
      sendProblem(request, reply, p.status, p.slug, p.detail, p.extra, p.headers);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('apiPrincipal', null);

  const syncRunner = options.syncRunner ?? (await defaultSyncRunner(store, config));
  const syncs = new SyncController(store, syncRunner, apiLogger.child({ component: 'sync' }));
  const state: ApiState = { syncs, schedule: undefined };
  app.decorate('arkgraph', state);

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

  // Who is calling (no decision yet: unauthenticated requests are rate limited by address, then refused).
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    if ((request.raw.url ?? '').length > MAX_URL_LENGTH) {
      throw new ApiProblem(414, 'uri-too-long', `the URL is longer than ${MAX_URL_LENGTH} characters`);
    }
    if (insecure) {
      request.apiPrincipal = INSECURE_PRINCIPAL;
      return;
    }
    const token = bearerToken(request.headers.authorization);
    request.apiPrincipal = token ? (verifier.verify(token) ?? null) : null;
  });

  const rate = options.rateLimit ?? { max: 600, timeWindowMs: 60_000 };
  await app.register(fastifyRateLimit, {
    global: true,
    max: rate.max,
    timeWindow: rate.timeWindowMs,
    keyGenerator: (request) => (request.apiPrincipal ? `token:${request.apiPrincipal.name}` : `addr:${request.ip}`),
    errorResponseBuilder: (_request, ctx) =>
      new ApiProblem(
        429,
        'rate-limited',
        `rate limit exceeded: at most ${ctx.max} requests per ${ctx.after}; retry later`,
      ),
  });

  // Authorization runs after the rate limiter (route hooks added here come after the limiter's).
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

  app.setErrorHandler((error, request, reply) => {
    const p = problemFor(error);
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

  await app.register(fastifySwagger, swaggerOptions());
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: false,
    uiConfig: { deepLinking: false, persistAuthorization: false, validatorUrl: null },
  });

  await registerRoutes(app, {
    store,
    config,
    syncs,
    inactiveDays: options.inactiveDays ?? 90,
    readyTimeoutMs: options.readyTimeoutMs ?? 5000,
    sourceTester: options.sourceTester ?? (async (c) => (await import('./source-test.js')).testSources(c)),
  });

  app.addHook('onReady', async () => {
    if (options.schedule) {
      state.schedule = startSchedule(syncs, options.schedule, apiLogger, options.minSyncIntervalMs);
    }
  });
  app.addHook('onClose', async () => {
    state.schedule?.stop();
    // A running sync finishes (or fails) and releases its lock before the store is closed by the caller.
    await Promise.race([syncs.idle(), new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
  });

  return app;
}
