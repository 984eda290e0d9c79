/**
 * CyberArk Identity: the settings, the platform token and the HTTP client. The token is shared within a sync:
 * Privilege Cloud on ISPSS signs in with it too (sharedPlatformToken).
 */
import { type AuthProvider, HttpClient, type HttpClientOptions, identityPlatformToken } from '../../http/index.js';
import type { SourceContext } from '../source.js';

export const SOURCE = 'identity';

export interface IdentitySourceConfig {
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  oauthAppId?: string;
  oauthScope?: string;
}

/** The platform token provider; Privilege Cloud on ISPSS uses the same token. */
export function identityAuth(config: IdentitySourceConfig): AuthProvider {
  return identityPlatformToken({
    identityUrl: config.identityUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    source: SOURCE,
    ...(config.oauthAppId ? { oauthAppId: config.oauthAppId } : {}),
    ...(config.oauthScope ? { scope: config.oauthScope } : {}),
  });
}

export function createIdentityClient(
  config: IdentitySourceConfig,
  auth: AuthProvider,
  http: Partial<HttpClientOptions> = {},
): HttpClient {
  return new HttpClient({
    ...http,
    source: SOURCE,
    baseUrl: config.identityUrl,
    auth,
    // Always sent, as CyberArk's SDKs do: Identity answers 401 without it.
    headers: { 'X-IDAP-NATIVE-CLIENT': 'true', ...(http.headers ?? {}) },
  });
}

/** Key of the platform token in SourceContext.shared. */
const PLATFORM_TOKEN = 'identity.platformToken';

/** The platform token of these settings, made once per sync (or connection test) and shared by every source. */
export function sharedPlatformToken(ctx: SourceContext, settings: IdentitySourceConfig): AuthProvider {
  return ctx.shared(PLATFORM_TOKEN, () => identityAuth(settings));
}

/** The Identity settings of this sync (configKey 'identity'), for a source that signs in with the platform token. */
export function identitySettingsOf(ctx: SourceContext): IdentitySourceConfig | undefined {
  return ctx.settings.identity as IdentitySourceConfig | undefined;
}
