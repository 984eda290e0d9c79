/**
 * The Microsoft identity platform token endpoint of the Graph simulator (client-credentials flow):
 * `POST /{tenant}/oauth2/v2.0/token`, form `grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP
 * Basic) and `scope=<resource>/.default`. Errors are AADSTS-style bodies.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EntraSection } from '../../tenant/format/index.js';
import { formDecoded, formFields, headerValue, parseBasic } from '../shared/http.js';
import { createServer, type ServerContext } from '../shared/server.js';

/** The application id of Microsoft Graph: `00000003-0000-0000-c000-000000000000/.default` is a valid scope too. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Application permissions (app roles) a client gets unless the simulator options say otherwise. */
export const DEFAULT_APP_ROLES = ['User.Read.All', 'GroupMember.Read.All'];

export interface AuthorityServerOptions extends ServerContext {
  entra: EntraSection;
  tokenTtlSeconds: number;
  /** App roles per client id (default DEFAULT_APP_ROLES). */
  appRoles?: Record<string, string[]>;
  /** Graph base URL (known after listen): `${graphUrl}/.default` is accepted as a scope. */
  graphUrl: () => string;
}

interface AadError {
  status: number;
  error: string;
  code: number;
  text: string;
}

function aadTimestamp(d = new Date()): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** AADSTS-style error body: {error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri}. */
export function aadErrorBody(e: Pick<AadError, 'error' | 'code' | 'text'>): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = aadTimestamp();
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`,
  };
}

function sendAad(reply: FastifyReply, e: AadError): FastifyReply {
  return reply.code(e.status).header('cache-control', 'no-store').send(aadErrorBody(e));
}

const missing = (name: string): AadError => ({
  status: 400,
  error: 'invalid_request',
  code: 900144,
  text: `The request body must contain the following parameter: '${name}'.`,
});

/** The token endpoint reads form bodies only: anything else is a request without parameters. */
function formOf(request: FastifyRequest): Record<string, string> | undefined {
  const type = headerValue(request, 'content-type') ?? '';
  return /^application\/x-www-form-urlencoded/i.test(type) ? formFields(request) : undefined;
}

export async function buildAuthorityServer(opts: AuthorityServerOptions): Promise<FastifyInstance> {
  const { entra, tokens } = opts;
  const app = await createServer(opts, {
    errorBody: (status) =>
      aadErrorBody({
        error: 'temporarily_unavailable',
        code: status === 429 ? 90055 : 90033,
        text:
          status === 429
            ? 'The request is being throttled. Please retry after some time.'
            : 'A transient error has occurred. Please try again.',
      }),
  });

  app.setNotFoundHandler((request, reply) =>
    sendAad(reply, {
      status: 404,
      error: 'invalid_request',
      code: 90027,
      text: `The endpoint ${request.method} ${request.url.split('?')[0]} does not exist in the arkgraph simulator.`,
    }),
  );
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) =>
    sendAad(reply, {
      status: error.statusCode && error.statusCode < 500 ? error.statusCode : 500,
      error: 'invalid_request',
      code: 90014,
      text: error.message,
    }),
  );

  const expiresIn = Math.max(1, Math.round(opts.tokenTtlSeconds));
  const tenantMatches = (t: string) => {
    const lower = t.toLowerCase();
    return lower === entra.tenantId.toLowerCase() || lower === entra.primaryDomain.toLowerCase();
  };
  const acceptedResources = () =>
    new Set(['https://graph.microsoft.com', GRAPH_APP_ID, opts.graphUrl().replace(/\/+$/, '')].map(lowerResource));

  app.get('/:tenant/oauth2/v2.0/token', async (request, reply) =>
    sendAad(reply, {
      status: 400,
      error: 'invalid_request',
      code: 900561,
      text: `The endpoint only accepts POST, OPTIONS requests. Received a ${request.method} request.`,
    }),
  );

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const tenant = request.params.tenant;
    if (!tenantMatches(tenant)) {
      return sendAad(reply, {
        status: 400,
        error: 'invalid_request',
        code: 90002,
        text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      });
    }
    const form = formOf(request);
    if (!form) return sendAad(reply, missing('grant_type'));
    const grant = form.grant_type;
    if (!grant) return sendAad(reply, missing('grant_type'));
    if (grant !== 'client_credentials') {
      return sendAad(reply, {
        status: 400,
        error: 'unsupported_grant_type',
        code: 70003,
        text: `The app requested an unsupported grant type '${grant}'.`,
      });
    }
    const basic = parseBasic(headerValue(request, 'authorization'));
    let clientId = form.client_id;
    let secret = form.client_secret;
    if (basic) [clientId, secret] = formDecoded(basic) ?? basic;
    if (!clientId) return sendAad(reply, missing('client_id'));
    const scope = form.scope;
    if (!scope) return sendAad(reply, missing('scope'));
    const client = entra.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
    if (!client) {
      return sendAad(reply, {
        status: 400,
        error: 'unauthorized_client',
        code: 700016,
        text: `Application with identifier '${clientId}' was not found in the directory '${entra.primaryDomain}'.`,
      });
    }
    if (!secret) {
      return sendAad(reply, {
        status: 401,
        error: 'invalid_client',
        code: 7000218,
        text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      });
    }
    if (secret !== client.clientSecret) {
      return sendAad(reply, {
        status: 401,
        error: 'invalid_client',
        code: 7000215,
        text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      });
    }
    const scopes = scope.split(/\s+/).filter(Boolean);
    const resources = scopes.map((s) => s.replace(/\/\.default$/i, ''));
    if (scopes.length !== 1 || !/\/\.default$/i.test(scopes[0] ?? '')) {
      return sendAad(reply, {
        status: 400,
        error: 'invalid_scope',
        code: 1002012,
        text: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      });
    }
    if (!acceptedResources().has(lowerResource(resources[0] ?? ''))) {
      return sendAad(reply, {
        status: 400,
        error: 'invalid_resource',
        code: 500011,
        text: `The resource principal named ${resources[0]} was not found in the tenant named ${entra.primaryDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      });
    }
    const roles = opts.appRoles?.[client.clientId] ?? DEFAULT_APP_ROLES;
    const now = Math.floor(Date.now() / 1000);
    const record = tokens.issueJwt(
      'app',
      client.clientId,
      opts.tokenTtlSeconds,
      {
        aud: 'https://graph.microsoft.com',
        iss: `https://sts.windows.net/${entra.tenantId}/`,
        nbf: now,
        app_displayname: 'arkgraph',
        appid: client.clientId,
        appidacr: '1',
        idtyp: 'app',
        oid: randomUUID(),
        roles,
        sub: client.clientId,
        tid: entra.tenantId,
        ver: '1.0',
      },
      { appId: client.clientId, scope: roles.join(' ') },
    );
    return reply
      .header('cache-control', 'no-store')
      .send({ token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: record.token });
  });

  return app;
}

function lowerResource(r: string): string {
  return r.replace(/\/+$/, '').toLowerCase();
}
