/**
 * A generated tenant's `activeDirectory` section (DN spelling variants, escaped characters, nesting, a cycle,
 * disabled accounts) through LDIF → real slapd (AD's default size limit of 1000) → extractor with its default page
 * size → transform: every object and membership of the tenant file comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDn } from '../../src/graph/dn.js';
import { extractActiveDirectory } from '../../src/sources/activedirectory/extract.js';
import { transformActiveDirectory } from '../../src/sources/activedirectory/transform.js';
import type { SourceOutput } from '../../src/sources/output.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { type Slapd, slapdAvailability, startSlapd } from '../support/slapd.js';
import { expectedMemberships } from './fixture.js';

const availability = slapdAvailability();

describe.skipIf(!availability.available)('a generated tenant through a real slapd', () => {
  const section = generateTenant('small', 11).activeDirectory!;
  let server: Slapd;
  let out: SourceOutput;

  beforeAll(async () => {
    server = await startSlapd({
      ldif: activeDirectoryLdif(section),
      baseDn: section.baseDn,
      bindDn: section.bindDn,
      bindPassword: section.bindPassword,
    });
    const raw = await extractActiveDirectory({
      url: server.url,
      bindDn: section.bindDn,
      bindPassword: section.bindPassword,
      baseDn: section.baseDn,
      domain: section.domain,
    });
    out = transformActiveDirectory(raw);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('every user and group comes back under its normalised DN and GUID', () => {
    expect(out.tenantId).toBe(section.domain);
    const byGuid = new Map(out.nodes.map((n) => [n.nativeId, n]));
    for (const u of section.users) {
      const n = byGuid.get(u.objectGUID.toLowerCase());
      expect(n?.kind, u.dn).toBe('ADUser');
      expect(n!.props).toMatchObject({
        dn_normalized: normalizeDn(u.dn),
        object_sid: u.objectSid,
        enabled: !u.disabled,
        last_logon_at: u.lastLogonTimestamp === null ? null : new Date(u.lastLogonTimestamp).toISOString(),
      });
    }
    for (const g of section.groups)
      expect(byGuid.get(g.objectGUID.toLowerCase())?.props.dn_normalized).toBe(normalizeDn(g.dn));
    expect(out.nodes.filter((n) => n.kind === 'ADUser')).toHaveLength(section.users.length);
    expect(out.nodes.filter((n) => n.kind === 'ADGroup')).toHaveLength(section.groups.length);
  });

  it('memberships match the tenant file, with no warnings', () => {
    const got = new Set(
      out.edges.filter((e) => e.kind === 'MEMBER_OF').map((e) => `${e.from.id.split(':')[1]}|${e.to.id.split(':')[1]}`),
    );
    expect(got).toEqual(expectedMemberships(section));
    expect(out.warnings).toEqual([]);
  });
});
