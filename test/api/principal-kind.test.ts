/**
 * The access-review export tells service users apart (issue 14, item 1): before, every user was Human, so
 * `principal_kind` was never `non-human`. Service users and OAuth clients now are, and everyone else is `human`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

const tenant = generateTenant('small', 19);
const service = new Set(tenant.identity.users.filter((u) => u.serviceUser || u.oauthClient).map((u) => u.username));

describe('access-review export: principal_kind', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ tenant });
  });
  afterAll(async () => h?.close());

  it('is non-human exactly for service users and OAuth clients', async () => {
    const r = await h.get('/api/v1/exports/access-review?scope=all&format=json', 'reviewer');
    expect(r.statusCode).toBe(200);
    const rows = (JSON.parse(r.body) as Record<string, unknown>[]).filter(
      (row) => row.principal_type === 'CyberArkUser',
    );
    const kinds = new Map<string, unknown>();
    for (const row of rows) kinds.set(row.principal_login as string, row.principal_kind);
    expect([...kinds.values()]).toContain('non-human');
    for (const [login, kind] of kinds) expect(kind, login).toBe(service.has(login) ? 'non-human' : 'human');
  });
});
