/**
 * generateTenant(): the order of the generation steps, and the tenant document they add up to. Each step draws from
 * its own seeded stream (Rng.stream(seed, 'users') …), so a step's output depends only on the seed and on what the
 * earlier steps made.
 */
import { type DirectoryService, TENANT_FORMAT_VERSION, type Tenant } from '../format/index.js';
import { generateAccounts } from './accounts.js';
import { generateApplications } from './applications.js';
import { AD_FOREST, type Ctx, type DirKind } from './context.js';
import { addDirectories } from './directories.js';
import { generateGroups } from './groups.js';
import { NameRegistry } from './naming.js';
import { Rng } from './rng.js';
import { generateRoles } from './roles.js';
import { generateSafes } from './safes.js';
import { checkSpec, SCALES, type Scale, type ScaleSpec } from './scale.js';
import { generateUsers } from './users.js';
import { generateBuiltinVault, RESERVED_VAULT_NAMES } from './vault.js';

/**
 * Generates a tenant. `scale` is a named scale or an explicit spec; `seed` any safe integer. The result passes
 * parseTenant() unchanged (every default is already filled in).
 */
export function generateTenant(scale: Scale | ScaleSpec, seed: number): Tenant {
  const spec = typeof scale === 'string' ? SCALES[scale] : scale;
  if (!spec) throw new RangeError(`unknown scale "${String(scale)}"; use small, medium or large`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  checkSpec(spec);

  const rng = Rng.stream(seed, 'tenant');
  const company = rng.pick(['acme', 'globex', 'initech', 'umbrella', 'hooli', 'contoso', 'fabrikam', 'northwind']);
  const tenantId =
    String.fromCharCode(65 + rng.int(26), 65 + rng.int(26), 65 + rng.int(26)) + String(rng.range(1000, 9999));
  const subdomain = `${company}${rng.range(1, 999)}`;
  const cdsSuffix = `cyberark.cloud.${rng.range(1000, 99999)}`;
  const entraTenant = rng.guid();
  const dirs: Record<DirKind, DirectoryService> = {
    CDS: {
      uuid: rng.guid().toUpperCase(),
      service: 'CDS',
      name: 'CDS',
      displayName: 'CyberArk Cloud Directory',
      status: 'Active',
      config: 'CyberArk Cloud Directory',
    },
    AD: {
      uuid: rng.guid(),
      service: 'AdProxy',
      name: `AdProxy_${AD_FOREST}`,
      displayName: `Active Directory: ${AD_FOREST}`,
      status: 'Active',
      forest: AD_FOREST,
      config: AD_FOREST,
    },
    FDS: {
      uuid: rng.guid().toUpperCase(),
      service: 'FDS',
      name: 'FDS',
      displayName: 'Federated Directory Service',
      status: 'Active',
      config: `Entra ID (login.microsoftonline.com/${entraTenant})`,
    },
  };
  const ctx: Ctx = {
    seed,
    spec,
    company,
    cdsSuffix,
    mailDomain: `${company}.example`,
    fdsDomain: `${company}.example`,
    dirs,
    principals: new NameRegistry(),
    users: [],
    userKind: [],
    userFirst: [],
    userLast: [],
    groups: [],
    groupKind: [],
    roles: [],
    roleSafeId: [],
    adminUsers: [],
    vaultUsers: [],
    vaultGroups: [],
    nextVaultId: 100,
  };

  // Vault names are claimed first so that no Identity principal can take them (safe member names are unique).
  for (const name of RESERVED_VAULT_NAMES) ctx.principals.claim(name);
  generateUsers(ctx);
  generateGroups(ctx);
  generateRoles(ctx);
  const applications = generateApplications(ctx);
  const builtinVault = generateBuiltinVault(ctx);
  const safes = generateSafes(ctx, builtinVault);
  const accounts = generateAccounts(ctx, safes);

  const secretRng = Rng.stream(seed, 'secrets');
  const reader = ctx.users[1]!;
  const oauthApp = applications[1]!;
  const tenant: Tenant = {
    formatVersion: TENANT_FORMAT_VERSION,
    name: `${company}-${typeof scale === 'string' ? scale : 'custom'}-seed${seed}`,
    identity: {
      tenantId,
      directoryServices: [dirs.CDS, dirs.AD, dirs.FDS],
      users: ctx.users,
      groups: ctx.groups,
      roles: ctx.roles,
      applications,
      oauthClients: [
        {
          clientId: reader.username,
          clientSecret: `agr_${secretRng.hex(24)}`,
          appIds: [oauthApp.serviceName!],
        },
      ],
    },
    privilegeCloud: {
      subdomain,
      safes,
      accounts,
      vaultUsers: ctx.vaultUsers,
      vaultGroups: ctx.vaultGroups,
      pasLogins: [{ username: builtinVault.pasLogin, password: `Pas-${secretRng.hex(12)}!`, method: 'CyberArk' }],
    },
  };
  return addDirectories(tenant, seed);
}
