/**
 * End to end over real HTTP: the simulator serves a generated tenant, the real extractors sync it into the embedded
 * store, and every who-can answer is compared with the brute-force oracle computed from the tenant file.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import type { PrincipalAccess } from '../../src/queries/types.js';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { CyberArkOracle, inEverybody, type Who } from '../oracle/cyberark.js';
import { type Harness, startHarness } from './helpers.js';

const PERMISSIONS = [
  'retrieveAccounts',
  'useAccounts',
  'listAccounts',
  'manageSafeMembers',
  'requestsAuthorizationLevel2',
];

function who(p: PrincipalAccess): Who {
  return `${p.type}:${p.type === 'CyberArkUser' ? p.login_name! : p.name}` as Who;
}

function sorted(set: Iterable<string>): string[] {
  return [...set].sort();
}

/**
 * Every configuration runs with the simulator's seeded variations on (its default): optional fields left out, member
 * ids as numbers or strings. `older` also answers as older versions do: GET /Safes as {Safes, Total} paged by offset,
 * and a User table without the ServiceUser column.
 */
const OLDER: Partial<SimulatorOptions> = { legacySafes: true, legacyUserTable: true, variationSeed: 7 };
for (const [scale, seed, options, label] of [
  ['small', 11, {}, ''],
  ['small', 12, {}, ''],
  ['small', 14, OLDER, ', older PAS and Identity shapes'],
  ['medium', 3, {}, ''],
] as const) {
  describe(`sync ${scale} tenant (seed ${seed}${label}) over HTTP, answers match the oracle`, () => {
    const tenant = generateTenant(scale, seed);
    const now = Date.now();
    const oracle = new CyberArkOracle(tenant, now);
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness(tenant, options);
      const run = await h.sync({}, now);
      expect(run.status).toBe('completed');
    }, 300_000);
    afterAll(async () => h?.close());

    // Medium tenants: every safe, fewer permissions and path samples, to keep CI time reasonable on 2 cores.
    const permissions = scale === 'medium' ? ['retrieveAccounts', 'manageSafeMembers'] : PERMISSIONS;
    const sample = scale === 'medium' ? 40 : undefined;

    it('who-can matches the oracle for every safe and several permissions', async () => {
      let compared = 0;
      let nonEmpty = 0;
      for (const safe of tenant.privilegeCloud.safes) {
        for (const permission of permissions) {
          const answer = await new QueryEngine(h.store).whoCan(permission, safe.name);
          expect(answer.safe.name).toBe(safe.name);
          const expected = oracle.whoCan(permission, safe.name);
          expect(sorted(answer.principals.map(who)), `${permission} on ${safe.name}`).toEqual(sorted(expected));
          // Every principal comes with at least one path, and every path shown grants the permission asked about.
          for (const p of answer.principals) {
            expect(p.paths.length, `${who(p)} ${permission} on ${safe.name}`).toBeGreaterThan(0);
            for (const path of p.paths) expect(path.at(-1)!.permissions).toContain(answer.permission);
          }
          compared++;
          if (expected.size > 0) nonEmpty++;
        }
      }
      expect(compared).toBe(tenant.privilegeCloud.safes.length * permissions.length);
      expect(nonEmpty).toBeGreaterThan(tenant.privilegeCloud.safes.length);
    });

    it('a safe the Everybody role is on lists every human user, and service users and OAuth clients only by other paths', async () => {
      const everybody = tenant.identity.roles.find((r) => r.roleType === 'Everybody')!;
      const safes = tenant.privilegeCloud.safes.filter((s) =>
        s.members.some(
          (m) => m.memberName === everybody.name && !oracle.isExpired(m) && m.permissions.includes('retrieveAccounts'),
        ),
      );
      expect(safes.length).toBeGreaterThan(0);
      const humans = tenant.identity.users.filter(inEverybody).map((u) => u.username);
      const services = new Set(tenant.identity.users.filter((u) => !inEverybody(u)).map((u) => u.username));
      expect(services.size).toBeGreaterThan(0);
      for (const safe of safes.slice(0, 3)) {
        const answer = await new QueryEngine(h.store).whoCan('retrieveAccounts', safe.name);
        const users = new Map(
          answer.principals.filter((p) => p.type === 'CyberArkUser').map((p) => [p.login_name!, p]),
        );
        for (const login of humans) expect(users.has(login), `${login} on ${safe.name}`).toBe(true);
        for (const [login, p] of users) {
          if (!services.has(login)) continue;
          // A service user here holds the right some other way; none of its paths runs through Everybody.
          for (const path of p.paths)
            expect(
              path.map((hop) => hop.name),
              login,
            ).not.toContain(everybody.name);
        }
      }
      // The account arkgraph signs in with (an OAuth confidential client) is not among Everybody's users.
      const reader = tenant.identity.oauthClients[0]!.clientId;
      const access = await new QueryEngine(h.store).userAccess(reader);
      expect(access.user.identity_type).toBe('NonHuman');
      expect(access.roles.map((r) => r.name)).not.toContain(everybody.name);
      expect(access.roles.length).toBeGreaterThan(0);
    });

    it('each principal carries exactly the union of its permissions on the safe', async () => {
      for (const safe of tenant.privilegeCloud.safes.slice(0, scale === 'medium' ? 150 : undefined)) {
        const expected = oracle.safeAccess(safe.name);
        const account = tenant.privilegeCloud.accounts.find((a) => a.safeName === safe.name);
        if (!account) continue;
        const answer = await new QueryEngine(h.store).accountAccess(account.id);
        const got = new Map(answer.principals.map((p) => [who(p), sorted(p.permissions)]));
        expect(sorted(got.keys()), safe.name).toEqual(sorted(expected.keys()));
        for (const [w, perms] of expected) expect(got.get(w), `${w} on ${safe.name}`).toEqual(sorted(perms));
      }
    });

    it('every path returned is a chain of edges that exist in the tenant, from the principal to the safe', async () => {
      let checked = 0;
      for (const safe of tenant.privilegeCloud.safes.slice(0, sample)) {
        const answer = await new QueryEngine(h.store).whoCan('listAccounts', safe.name);
        for (const p of answer.principals) {
          expect(p.paths.length).toBeGreaterThan(0);
          expect(p.path_count).toBeGreaterThanOrEqual(p.paths.length);
          for (const path of p.paths) {
            expect(path[0]!.kind).toBe(p.type);
            expect(path.at(-1)).toMatchObject({ kind: 'Safe', name: safe.name, via: 'SAFE_MEMBER' });
            for (let i = 1; i < path.length; i++) {
              const from = path[i - 1]!;
              const to = path[i]!;
              expect(oracle.hopExists(from, to.via!, to), `${from.name} -${to.via}-> ${to.name}`).toBe(true);
              checked++;
            }
          }
          // Paths are shortest first.
          const lengths = p.paths.map((x) => x.length);
          expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
        }
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('expired memberships grant nothing but stay in the graph, flagged', async () => {
      const expired = tenant.privilegeCloud.safes.flatMap((s) =>
        s.members.filter((m) => oracle.isExpired(m)).map((m) => ({ safe: s.name, member: m })),
      );
      expect(expired.length).toBeGreaterThan(0);
      let counted = 0;
      for (const { safe, member } of expired) {
        // Whoever still reaches the safe also sees how many expired memberships of it they reach.
        const holder = oracle.resolve(member);
        const access = await new QueryEngine(h.store).safeAccess(safe);
        const p = access.principals.find(
          (x) => `${x.type}:${x.type === 'CyberArkUser' ? x.login_name : x.name}` === holder,
        );
        if (p) {
          expect(p.expired_membership_count, `${holder} on ${safe}`).toBeGreaterThan(0);
          counted++;
        }
      }
      if (scale === 'medium') expect(counted).toBeGreaterThan(0);
      for (const { safe, member } of expired.slice(0, 20)) {
        const holder = oracle.resolve(member);
        if (holder.startsWith('CyberArkUser:')) {
          const login = holder.slice('CyberArkUser:'.length);
          const paths = await new QueryEngine(h.store).paths(login, safe, 2);
          expect(paths.paths.some((p) => p.expired && p.path.length === 2)).toBe(true);
        }
      }
    });

    it('a dynamic (Script) role is flagged and who-can says so', async () => {
      const script = tenant.identity.roles.find((r) => r.roleType === 'Script');
      expect(script).toBeDefined();
      const roles = await new QueryEngine(h.store).listAssets({ type: 'roles', search: script!.name });
      const node = roles.items.find((r) => r.name === script!.name)!;
      expect(node.members_unknown).toBe(true);
      for (const safe of tenant.privilegeCloud.safes.slice(0, sample)) {
        const r = await new QueryEngine(h.store).whoCan('listAccounts', safe.name);
        const flagged = r.principals.some((p) => p.type === 'CyberArkRole' && p.name === script!.name);
        expect(r.warnings.some((w) => w.includes(script!.name))).toBe(flagged);
      }
    });
  });
}
