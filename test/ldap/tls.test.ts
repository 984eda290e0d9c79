/** ldaps:// and StartTLS against a real slapd with a fresh self-signed certificate for 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/http/errors.js';
import { extractActiveDirectory } from '../../src/sources/activedirectory/extract.js';
import type { ActiveDirectoryConfig } from '../../src/sources/activedirectory/settings.js';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { type Slapd, slapdAvailability, startSlapd } from '../support/slapd.js';
import { BIND_DN, BIND_PASSWORD, fixtureSection } from './fixture.js';

const availability = slapdAvailability({ tls: true });
const section = fixtureSection();

describe.skipIf(!availability.available)('Active Directory over TLS (real slapd)', () => {
  let server: Slapd;
  let base: ActiveDirectoryConfig;

  beforeAll(async () => {
    server = await startSlapd({
      ldif: activeDirectoryLdif(section),
      baseDn: section.baseDn,
      bindDn: section.bindDn,
      bindPassword: section.bindPassword,
      tls: true,
    });
    base = { url: server.ldapsUrl!, bindDn: BIND_DN, bindPassword: BIND_PASSWORD, baseDn: section.baseDn };
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('ldaps:// with the CA file reads the directory', async () => {
    const raw = await extractActiveDirectory({ ...base, tlsCaFile: server.caFile! });
    expect(raw.users).toHaveLength(section.users.length);
    expect(raw.groups).toHaveLength(section.groups.length);
    expect(raw.url).toBe(server.ldapsUrl);
  });

  it('ldap:// + StartTLS with the CA file reads the directory', async () => {
    const raw = await extractActiveDirectory({ ...base, url: server.url, startTls: true, caFile: server.caFile! });
    expect(raw.users).toHaveLength(section.users.length);
  });

  it('an untrusted certificate fails the TLS handshake with a hint, never sending the password', async () => {
    for (const config of [base, { ...base, url: server.url, startTls: true }]) {
      const error = await extractActiveDirectory(config).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      const e = error as SourceError;
      expect(e.kind).toBe('network');
      expect(e.endpoint).toMatch(/^tls ldaps?:\/\/127\.0\.0\.1:\d+$/);
      expect(e.message).toMatch(/TLS handshake failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
      expect(e.message).toContain('tlsCaFile (ARKGRAPH_LDAP_CA_FILE)');
      expect(e.message).not.toContain(BIND_PASSWORD);
    }
  });
});
