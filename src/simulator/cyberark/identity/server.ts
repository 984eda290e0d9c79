/**
 * The CyberArk Identity server of the simulator.
 * Read-only: write endpoints answer `success:false`.
 */
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '../../shared/fault-injection.js';
import { bearerToken, bodyOf, clientErrorStatus, headerValue, pick, truthy } from '../../shared/http.js';
import { createServer, type ServerContext } from '../../shared/server.js';
import type { Variations } from '../../shared/variations.js';
import { QueryError } from '../redrock/dataset.js';
import { readArgs } from '../redrock/paging.js';
import { runQuery } from '../redrock/query.js';
import { registerAppRoutes } from './apps.js';
import { registerDirectoryRoutes } from './directories.js';
import { fail, ok } from './envelope.js';
import { type OAuthOptions, registerOAuthRoutes } from './oauth.js';
import { pageCap } from './params.js';
import { registerRoleRoutes } from './roles.js';
import { redrockTables } from './rows.js';
import { registerUserRoutes } from './users.js';

export interface IdentityServerOptions extends ServerContext, OAuthOptions {
  /** Body of injected 429/5xx responses. */
  errorBody: ErrorBody;
  /** Seeded departures from the tidy shape: optional fields and Count left out. */
  variations: Variations;
  /** The User table has no ServiceUser / SecurityQuestion* columns (SimulatorOptions.legacyUserTable). */
  legacyUserTable: boolean;
}

export const WRITE_REFUSED = 'read-only simulator: write endpoints are refused';

/** Write endpoints CyberArk's SDKs call (plus a few obvious siblings); all refused. */
export const IDENTITY_WRITE_ENDPOINTS = [
  '/Roles/StoreRole',
  '/SaasManage/StoreRole',
  '/Roles/UpdateRole',
  '/Roles/DeleteRole',
  '/SaasManage/AssignSuperRights',
  '/SaasManage/UnAssignSuperRights',
  '/SaasManage/AddUsersAndGroupsToRole',
  '/SaasManage/RemoveUsersAndGroupsFromRole',
  '/SaasManage/DeleteRole',
  '/Roles/SetDynamicRoleScript',
  '/CDirectoryService/CreateUser',
  '/CDirectoryService/ChangeUser',
  '/CDirectoryService/DeleteUser',
  '/UserMgmt/RemoveUsers',
  '/SaasManage/DeleteApplication',
  '/Acl/SetAces',
];

export async function buildIdentityServer(opts: IdentityServerOptions): Promise<FastifyInstance> {
  const { model, tokens } = opts;
  const app = await createServer(opts, {
    errorBody: opts.errorBody,
    expireToken: (request) => tokens.expire(bearerToken(request)),
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(fail(`not found: ${request.method} ${request.url.split('?')[0]}`));
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    reply.code(clientErrorStatus(error)).send(fail(error.message));
  });
  registerOAuthRoutes(app, opts);

  // ------------------------------------------------------------------------------------------------------------
  // Authenticated endpoints

  const { variations } = opts;
  const tables = redrockTables(model, variations, opts.legacyUserTable);

  await app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const check = tokens.check(bearerToken(request));
      if (check.status !== 'valid' || check.record.kind === 'pas') {
        const why =
          check.status === 'expired'
            ? 'the access token has expired'
            : check.status === 'unknown'
              ? 'a valid bearer token is required'
              : 'the access token is not valid here';
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send(fail(why));
      }
      // A missing native-client header gives 401. Older clients send X-CENTRIFY-NATIVE-CLIENT.
      const native = headerValue(request, 'x-idap-native-client') ?? headerValue(request, 'x-centrify-native-client');
      if (!truthy(native)) {
        return reply.code(401).send(fail('the X-IDAP-NATIVE-CLIENT: true header is required'));
      }
    });

    api.post('/Redrock/query', async (request) => {
      const body = bodyOf(request);
      const script = pick(body, 'Script');
      if (typeof script !== 'string' || script.trim() === '') return fail('Script is required');
      try {
        const args = readArgs(body);
        const omitCount = variations.varies('Redrock Count', script, args.pageNumber);
        return ok(runQuery(script, tables, args, pageCap(request), omitCount));
      } catch (error) {
        if (error instanceof QueryError) return fail(`Query failed: ${error.message}`);
        throw error;
      }
    });

    registerDirectoryRoutes(api, model, variations);
    registerRoleRoutes(api, model);
    registerAppRoutes(api, model);
    registerUserRoutes(api, model);

    for (const path of IDENTITY_WRITE_ENDPOINTS) api.post(path, async () => fail(WRITE_REFUSED, 'ReadOnly'));
  });

  return app;
}
