/** CyberArk Identity as a sync source: users, groups, roles and their members, applications and their ACLs. */
import type { HttpClient } from '../../http/index.js';
import type { SyncSource } from '../source.js';
import { checkIdentity } from './check.js';
import { createIdentityClient, type IdentitySourceConfig, sharedPlatformToken } from './client.js';
import { extractIdentity } from './extract.js';
import type { IdentityRaw } from './schemas.js';
import { transformIdentity } from './transform.js';

export const identitySource: SyncSource<IdentitySourceConfig, IdentityRaw, 'identity', HttpClient> = {
  name: 'identity',
  title: 'CyberArk Identity',
  configKey: 'identity',
  configured: ({ identity }) =>
    identity
      ? {
          identityUrl: identity.url,
          clientId: identity.clientId,
          clientSecret: identity.clientSecret,
          ...(identity.oauthAppId ? { oauthAppId: identity.oauthAppId } : {}),
          ...(identity.oauthScope ? { oauthScope: identity.oauthScope } : {}),
        }
      : undefined,
  dependsOn: [],
  owns: {
    nodes: ['IdentityTenant', 'CyberArkUser', 'CyberArkGroup', 'CyberArkRole', 'CyberArkApplication'],
    edges: ['IN_TENANT', 'HAS_ROLE', 'CAN_ACCESS'],
  },
  connect: (settings, ctx) => createIdentityClient(settings, sharedPlatformToken(ctx, settings), ctx.http),
  extract(settings, ctx, client) {
    return extractIdentity(client, settings.identityUrl, {
      ...(ctx.pageSize ? { pageSize: ctx.pageSize } : {}),
      ...(ctx.progress ? { progress: ctx.progress } : {}),
    });
  },
  transform: (raw) => transformIdentity(raw),
  check: checkIdentity,
};
