/**
 * Privilege Cloud (ISPSS) or self-hosted PAS as a sync source: safes, their members, accounts and vault groups. Safe
 * members are resolved against the Identity data, so its transform needs Identity's output.
 */
import type { HttpClient } from '../../http/index.js';
import type { SyncSource } from '../source.js';
import { sharedPrivilegeCloudAuth } from './auth.js';
import { checkPrivilegeCloud } from './check.js';
import { createPrivilegeCloudClient, extractPrivilegeCloud, type PrivilegeCloudSettings } from './extract.js';
import type { PrivilegeCloudRaw } from './schemas.js';
import { IdentityLookup, transformPrivilegeCloud } from './transform.js';

const IDENTITY_MISSING = 'not loaded: safe members cannot be resolved without the Identity data';

type PrivilegeCloudSource = SyncSource<PrivilegeCloudSettings, PrivilegeCloudRaw, 'privilegeCloud', HttpClient>;

export const privilegeCloudSource: PrivilegeCloudSource = {
  name: 'privilegecloud',
  title: 'CyberArk Privilege Cloud',
  configKey: 'privilegeCloud',
  configured: ({ privilegeCloud }) =>
    privilegeCloud
      ? { pcloudUrl: privilegeCloud.url, ...(privilegeCloud.pas ? { pas: privilegeCloud.pas } : {}) }
      : undefined,
  dependsOn: ['identity'],
  dependencyMissing: IDENTITY_MISSING,
  owns: {
    nodes: ['PrivilegeCloudTenant', 'Safe', 'Account', 'VaultUser', 'VaultGroup'],
    edges: ['IN_TENANT', 'SAFE_MEMBER', 'CONTAINS', 'MEMBER_OF'],
  },
  connect: (settings, ctx) =>
    createPrivilegeCloudClient(settings.pcloudUrl, sharedPrivilegeCloudAuth(settings, ctx), ctx.http),
  extract(settings, ctx, client) {
    const deployment = settings.pas ? 'selfhosted' : 'privilegecloud';
    return extractPrivilegeCloud(
      client,
      settings.pcloudUrl,
      deployment,
      ctx.progress ? { progress: ctx.progress } : {},
    );
  },
  transform(raw, inputs, ctx) {
    // The sync transforms this source only when Identity's output is there (dependsOn).
    if (!inputs.identity) throw new Error(IDENTITY_MISSING);
    return transformPrivilegeCloud(raw, new IdentityLookup(inputs.identity.nodes), ctx.now);
  },
  check: checkPrivilegeCloud,
};
