/**
 * The Privilege Cloud / self-hosted PAS server of the simulator: REST API v2 under /PasswordVault/API. Read-only.
 */
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '../../shared/fault-injection.js';
import { clientErrorStatus } from '../../shared/http.js';
import { createServer, type ServerContext } from '../../shared/server.js';
import type { TenantModel } from '../model.js';
import { registerAccountRoutes } from './accounts.js';
import { presented, registerLogoff, registerLogon } from './auth.js';
import { PAS_ERRORS, PasError, send } from './errors.js';
import { registerSafeRoutes } from './safes.js';
import type { PCloudShapes } from './shapes.js';
import { registerVaultUserRoutes } from './users.js';

export interface PCloudServerOptions extends ServerContext {
  model: TenantModel;
  pasSessionTtlSeconds: number;
  errorBody: ErrorBody;
  shapes: PCloudShapes;
}

export async function buildPCloudServer(opts: PCloudServerOptions): Promise<FastifyInstance> {
  const { model, tokens } = opts;
  const app = await createServer(opts, {
    errorBody: opts.errorBody,
    expireToken: (request) => tokens.expire(presented(request).token),
  });

  app.setNotFoundHandler((request, reply) => {
    send(reply, 404, PAS_ERRORS.notFound, `The requested resource was not found: ${request.url.split('?')[0]}`);
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof PasError) return send(reply, error.status, error.code, error.message);
    const status = clientErrorStatus(error);
    return send(reply, status, status === 500 ? 'PASWS500E' : PAS_ERRORS.badParameter, error.message);
  });
  registerLogon(app, opts);

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const { token, bearer } = presented(request);
      const check = tokens.check(token);
      // ISPSS takes `Bearer <platform token>`; self-hosted takes the raw session token (no "Bearer").
      const fits = check.status === 'valid' && (bearer ? check.record.kind !== 'pas' : check.record.kind === 'pas');
      if (!fits) {
        const message =
          check.status === 'expired' || check.status === 'revoked'
            ? 'Your session has expired. Please log in again.'
            : 'Authentication is required (Authorization header missing or not valid).';
        return send(reply, 401, PAS_ERRORS.unauthorized, message);
      }
    });
    registerLogoff(api, tokens);
    registerSafeRoutes(api, model, opts.shapes);
    registerAccountRoutes(api, model);
    registerVaultUserRoutes(api, model);
  });

  return app;
}
