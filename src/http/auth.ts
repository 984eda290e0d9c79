/**
 * Auth providers for HttpClient. A provider hands out the Authorization header value, caches it, renews it before it
 * expires and drops it when the server says 401 (the client then asks again, once).
 *
 * Token requests go through a client derived from the calling one (same dispatcher, timeouts, retries, sleep and stats
 * hook; its own origin allow-list = the token endpoint's origin; its own concurrency limiter so a full request pool
 * can never deadlock waiting for a token). Concurrent callers share ONE in-flight token request.
 *
 * Secrets: client secrets, passwords, tokens and Basic credentials are registered with registerSecret() and so are
 * scrubbed from every SourceError message; none is ever put in a message on purpose.
 */
import { z } from 'zod';
import { registerSecret } from '../secrets.js';
import { parseCyberArkError, parseOAuthError } from './api-errors.js';
import { SourceError, type SourceErrorInit, validationError } from './errors.js';
import type { AuthClient, AuthProvider, TokenClient } from './types.js';
import { joinUrl, parseServiceUrl } from './url.js';

interface Credential {
  authorization: string;
  /** Epoch ms (from the provider's clock) after which the credential is renewed; undefined = until invalidated. */
  renewAt?: number;
}

type Fetcher = (tokenClient: TokenClient, source: string) => Promise<Credential>;

/** Caching, single-flight provider around a fetch function. */
class CachingProvider implements AuthProvider {
  private current: Credential | undefined;
  private inflight: Promise<Credential> | undefined;
  private tokenClient: TokenClient | undefined;

  constructor(
    private readonly tokenOrigin: string,
    private readonly fetcher: Fetcher,
    private readonly now: () => number,
    private readonly sourceOverride: string | undefined,
    private readonly onClose?: (tokenClient: TokenClient, credential: Credential, source: string) => Promise<void>,
  ) {}

  private clientFor(client: AuthClient): TokenClient {
    this.tokenClient ??= client.derive({
      baseUrl: this.tokenOrigin,
      source: this.sourceOverride ?? client.source,
      parseApiError: parseCyberArkError,
      concurrency: 2,
    });
    return this.tokenClient;
  }

  async authorization(client: AuthClient): Promise<string> {
    const cur = this.current;
    if (cur && (cur.renewAt === undefined || this.now() < cur.renewAt)) return cur.authorization;
    if (!this.inflight) {
      const tokenClient = this.clientFor(client);
      const p = (async () => {
        try {
          const credential = await this.fetcher(tokenClient, tokenClient.source);
          this.current = credential;
          return credential;
        } finally {
          this.inflight = undefined;
        }
      })();
      this.inflight = p;
    }
    return (await this.inflight).authorization;
  }

  invalidate(rejected?: string): void {
    if (rejected === undefined || this.current?.authorization === rejected) this.current = undefined;
  }

  async close(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (!cur || !this.onClose || !this.tokenClient) return;
    try {
      await this.onClose(this.tokenClient, cur, this.tokenClient.source);
    } catch {
      // best effort
    }
  }
}

/** Token request failures that mean "your credentials/configuration are wrong" become kind 'auth'. */
function asAuthError(e: unknown): unknown {
  if (!(e instanceof SourceError)) return e;
  const rejected =
    e.kind === 'auth' || (e.kind === 'http' && e.status !== undefined && e.status >= 400 && e.status < 500);
  if (!rejected) return e;
  const init: SourceErrorInit = {
    source: e.source,
    endpoint: e.endpoint,
    kind: 'auth',
    detail: `credentials rejected: ${e.detail}`,
    cause: e,
  };
  if (e.status !== undefined) init.status = e.status;
  if (e.code !== undefined) init.code = e.code;
  return new SourceError(init);
}

const expiresInSchema = z.union([
  z.number().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

/** OAuth 2.0 token response: {access_token, token_type, expires_in}. expires_in absent → 3600 s (epv-api-scripts). */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1).optional(),
  expires_in: expiresInSchema.optional(),
});

interface OAuthRequest {
  tokenUrl: URL;
  form: Record<string, string>;
  headers?: Record<string, string>;
  renewBeforeSeconds: number;
  now: () => number;
}

/** renewAt = obtained + expires_in − renewBefore; with expires_in < 2×renewBefore: at half-life. */
export function renewalTime(obtainedAtMs: number, expiresInSeconds: number, renewBeforeSeconds: number): number {
  const lead = expiresInSeconds > 2 * renewBeforeSeconds ? renewBeforeSeconds : expiresInSeconds / 2;
  return obtainedAtMs + (expiresInSeconds - lead) * 1000;
}

function oauthFetcher(r: OAuthRequest): Fetcher {
  const endpoint = `POST ${r.tokenUrl.pathname}`;
  return async (tc, source) => {
    const obtainedAt = r.now();
    let body: unknown;
    try {
      body = await tc.request({
        method: 'POST',
        path: r.tokenUrl.href,
        endpoint,
        form: r.form,
        schema: z.unknown(),
        auth: false,
        ...(r.headers ? { headers: r.headers } : {}),
      });
    } catch (e) {
      throw asAuthError(e);
    }
    const oauthError = parseOAuthError(200, body);
    if (oauthError) {
      throw new SourceError({
        source,
        endpoint,
        kind: 'auth',
        detail: `credentials rejected: ${oauthError.code ?? 'error'}: ${oauthError.message}`,
        ...(oauthError.code ? { code: oauthError.code } : {}),
      });
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success) throw validationError(source, endpoint, parsed.error);
    const { access_token, token_type, expires_in } = parsed.data;
    const scheme = !token_type || token_type.toLowerCase() === 'bearer' ? 'Bearer' : token_type;
    const authorization = `${scheme} ${access_token}`;
    registerSecret(access_token, 'token');
    registerSecret(authorization, 'token');
    return { authorization, renewAt: renewalTime(obtainedAt, expires_in ?? 3600, r.renewBeforeSeconds) };
  };
}

function basic(id: string, secret: string): string {
  const value = Buffer.from(`${id}:${secret}`, 'utf8').toString('base64');
  registerSecret(value);
  return `Basic ${value}`;
}

export interface IdentityPlatformTokenOptions {
  /** Identity tenant URL, e.g. https://abc1234.id.cyberark.cloud (a path prefix such as /api/idadmin is kept). */
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  /** Use POST /oauth2/token/{appId} with HTTP Basic instead of /oauth2/platformtoken. */
  oauthAppId?: string;
  /** Scope for the oauthAppId flow (default 'api'); sent with platformtoken only when given. */
  scope?: string;
  /** Renew this many seconds before expiry (default 60). */
  renewBeforeSeconds?: number;
  /** Clock (epoch ms), injectable for tests. */
  now?: () => number;
  /** Source named in token errors; default: the source of the client that asked for the token. */
  source?: string;
}

/**
 * CyberArk Identity client-credentials token (CyberArk docs: ISPSS API authentication).
 * Default: POST {identityUrl}/oauth2/platformtoken, form grant_type=client_credentials&client_id&client_secret.
 * With oauthAppId: POST {identityUrl}/oauth2/token/{appId}, Basic base64(id:secret), form grant_type&scope.
 */
export function identityPlatformToken(opts: IdentityPlatformTokenOptions): AuthProvider {
  const base = parseServiceUrl(opts.identityUrl, opts.source ?? 'identity', 'identityUrl');
  registerSecret(opts.clientSecret);
  const now = opts.now ?? Date.now;
  const renewBeforeSeconds = opts.renewBeforeSeconds ?? 60;
  let request: OAuthRequest;
  if (opts.oauthAppId !== undefined) {
    request = {
      tokenUrl: joinUrl(base, `/oauth2/token/${encodeURIComponent(opts.oauthAppId)}`),
      form: { grant_type: 'client_credentials', scope: opts.scope ?? 'api' },
      headers: { authorization: basic(opts.clientId, opts.clientSecret) },
      renewBeforeSeconds,
      now,
    };
  } else {
    const form: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
    };
    if (opts.scope !== undefined) form.scope = opts.scope;
    request = { tokenUrl: joinUrl(base, '/oauth2/platformtoken'), form, renewBeforeSeconds, now };
  }
  return new CachingProvider(base.origin, oauthFetcher(request), now, opts.source);
}

export interface BearerClientCredentialsOptions {
  /** Full token endpoint, e.g. https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token (configurable authority). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://graph.microsoft.com/.default */
  scope: string;
  /** Send the credentials as HTTP Basic instead of in the form (RFC 6749 §2.3.1). Default false. */
  basicAuth?: boolean;
  renewBeforeSeconds?: number;
  now?: () => number;
  source?: string;
}

/** Microsoft identity platform style client credentials: form client_id, client_secret, scope, grant_type. */
export function bearerClientCredentials(opts: BearerClientCredentialsOptions): AuthProvider {
  const tokenUrl = parseServiceUrl(opts.tokenUrl, opts.source ?? 'oauth', 'tokenUrl');
  registerSecret(opts.clientSecret);
  const now = opts.now ?? Date.now;
  const form: Record<string, string> = { grant_type: 'client_credentials', scope: opts.scope };
  const request: OAuthRequest = { tokenUrl, form, renewBeforeSeconds: opts.renewBeforeSeconds ?? 60, now };
  if (opts.basicAuth) {
    request.headers = { authorization: basic(opts.clientId, opts.clientSecret) };
  } else {
    form.client_id = opts.clientId;
    form.client_secret = opts.clientSecret;
  }
  return new CachingProvider(tokenUrl.origin, oauthFetcher(request), now, opts.source);
}

export interface PasSessionOptions {
  /** PVWA host URL, e.g. https://pvwa.corp.example (without /PasswordVault). */
  pvwaUrl: string;
  username: string;
  password: string;
  method?: 'CyberArk' | 'LDAP' | 'RADIUS' | 'Windows';
  source?: string;
}

/**
 * Self-hosted PAS session (psPAS New-PASSession): POST {pvwaUrl}/PasswordVault/API/Auth/{method}/Logon with JSON
 * {username, password, concurrentSession:true} → a JSON string token, used RAW as Authorization (no "Bearer").
 * The session is kept until a 401 (then one new logon); close() logs off (best effort).
 */
export function pasSession(opts: PasSessionOptions): AuthProvider {
  const base = parseServiceUrl(opts.pvwaUrl, opts.source ?? 'pas', 'pvwaUrl');
  registerSecret(opts.password);
  const method = opts.method ?? 'CyberArk';
  const logonUrl = joinUrl(base, `/PasswordVault/API/Auth/${method}/Logon`);
  const logoffUrl = joinUrl(base, '/PasswordVault/API/Auth/Logoff');
  const fetcher: Fetcher = async (tc) => {
    let token: string;
    try {
      token = await tc.request({
        method: 'POST',
        path: logonUrl.href,
        endpoint: `POST ${logonUrl.pathname}`,
        json: { username: opts.username, password: opts.password, concurrentSession: true },
        schema: z.string().min(1),
        auth: false,
      });
    } catch (e) {
      throw asAuthError(e);
    }
    registerSecret(token, 'token');
    return { authorization: token };
  };
  const logoff = async (tc: TokenClient, credential: Credential) => {
    await tc.request({
      method: 'POST',
      path: logoffUrl.href,
      endpoint: `POST ${logoffUrl.pathname}`,
      headers: { authorization: credential.authorization },
      schema: z.string(),
      expectText: true,
      auth: false,
    });
  };
  return new CachingProvider(base.origin, fetcher, Date.now, opts.source, logoff);
}
