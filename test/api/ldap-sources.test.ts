/**
 * POST /sources/test against Active Directory (a real slapd with the generated tenant's directory): bind, one user,
 * one group; a rejected bind password is reported without being echoed. Skipped when slapd is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSources } from '../../src/api/source-test.js';
import { loadConfig } from '../../src/config/config.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { type Slapd, slapdAvailability, startSlapd } from '../support/slapd.js';

const availability = slapdAvailability();

describe.skipIf(!availability.available)('POST /sources/test with Active Directory', () => {
  const ad = generateTenant('small', 51).activeDirectory!;
  let slapd: Slapd;

  beforeAll(async () => {
    slapd = await startSlapd({
      ldif: activeDirectoryLdif(ad),
      baseDn: ad.baseDn,
      bindDn: ad.bindDn,
      bindPassword: ad.bindPassword,
    });
  }, 120_000);
  afterAll(async () => {
    await slapd?.stop();
  });

  const configWith = (password: string) =>
    loadConfig({
      cwd: '/',
      env: {
        ARKGRAPH_LDAP_URL: slapd.url,
        ARKGRAPH_LDAP_BIND_DN: ad.bindDn,
        ARKGRAPH_LDAP_BIND_PASSWORD: password,
        ARKGRAPH_LDAP_BASE_DN: ad.baseDn,
      },
    });

  it('binds and reads one user and one group', async () => {
    const r = await testSources(await configWith(ad.bindPassword));
    expect(r.sources.activedirectory).toEqual({
      ok: true,
      checks: [
        { name: 'configuration', ok: true },
        { name: `bind ${ad.bindDn}`, ok: true },
        { name: 'search users (1 entry)', ok: true },
        { name: 'search groups (1 entry)', ok: true },
      ],
    });
    expect(r.ok).toBe(true);
  });

  it('reports a rejected bind password without echoing it', async () => {
    const wrong = 'Not-The-Bind-Password-42';
    const r = await testSources(await configWith(wrong));
    expect(JSON.stringify(r)).not.toContain(wrong);
    const bind = r.sources.activedirectory!.checks[1]!;
    expect(bind).toMatchObject({
      name: `bind ${ad.bindDn}`,
      ok: false,
      error: expect.stringMatching(/invalid credentials/),
    });
    expect(r.sources.activedirectory!.checks[2]!.error).toMatch(/skipped/);
  });
});
