import { beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/tenant/format/index.js';
import { generateTenant, SCALES } from '../../src/tenant/generate/index.js';
import { counts } from './scan.js';

// The large tenant is generated once for this file (a few seconds; see docs/tenant-format.md for timings).
describe('generateTenant(large)', () => {
  let t: Tenant;
  beforeAll(() => {
    t = generateTenant('large', 1);
  });

  it('has exactly the large counts', () => {
    expect(SCALES.large).toMatchObject({
      users: 100_000,
      groups: 20_000,
      roles: 2_000,
      safes: 10_000,
      memberships: 200_000,
      accounts: 500_000,
    });
    expect(counts(t)).toMatchObject({
      users: 100_000,
      groups: 20_000,
      roles: 2_000,
      safes: 10_000,
      memberships: 200_000,
      accounts: 500_000,
      applications: 500,
    });
    expect(t.privilegeCloud.safes.every((s) => s.members.length <= 64)).toBe(true);
  });
});
