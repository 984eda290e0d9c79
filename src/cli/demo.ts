/**
 * `arkgraph demo`: a generated tenant served by the simulator on loopback, a full sync over real HTTP into a
 * temporary embedded store, a summary, and a who-can answer with paths for a safe that shows the interesting cases.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.js';
import { QueryEngine } from '../queries/engine.js';
import { renderPath } from '../queries/path-text.js';
import { startGraphSimulator, startSimulator } from '../simulator/index.js';
import { MemoryStore } from '../store/memory/store.js';
import { runSync } from '../sync/run.js';
import { generateTenant } from '../tenant/generate/index.js';
import { UsageError } from './errors.js';
import { progressReporter } from './progress.js';
import { renderWhoCan } from './render.js';
import { credentialsText, waitForSignal } from './simulate.js';

/** Picks the safe whose retrieveAccounts answer has the most varied explanations (nesting, groups, Everybody). */
async function interestingSafe(queries: QueryEngine): Promise<string | undefined> {
  const safes = await queries.listAssets({ type: 'safes', limit: 100_000 });
  let best: { name: string; score: number } | undefined;
  for (const item of safes.items) {
    const name = String(item.name);
    const r = await queries.whoCan('retrieveAccounts', name);
    const users = r.principals.filter((p) => p.type === 'CyberArkUser');
    const shapes = new Set(users.map((u) => (u.paths[0] ?? []).map((s) => s.via ?? s.kind).join('>')));
    const deepest = Math.max(0, ...users.map((u) => u.paths[0]?.length ?? 0));
    const throughDirectory = users.filter((u) => u.paths.some((p) => p.some((s) => s.via === 'ASSUMES_USER'))).length;
    const score = shapes.size * 10 + deepest * 3 + Math.min(users.length, 20) + Math.min(throughDirectory, 3) * 25;
    if (users.length > 0 && users.length <= 60 && (!best || score > best.score)) best = { name, score };
  }
  return best?.name;
}

export async function demoCommand(
  opts: { scale: 'small' | 'medium'; seed: string; once?: boolean },
  io: { out: (t: string) => void },
  logger: Logger,
): Promise<void> {
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${opts.seed}"`);
  const tenant = generateTenant(opts.scale, seed);
  const sim = await startSimulator({ tenant });
  // Entra ID too (a pure-Node simulator), so answers show access through directory group nesting. Active Directory
  // needs an LDAP server, which the demo does not assume is installed.
  const graph = await startGraphSimulator({ entra: tenant.entra! });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-demo-'));
  const store = new MemoryStore({ dataDir });
  try {
    io.out(
      `Generated a ${opts.scale} tenant (seed ${seed}): ${tenant.identity.users.length} users, ${tenant.identity.roles.length} roles, ${tenant.privilegeCloud.safes.length} safes, ${tenant.privilegeCloud.accounts.length} accounts.\nSimulators on ${sim.identityUrl} (Identity), ${sim.pcloudUrl} (Privilege Cloud) and ${graph.graphUrl} (Microsoft Graph).\n\nSyncing over HTTP into ${dataDir} …`,
    );
    const progress = progressReporter(process.stderr, logger);
    const settings = { ...sim.syncSettings(), ...graph.syncSettings() };
    const run = await runSync(store, settings, {
      progress: progress.listener,
      log: (level, message, fields) => logger[level](fields ?? {}, message),
    });
    progress.done();
    const counts = Object.values(run.counts).reduce<Record<string, number>>((acc, c) => {
      for (const [k, n] of Object.entries(c)) acc[k] = (acc[k] ?? 0) + n;
      return acc;
    }, {});
    io.out(
      `Sync ${run.status} in ${Object.values(run.durationsMs).reduce((a, b) => Math.max(a, b), 0)} ms: ${counts.CyberArkUser ?? 0} users, ${counts.CyberArkRole ?? 0} roles, ${counts.Safe ?? 0} safes, ${counts.SAFE_MEMBER ?? 0} safe memberships, ${counts.HAS_EFFECTIVE_PERMISSION ?? 0} effective permissions.\n`,
    );
    const queries = new QueryEngine(store);
    const safe = await interestingSafe(queries);
    if (safe) {
      io.out(`$ arkgraph who-can retrieveAccounts --safe "${safe}"\n`);
      const answer = await queries.whoCan('retrieveAccounts', safe);
      io.out(renderWhoCan(answer));
      const viaEntra = answer.principals
        .map((p) => p.paths.find((path) => path.some((s) => s.via === 'ASSUMES_USER')))
        .filter((p) => p !== undefined)
        .slice(0, 3);
      if (viaEntra.length) {
        io.out('\nSome of that access comes through Entra ID group nesting:');
        for (const path of viaEntra) io.out(`  ${renderPath(path)}`);
      }
    }
    if (opts.once) return;
    io.out(`\n${credentialsText(sim, tenant)}\n`);
    io.out(
      curlExamples(
        sim,
        settings.identity.clientId,
        settings.identity.clientSecret,
        safe ?? tenant.privilegeCloud.safes[0]!.name,
      ),
    );
    io.out('\nThe simulator keeps serving; press Ctrl-C to stop.');
    await waitForSignal();
  } finally {
    await store.close();
    await sim.close();
    await graph.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function curlExamples(
  sim: { identityUrl: string; pcloudUrl: string },
  id: string,
  secret: string,
  safe: string,
): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '',
    'Try the simulated APIs with curl:',
    `  TOKEN=$(curl -s -X POST ${sim.identityUrl}/oauth2/platformtoken \\`,
    `    --data-urlencode grant_type=client_credentials --data-urlencode client_id=${q(id)} --data-urlencode client_secret=${q(secret)} \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -s -X POST ${sim.identityUrl}/Redrock/query -H "Authorization: Bearer $TOKEN" -H 'X-IDAP-NATIVE-CLIENT: true' \\`,
    `    -H 'Content-Type: application/json' -d '{"Script":"Select ID, Username from User","Args":{"PageNumber":1,"PageSize":5}}'`,
    `  curl -s "${sim.pcloudUrl}/PasswordVault/API/Safes/${encodeURIComponent(safe).replace(/'/g, '%27')}/Members?filter=includePredefinedUsers%20eq%20true&limit=5" \\`,
    `    -H "Authorization: Bearer $TOKEN"`,
  ].join('\n');
}
