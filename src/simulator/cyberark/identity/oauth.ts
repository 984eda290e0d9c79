/**
 * Identity OAuth endpoints: `POST /oauth2/platformtoken` (platform token) and `POST /oauth2/token/{appId}`
 * (app token), client credentials only, with the claims Identity puts in its tokens.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityUser } from '../../../tenant/format/index.js';
import { formDecoded, formFields, headerValue, parseBasic } from '../../shared/http.js';
import type { TokenStore } from '../../shared/tokens.js';
import { stableGuid, type TenantModel } from '../model.js';

/** Scopes accepted by `/oauth2/token/{appId}` when no `appScopes` entry names the app. */
export const DEFAULT_APP_SCOPES = ['api', 'openid', 'profile', 'email', 'isp.audit.events:read'];

const OIDC_APP = '__idaptive_cybr_user_oidc';

type OAuthError = { status: number; error: string; description: string };

function oauthError(reply: FastifyReply, e: OAuthError): FastifyReply {
  return reply
    .code(e.status)
    .header('cache-control', 'no-store')
    .send({ error: e.error, error_description: e.description });
}

export interface OAuthOptions {
  model: TenantModel;
  tokens: TokenStore;
  tokenTtlSeconds: number;
  /** Scopes `/oauth2/token/{appId}` accepts, per app id (the tenant format has none); see DEFAULT_APP_SCOPES. */
  appScopes?: Record<string, string[]>;
  /** Identity base URL (known after listen), for the `iss` claim. */
  baseUrl: () => string;
}

export function registerOAuthRoutes(app: FastifyInstance, opts: OAuthOptions): void {
  const { model, tokens } = opts;
  const tenant = model.tenant;
  const ttl = opts.tokenTtlSeconds;
  const expiresIn = Math.max(1, Math.round(ttl));

  function authenticateClient(request: FastifyRequest, form: Record<string, string>) {
    const basic = parseBasic(headerValue(request, 'authorization'));
    const candidates: [string, string][] = [];
    if (basic) {
      candidates.push(basic);
      // RFC 6749 §2.3.1: Basic credentials are form-urlencoded first; an undecodable pair is tried raw only.
      const decoded = formDecoded(basic);
      if (decoded) candidates.push(decoded);
    } else if (form.client_id !== undefined || form.client_secret !== undefined) {
      candidates.push([form.client_id ?? '', form.client_secret ?? '']);
    } else return { error: 'missing' as const };
    for (const [id, secret] of candidates) {
      const client = tenant.identity.oauthClients.find(
        (c) => c.clientId.toLowerCase() === id.toLowerCase() && c.clientSecret === secret,
      );
      if (client) return { client };
    }
    return { error: 'bad' as const, clientId: candidates[0]?.[0] ?? '' };
  }

  function clientClaims(clientId: string) {
    const user: IdentityUser | undefined = model.usersByName.get(clientId.toLowerCase());
    const sub = user?.id ?? stableGuid(`client:${clientId.toLowerCase()}`);
    const subdomain = tenant.privilegeCloud.subdomain;
    const display = user?.displayName ?? clientId;
    const [given, ...rest] = display.split(' ');
    const claims: Record<string, unknown> = {
      preferred_username: user?.username ?? clientId,
      unique_name: user?.username ?? clientId,
      sub,
      user_uuid: sub,
      ExternalUuid: sub,
      tenant_id: model.tenantGuid,
      idaptive_tenant_id: tenant.identity.tenantId,
      subdomain,
      platform_domain: 'cyberark.cloud',
      tenant_subdomain: `https://${subdomain}.cyberark.cloud`,
      aws_region: 'us-east-1',
      user_roles: user ? model.rolesOfUser(user.id).map((r) => r.name) : [],
      scope: 'openid api profile',
      aud: OIDC_APP,
      iss: `${opts.baseUrl()}/${OIDC_APP}/`,
      name: display,
      given_name: given ?? display,
      family_name: rest.join(' '),
    };
    if (user?.lastLogin) claims.last_login = Math.floor(Date.parse(user.lastLogin) / 1000);
    return claims;
  }

  const badClient = (what: 'missing' | 'bad'): OAuthError => ({
    status: 401,
    error: 'invalid_client',
    description: what === 'missing' ? 'client authentication is required' : 'client authentication failed',
  });

  app.post('/oauth2/platformtoken', async (request, reply) => {
    const form = formFields(request);
    const grant = form.grant_type;
    if (!grant)
      return oauthError(reply, { status: 400, error: 'invalid_request', description: 'grant_type is required' });
    if (grant !== 'client_credentials') {
      return oauthError(reply, {
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant type "${grant}" is not supported`,
      });
    }
    const auth = authenticateClient(request, form);
    if (!auth.client) return oauthError(reply, badClient(auth.error));
    const record = tokens.issueJwt('platform', auth.client.clientId, ttl, clientClaims(auth.client.clientId));
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: record.token, token_type: 'Bearer', expires_in: expiresIn });
  });

  app.post<{ Params: { appId: string } }>('/oauth2/token/:appId', async (request, reply) => {
    const form = formFields(request);
    const appId = request.params.appId;
    const grant = form.grant_type;
    if (!grant)
      return oauthError(reply, { status: 400, error: 'invalid_request', description: 'grant_type is required' });
    if (grant !== 'client_credentials') {
      return oauthError(reply, {
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant type "${grant}" is not supported by the simulator`,
      });
    }
    const auth = authenticateClient(request, form);
    if (!auth.client) return oauthError(reply, badClient(auth.error));
    if (!auth.client.appIds.some((a) => a.toLowerCase() === appId.toLowerCase())) {
      return oauthError(reply, {
        status: 400,
        error: 'unauthorized_client',
        description: `client is not authorized for application "${appId}"`,
      });
    }
    const allowed = opts.appScopes?.[appId] ?? DEFAULT_APP_SCOPES;
    const requested = (form.scope ?? '').split(/\s+/).filter(Boolean);
    const badScope = requested.find((s) => !allowed.includes(s));
    if (requested.length === 0 || badScope !== undefined) {
      return oauthError(reply, {
        status: 400,
        error: 'invalid_scope',
        description: requested.length === 0 ? 'scope is required' : `scope "${badScope}" is not allowed`,
      });
    }
    const scope = requested.join(' ');
    const claims = { ...clientClaims(auth.client.clientId), aud: appId, scope };
    const record = tokens.issueJwt('app', auth.client.clientId, ttl, claims, { appId, scope });
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: record.token, token_type: 'Bearer', expires_in: expiresIn });
  });
}
