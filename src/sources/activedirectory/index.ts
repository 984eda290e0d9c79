/** Active Directory over LDAP as a sync source: users, groups and group membership, correlated with CyberArk. */
import type { SyncSource } from '../source.js';
import { checkActiveDirectory } from './check.js';
import { extractActiveDirectory } from './extract.js';
import type { ActiveDirectoryRaw } from './schemas.js';
import type { ActiveDirectoryConfig } from './settings.js';
import { transformActiveDirectory } from './transform.js';

export const activeDirectorySource: SyncSource<ActiveDirectoryConfig, ActiveDirectoryRaw, 'activeDirectory'> = {
  name: 'activedirectory',
  title: 'Active Directory',
  configKey: 'activeDirectory',
  configured: ({ activeDirectory: ad }) =>
    ad
      ? {
          url: ad.url,
          bindDn: ad.bindDn,
          bindPassword: ad.bindPassword,
          baseDn: ad.baseDn,
          startTls: ad.startTls,
          ...(ad.caFile ? { tlsCaFile: ad.caFile } : {}),
        }
      : undefined,
  dependsOn: [],
  owns: { nodes: ['ADDomain', 'ADUser', 'ADGroup'], edges: ['IN_TENANT', 'MEMBER_OF'] },
  extract: (settings, ctx) => extractActiveDirectory(settings, ctx.progress ? { progress: ctx.progress } : {}),
  transform: (raw) => transformActiveDirectory(raw),
  check: checkActiveDirectory,
};
