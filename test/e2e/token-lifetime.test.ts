/**
 * Platform tokens live 900 s on real tenants (issue 14, item 7): a large sync outlives several of them. Here the
 * simulator's tokens live 2 s and every request takes a little while, so one sync spans several lifetimes; it must
 * renew ahead of expiry (and on a 401, should one slip through) and end complete, with the same answer as a sync
 * under long-lived tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { CyberArkOracle } from '../oracle/cyberark.js';
import { type Harness, startHarness } from './helpers.js';

const tenant = generateTenant('small', 15);

describe('a sync that outlives its tokens', () => {
  let h: Harness;
  const now = Date.now();
  beforeAll(async () => {
    h = await startHarness(tenant, { tokenTtlSeconds: 2, latency: { fixedMs: 100 } });
  });
  afterAll(async () => h?.close());

  it('renews the token several times and completes with the oracle’s answers', async () => {
    const run = await h.sync(
      { http: { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000, concurrency: 1 } },
      now,
    );
    expect(run.status).toBe('completed');
    // Each token request is one lifetime (renewed at half-life when it is this short): several, not one.
    expect(h.sim.counters.get('POST /oauth2/platformtoken')).toBeGreaterThanOrEqual(3);
    const oracle = new CyberArkOracle(tenant, now);
    for (const safe of tenant.privilegeCloud.safes.slice(0, 10)) {
      const answer = await new QueryEngine(h.store).whoCan('retrieveAccounts', safe.name);
      const got = answer.principals.map((p) => `${p.type}:${p.type === 'CyberArkUser' ? p.login_name : p.name}`);
      expect(got.sort(), safe.name).toEqual([...oracle.whoCan('retrieveAccounts', safe.name)].sort());
    }
  }, 120_000);
});
