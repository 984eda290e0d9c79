/**
 * End to end with both directories: CyberArk (simulator), Entra ID (Graph simulator) and Active Directory (a real
 * slapd) synced over the network by the real extractors; who-can must include the users who get access only through
 * AD or Entra group nesting, with their whole path, and match the oracle; the correlation report's counts must match
 * an independent computation from the tenant file.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDn } from '../../src/graph/dn.js';
import { QueryEngine } from '../../src/queries/engine.js';
import { type GraphSimulator, type Simulator, startGraphSimulator, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { runSync } from '../../src/sync/run.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { FAST_HTTP } from '../e2e/helpers.js';
import { CyberArkOracle, type Who } from '../oracle/cyberark.js';
import { type Slapd, slapdAvailability, startSlapd } from '../support/slapd.js';

const availability = slapdAvailability();

describe.skipIf(!availability.available)('CyberArk + Entra ID + Active Directory, end to end', () => {
  const tenant = generateTenant('small', 51);
  const now = Date.now();
  const oracle = new CyberArkOracle(tenant, now, { directories: true });
  const withoutDirectories = new CyberArkOracle(tenant, now);
  let sim: Simulator;
  let graph: GraphSimulator;
  let slapd: Slapd;
  let store: MemoryStore;
  let dataDir: string;

  beforeAll(async () => {
    const ad = tenant.activeDirectory!;
    const entra = tenant.entra!;
    [sim, graph, slapd] = await Promise.all([
      startSimulator({ tenant }),
      startGraphSimulator({ entra }),
      startSlapd({
        ldif: activeDirectoryLdif(ad),
        baseDn: ad.baseDn,
        bindDn: ad.bindDn,
        bindPassword: ad.bindPassword,
      }),
    ]);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-dirs-'));
    store = new MemoryStore({ dataDir });
    const run = await runSync(
      store,
      {
        ...sim.syncSettings(),
        ...graph.syncSettings(),
        activeDirectory: { url: slapd.url, bindDn: ad.bindDn, bindPassword: ad.bindPassword, baseDn: ad.baseDn },
        http: FAST_HTTP,
      },
      { now: () => now },
    );
    expect(run.status).toBe('completed');
    expect(run.sources).toEqual(['identity', 'privilegecloud', 'entra', 'activedirectory']);
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await Promise.allSettled([sim?.close(), graph?.close(), slapd?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const who = (p: { type: string; name: string; login_name?: string }) =>
    `${p.type}:${p.type === 'CyberArkUser' ? p.login_name : p.name}` as Who;

  it('who-can matches the oracle, directory nesting included', async () => {
    for (const safe of tenant.privilegeCloud.safes) {
      for (const permission of ['retrieveAccounts', 'listAccounts', 'manageSafeMembers']) {
        const answer = await new QueryEngine(store).whoCan(permission, safe.name);
        expect(answer.principals.map(who).sort(), `${permission} on ${safe.name}`).toEqual(
          [...oracle.whoCan(permission, safe.name)].sort(),
        );
      }
    }
  });

  it('includes users who get access only through AD or Entra group nesting, with their whole path', async () => {
    let onlyThroughDirectories = 0;
    for (const safe of tenant.privilegeCloud.safes) {
      const withDirs = oracle.whoCan('listAccounts', safe.name);
      const without = withoutDirectories.whoCan('listAccounts', safe.name);
      const answer = await new QueryEngine(store).whoCan('listAccounts', safe.name);
      for (const w of withDirs) {
        if (without.has(w) || !w.startsWith('CyberArkUser:')) continue;
        onlyThroughDirectories++;
        const p = answer.principals.find((x) => who(x) === w)!;
        expect(p, `${w} on ${safe.name}`).toBeDefined();
        const path = p.paths[0]!;
        // user ←ASSUMES_USER─ directory user ─MEMBER_OF→ … ─IS_GROUP→ CyberArk group … ─SAFE_MEMBER→ safe
        expect(path[1]).toMatchObject({ via: 'ASSUMES_USER', reverse: true });
        expect(['EntraUser', 'ADUser']).toContain(path[1]!.kind);
        expect(path.some((s) => s.via === 'MEMBER_OF')).toBe(true);
        expect(path.some((s) => s.via === 'IS_GROUP')).toBe(true);
        for (let i = 1; i < path.length; i++) {
          expect(
            oracle.hopExists(path[i - 1]!, path[i]!.via!, path[i]!),
            `${path[i - 1]!.name} -${path[i]!.via}-> ${path[i]!.name}`,
          ).toBe(true);
        }
        // The user shows the directory identities that are it.
        expect(p.directory_identities?.some((d) => d.kind === path[1]!.kind && d.name === path[1]!.name)).toBe(true);
      }
    }
    expect(onlyThroughDirectories).toBeGreaterThan(0);
  });

  it('the correlation report counts match an independent computation from the tenant file', async () => {
    const report = await new QueryEngine(store).correlationReport();
    const t = tenant;
    const dirOf = (uuid: string) => t.identity.directoryServices.find((d) => d.uuid === uuid)!.service;
    const logins = new Map(t.identity.users.map((u) => [u.username.toLowerCase(), u]));
    // Entra users: matched when exactly one CyberArk login equals the UPN ignoring case.
    const entraMatched = t.entra!.users.filter((u) => logins.has(u.userPrincipalName.toLowerCase()));
    // Entra groups: by object id against FDS CyberArk groups; several candidates = ambiguous.
    const fdsGroups = t.identity.groups.filter((g) => dirOf(g.directoryServiceUuid) === 'FDS');
    const entraGroupCandidates = t.entra!.groups.map(
      (g) => fdsGroups.filter((c) => c.externalUuid?.toLowerCase() === g.id.toLowerCase()).length,
    );
    // AD: by normalised DN against AdProxy CyberArk users and groups.
    const adUsersCyber = t.identity.users.filter(
      (u) => dirOf(u.directoryServiceUuid) === 'AdProxy' && u.distinguishedName,
    );
    const adGroupsCyber = t.identity.groups.filter(
      (g) => dirOf(g.directoryServiceUuid) === 'AdProxy' && g.distinguishedName,
    );
    const adUserCandidates = t.activeDirectory!.users.map((a) =>
      adUsersCyber.filter((u) => normalizeDn(u.distinguishedName!) === normalizeDn(a.dn)),
    );
    const adGroupCandidates = t.activeDirectory!.groups.map(
      (a) => adGroupsCyber.filter((g) => normalizeDn(g.distinguishedName!) === normalizeDn(a.dn)).length,
    );

    const expectedMatchedUsers = entraMatched.length + adUserCandidates.filter((c) => c.length === 1).length;
    const expectedMatchedGroups =
      entraGroupCandidates.filter((n) => n === 1).length + adGroupCandidates.filter((n) => n === 1).length;
    const expectedAmbiguous =
      entraGroupCandidates.filter((n) => n > 1).length +
      adUserCandidates.filter((c) => c.length > 1).length +
      adGroupCandidates.filter((n) => n > 1).length;
    expect(report.summary.matched_users).toBe(expectedMatchedUsers);
    expect(report.summary.matched_groups).toBe(expectedMatchedGroups);
    expect(report.summary.ambiguous).toBe(expectedAmbiguous);
    expect(expectedAmbiguous).toBeGreaterThanOrEqual(2);
    expect(report.summary.entra_guests).toBe(t.entra!.users.filter((u) => u.userType === 'Guest').length);
    expect(report.summary.directory_identities_without_cyberark).toBe(
      t.entra!.users.length -
        entraMatched.length +
        entraGroupCandidates.filter((n) => n === 0).length +
        adUserCandidates.filter((c) => c.length === 0).length +
        adGroupCandidates.filter((n) => n === 0).length,
    );
    // Orphans: FDS / AdProxy CyberArk identities that no directory identity is.
    const twinned = new Set(oracle.directoryTwins.keys());
    const orphanUsers = t.identity.users.filter(
      (u) => ['FDS', 'AdProxy'].includes(dirOf(u.directoryServiceUuid)) && !twinned.has(u.username),
    );
    expect(report.summary.cyberark_orphan_users).toBe(orphanUsers.length);
    // Disabled in the directory, still holding effective safe permissions in CyberArk.
    const holders = new Set<string>();
    for (const s of t.privilegeCloud.safes)
      for (const w of oracle.safeAccess(s.name).keys()) if (w.startsWith('CyberArkUser:')) holders.add(w.slice(13));
    let disabledWithAccess = 0;
    for (const [login, twins] of oracle.directoryTwins)
      for (const d of twins) if (!d.enabled && holders.has(login)) disabledWithAccess++;
    expect(report.summary.disabled_with_access).toBe(disabledWithAccess);
    expect(disabledWithAccess).toBeGreaterThan(0);
  });
});
