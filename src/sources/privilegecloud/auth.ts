/**
 * How Privilege Cloud signs in: with PAS credentials, a PVWA session of its own; otherwise (ISPSS) with the Identity
 * platform token, the one Identity uses in the same sync.
 */
import type { AuthProvider } from '../../http/index.js';
import { identitySettingsOf, sharedPlatformToken } from '../identity/client.js';
import type { SourceContext } from '../source.js';
import { type PrivilegeCloudSettings, pasAuth } from './extract.js';

export const NO_TOKEN = 'Privilege Cloud needs the Identity platform token (configure Identity) or PAS credentials';

/** The sync's auth: both kinds are kept in ctx.shared, so the PAS session is logged off when the sync ends. */
export function sharedPrivilegeCloudAuth(settings: PrivilegeCloudSettings, ctx: SourceContext): AuthProvider {
  const pas = settings.pas;
  if (pas) return ctx.shared('privilegecloud.pasSession', () => pasAuth(settings.pcloudUrl, pas));
  const identity = identitySettingsOf(ctx);
  if (!identity) throw new Error(NO_TOKEN);
  return sharedPlatformToken(ctx, identity);
}
