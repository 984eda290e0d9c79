/** Microsoft Entra ID (Graph) as a sync source: users, groups and group membership, correlated with CyberArk. */
import type { SyncSource } from '../source.js';
import { checkEntra } from './check.js';
import { createEntraClient, type EntraSourceConfig, extractEntra } from './extract.js';
import type { EntraRaw } from './schemas.js';
import { transformEntra } from './transform.js';

export const entraSource: SyncSource<EntraSourceConfig, EntraRaw, 'entra'> = {
  name: 'entra',
  title: 'Microsoft Entra ID',
  configKey: 'entra',
  configured: ({ entra }) => (entra ? { ...entra } : undefined),
  dependsOn: [],
  owns: { nodes: ['EntraTenant', 'EntraUser', 'EntraGroup'], edges: ['IN_TENANT', 'MEMBER_OF'] },
  extract: (settings, ctx) =>
    extractEntra(createEntraClient(settings, ctx.http), settings, ctx.progress ? { progress: ctx.progress } : {}),
  transform: (raw) => transformEntra(raw),
  check: checkEntra,
};
