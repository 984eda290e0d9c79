/** `arkgraph simulate`: serves a tenant file or a generated tenant on 127.0.0.1 until Ctrl-C. */
import { writeFile } from 'node:fs/promises';
import { startGraphSimulator, startSimulator } from '../simulator/index.js';
import { loadTenantFile, type Tenant } from '../tenant/format/index.js';
import { generateTenant } from '../tenant/generate/index.js';
import { UsageError } from './errors.js';

export interface SimulateOptions {
  tenant?: string;
  generate?: 'small' | 'medium' | 'large';
  seed: string;
  port?: string;
  tokenTtl: string;
  writeTenant?: string;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65534)
    throw new UsageError(`--port must be 0-65534, got "${value}"`);
  return port;
}

export async function loadOrGenerate(opts: Pick<SimulateOptions, 'tenant' | 'generate' | 'seed'>): Promise<Tenant> {
  if (opts.tenant && opts.generate) throw new UsageError('give either --tenant or --generate, not both');
  if (opts.tenant) return loadTenantFile(opts.tenant);
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${opts.seed}"`);
  return generateTenant(opts.generate ?? 'small', seed);
}

export function credentialsText(sim: { identityUrl: string; pcloudUrl: string }, tenant: Tenant): string {
  const client = tenant.identity.oauthClients[0]!;
  const pas = tenant.privilegeCloud.pasLogins[0];
  return [
    `Identity:        ${sim.identityUrl}`,
    `Privilege Cloud: ${sim.pcloudUrl}  (API under ${sim.pcloudUrl}/PasswordVault/API)`,
    `Client id:       ${client.clientId}`,
    // The simulator's own test credentials: printing them is the point of this command.
    `Client secret:   ${client.clientSecret}`,
    ...(client.appIds[0] ? [`OAuth app id:    ${client.appIds[0]}`] : []),
    ...(pas ? [`PAS logon:       ${pas.username} / ${pas.password}`] : []),
    '',
    'To sync from it:',
    `  export ARKGRAPH_IDENTITY_URL=${sim.identityUrl} ARKGRAPH_PCLOUD_URL=${sim.pcloudUrl}`,
    `  export ARKGRAPH_CLIENT_ID='${client.clientId}' ARKGRAPH_CLIENT_SECRET='${client.clientSecret}'`,
    '  arkgraph sync',
  ].join('\n');
}

export async function simulateCommand(opts: SimulateOptions, io: { out: (t: string) => void }): Promise<void> {
  const tenant = await loadOrGenerate(opts);
  // Compact JSON: a large tenant pretty-printed comes close to V8's maximum string length.
  if (opts.writeTenant) await writeFile(opts.writeTenant, `${JSON.stringify(tenant)}\n`);
  const port = parsePort(opts.port);
  const ttl = Number(opts.tokenTtl);
  if (!Number.isInteger(ttl) || ttl < 1)
    throw new UsageError(`--token-ttl must be a positive integer, got "${opts.tokenTtl}"`);
  const sim = await startSimulator({
    tenant,
    tokenTtlSeconds: ttl,
    ...(port !== undefined ? { identityPort: port, pcloudPort: port === 0 ? 0 : port + 1 } : {}),
  });
  const graph = tenant.entra ? await startGraphSimulator({ entra: tenant.entra }) : undefined;
  const entraText =
    graph && tenant.entra
      ? `\n\nMicrosoft Graph: ${graph.graphUrl}  (authority ${graph.authorityUrl}, tenant ${tenant.entra.tenantId})\n` +
        `  export ARKGRAPH_ENTRA_TENANT_ID=${tenant.entra.tenantId} ARKGRAPH_ENTRA_CLIENT_ID=${tenant.entra.clients[0]!.clientId} ARKGRAPH_ENTRA_CLIENT_SECRET='${tenant.entra.clients[0]!.clientSecret}'\n` +
        `  export ARKGRAPH_ENTRA_AUTHORITY_URL=${graph.authorityUrl} ARKGRAPH_ENTRA_GRAPH_URL=${graph.graphUrl}`
      : '';
  io.out(
    `arkgraph simulator: ${tenant.identity.users.length} users, ${tenant.identity.roles.length} roles, ${tenant.privilegeCloud.safes.length} safes\n${credentialsText(sim, tenant)}${entraText}\n\nPress Ctrl-C to stop.`,
  );
  await waitForSignal();
  await Promise.all([sim.close(), graph?.close()]);
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
