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
 *
 * This file assembles the app from those pieces; the order of the steps in buildApi is the order of the hooks.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ArkgraphConfig } from '../config/config.js';
import type { Logger } from '../log.js';
import { QueryEngine } from '../queries/engine.js';
import type { GraphStore } from '../store/types.js';
import { type ApiToken, TokenVerifier } from './auth.js';
import { authorizeRoutes, identifyCallers } from './auth-hook.js';
import { frameworkErrors, registerProblemHandlers } from './error-handlers.js';
import { registerDocs } from './openapi.js';
import { registerRoutes } from './routes/index.js';
import {
  BODY_LIMIT,
  DEFAULT_RATE_LIMIT,
  guardRequests,
  registerRateLimit,
  registerSecurityHeaders,
} from './security.js';
import type { SourceTestResult } from './source-test.js';
import type { ScheduleOptions, SyncRunner } from './sync-control.js';
import { attachSyncs, scheduleSyncs } from './sync-lifecycle.js';

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
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The sync logs under component "sync" of the root logger: a child of apiLogger would carry "component" twice.
  const state = await attachSyncs(app, { store, config, syncRunner: options.syncRunner, logger });

  await registerSecurityHeaders(app);
  guardRequests(app);
  // Who is calling (no decision yet: unauthenticated requests are rate limited by address, then refused).
  identifyCallers(app, { verifier, insecure });
  await registerRateLimit(app, options.rateLimit ?? DEFAULT_RATE_LIMIT);
  // Authorization runs after the rate limiter (route hooks added here come after the limiter's).
  authorizeRoutes(app, { publicDocs: options.publicDocs === true });
  registerProblemHandlers(app);
  await registerDocs(app);

  await registerRoutes(app, {
    queries: new QueryEngine(store),
    store,
    config,
    syncs: state.syncs,
    inactiveDays: options.inactiveDays ?? 90,
    readyTimeoutMs: options.readyTimeoutMs ?? 5000,
    sourceTester: options.sourceTester ?? (async (c) => (await import('./source-test.js')).testSources(c)),
  });

  scheduleSyncs(app, state, {
    schedule: options.schedule,
    logger: apiLogger,
    minSyncIntervalMs: options.minSyncIntervalMs,
  });
  return app;
}
