/**
 * Names as tenants hold them (issue 15, item 9): a safe whose name starts with a tab is found by that very name, a
 * name pasted with spaces around it is still found, and a miss suggests the real name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { NotFoundError } from '../../src/queries/types.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type Harness, startHarness } from './helpers.js';

const tenant = generateTenant('small', 17);
const safe = tenant.privilegeCloud.safes.find((s) => s.members.length > 3 && !s.name.startsWith(' '))!;
const original = safe.name;
const tabbed = `\t${original}`;
safe.name = tabbed;
for (const a of tenant.privilegeCloud.accounts) if (a.safeName === original) a.safeName = tabbed;

describe('lookups by name', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(tenant);
    expect((await h.sync()).status).toBe('completed');
  });
  afterAll(async () => h?.close());

  it('finds a safe whose name starts with a tab, by that name and by its id', async () => {
    const answer = await new QueryEngine(h.store).safeAccess(tabbed);
    expect(answer.safe.name).toBe(tabbed);
    expect(answer.principals.length).toBeGreaterThan(0);
    const byId = await new QueryEngine(h.store).safeAccess(answer.safe.id);
    expect(byId.safe.name).toBe(tabbed);
  });

  it('finds a safe named with spaces around it, and suggests the tab-prefixed name for its trimmed form', async () => {
    const other = tenant.privilegeCloud.safes.find((s) => s !== safe)!;
    expect((await new QueryEngine(h.store).safeAccess(`  ${other.name} `)).safe.name).toBe(other.name);
    const miss = await new QueryEngine(h.store).safeAccess(original).catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(NotFoundError);
    expect((miss as NotFoundError).suggestions).toContain(tabbed);
  });

  it('an account asked for by a mistyped id suggests the real id (issue 15, item 9)', async () => {
    const account = tenant.privilegeCloud.accounts[0]!;
    const miss = await new QueryEngine(h.store).accountAccess(`${account.id}x`).catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(NotFoundError);
    expect((miss as NotFoundError).suggestions).toContain(account.id);
    expect((miss as Error).message).toContain(`did you mean: "${account.id}"`);
  });
});
