/**
 * The Active Directory extractor against a real OpenLDAP slapd (test/support/slapd.ts) loaded with the fixture's
 * LDIF: paged searches under an AD-like size limit, binary objectGUID/objectSid, userAccountControl,
 * lastLogonTimestamp, memberOf maintained by the memberof overlay, DNs returned in OpenLDAP's own spelling.
 */
import net from 'node:net';
import { Client, SizeLimitExceededError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeDn } from '../../src/graph/dn.js';
import type { GraphNode } from '../../src/graph/schema.js';
import { validateEdge, validateNode } from '../../src/graph/validate.js';
import { SourceError } from '../../src/http/errors.js';
import { guidToBytes, sidToBytes } from '../../src/sources/activedirectory/convert.js';
import { extractActiveDirectory } from '../../src/sources/activedirectory/extract.js';
import { type ActiveDirectoryRaw, USER_FILTER } from '../../src/sources/activedirectory/schemas.js';
import type { ActiveDirectoryConfig } from '../../src/sources/activedirectory/settings.js';
import { transformActiveDirectory } from '../../src/sources/activedirectory/transform.js';
import type { SourceOutput } from '../../src/sources/output.js';
import type { ProgressEvent } from '../../src/sources/source.js';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { type Slapd, slapdAvailability, startSlapd } from '../support/slapd.js';
import { BIND_DN, BIND_PASSWORD, expectedMemberships, fixtureTenant, SIZE_LIMIT } from './fixture.js';

const availability = slapdAvailability();

const tenant = fixtureTenant();
const section = tenant.activeDirectory!;
const FOREIGN = 'CN=S-1-5-21-999-888-777-1105,CN=ForeignSecurityPrincipals,DC=corp,DC=example';
const PAGE_SIZE = 8;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error('expected a SourceError');
}

describe.skipIf(!availability.available)('Active Directory extraction from a real slapd', () => {
  let server: Slapd;
  let config: ActiveDirectoryConfig;
  let raw: ActiveDirectoryRaw;
  let out: SourceOutput;
  const events: ProgressEvent[] = [];

  beforeAll(async () => {
    // A foreign security principal in a group: a member DN with no user or group behind it.
    const ldif = `${activeDirectoryLdif(section)}
dn: CN=Engineering,OU=Groups,DC=corp,DC=example
changetype: modify
add: member
member: ${FOREIGN}
-
`;
    server = await startSlapd({
      ldif,
      baseDn: section.baseDn,
      bindDn: section.bindDn,
      bindPassword: section.bindPassword,
      sizeLimit: SIZE_LIMIT,
    });
    config = {
      url: server.url,
      bindDn: BIND_DN,
      bindPassword: BIND_PASSWORD,
      baseDn: section.baseDn,
      pageSize: PAGE_SIZE,
    };
    raw = await extractActiveDirectory(config, { progress: (e) => events.push(e) });
    out = transformActiveDirectory(raw);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('starts quickly and is stopped by PID', () => {
    expect(server.timings.loadedMs).toBeLessThan(10_000);
    expect(() => process.kill(server.pid, 0)).not.toThrow();
  });

  it('paging matters: an unpaged search stops at the size limit, the extractor read several pages', async () => {
    const client = new Client({ url: server.url });
    try {
      await client.bind(BIND_DN, BIND_PASSWORD);
      await expect(client.search(section.baseDn, { filter: USER_FILTER, attributes: ['cn'] })).rejects.toBeInstanceOf(
        SizeLimitExceededError,
      );
    } finally {
      await client.unbind();
    }
    expect(section.users.length).toBeGreaterThan(SIZE_LIMIT);
    expect(raw.stats.userPages).toBe(Math.ceil(section.users.length / PAGE_SIZE));
    expect(raw.stats.groupPages).toBe(Math.ceil(section.groups.length / PAGE_SIZE));
    const userProgress = events.filter((e) => e.type === 'progress' && e.phase === 'users');
    expect(userProgress.map((e) => (e.type === 'progress' ? e.done : 0))).toEqual([8, 16, 24, 30]);
    expect(events.filter((e) => e.type === 'phase').map((e) => e.phase)).toEqual(['bind', 'users', 'groups']);
  });

  it('reads exactly the fixture users (not the bind account), with every attribute converted', () => {
    const users = out.nodes.filter((n) => n.kind === 'ADUser');
    expect(users).toHaveLength(section.users.length);
    const byGuid = new Map(users.map((n) => [n.nativeId, n]));
    for (const u of section.users) {
      const node = byGuid.get(u.objectGUID);
      expect(node, u.dn).toBeDefined();
      expect(node!.id).toBe(`corp.example:${u.objectGUID}`);
      expect(node!.tenantId).toBe('corp.example');
      expect(node!.props).toEqual({
        distinguished_name: expect.any(String),
        dn_normalized: normalizeDn(u.dn),
        sam_account_name: u.sAMAccountName,
        user_principal_name: u.userPrincipalName,
        display_name: u.displayName,
        mail: u.mail,
        object_guid: u.objectGUID,
        object_sid: u.objectSid,
        enabled: !u.disabled,
        last_logon_at: u.lastLogonTimestamp,
      });
      // distinguished_name is the server's spelling (OpenLDAP re-escapes), equal under normalisation
      expect(normalizeDn(node!.props.distinguished_name as string)).toBe(normalizeDn(u.dn));
    }
    expect(users.filter((n) => n.props.enabled === false)).toHaveLength(section.users.filter((u) => u.disabled).length);
    expect(users.some((n) => n.props.sam_account_name === 'svc-arkgraph')).toBe(false);
  });

  it('keeps the DN as the server returned it: OpenLDAP spells the escaped comma \\2C', () => {
    const smith = out.nodes.find((n) => n.props.sam_account_name === 'jsmith')!;
    expect(smith.props.distinguished_name).toBe('cn=Smith\\2C John,ou=Users,dc=corp,dc=example');
    expect(smith.props.dn_normalized).toBe('cn=smith\\, john,ou=users,dc=corp,dc=example');
    const renee = out.nodes.find((n) => n.props.sam_account_name === 'rfrancois')!;
    expect(renee.props.dn_normalized).toBe('cn=renée françois,ou=users,dc=corp,dc=example');
    const fan = out.nodes.find((n) => n.props.sam_account_name === 'fan1')!;
    expect(fan.props.dn_normalized).toBe('cn=\\#1 fan,ou=users,dc=corp,dc=example');
  });

  it('binary objectGUID and objectSid arrive as bytes in AD order and decode to the fixture values', () => {
    const alice = section.users[0]!;
    const rawAlice = raw.users.find((u) => u.sAMAccountName === 'alice')!;
    expect(Buffer.isBuffer(rawAlice.objectGUID)).toBe(true);
    expect(rawAlice.objectGUID.equals(guidToBytes(alice.objectGUID))).toBe(true);
    expect(rawAlice.objectSid!.equals(sidToBytes(alice.objectSid))).toBe(true);
    // the first three GUID fields are little-endian on the wire
    expect(rawAlice.objectGUID.subarray(0, 4).toString('hex')).toBe(
      Buffer.from(alice.objectGUID.slice(0, 8), 'hex').reverse().toString('hex'),
    );
  });

  it('userAccountControl and lastLogonTimestamp are read as AD writes them', () => {
    for (const u of section.users) {
      const r = raw.users.find((x) => x.sAMAccountName === u.sAMAccountName)!;
      expect(r.userAccountControl).toBe(u.disabled ? '514' : '512');
      if (u.lastLogonTimestamp === null) expect(r.lastLogonTimestamp).toBeNull();
      else
        expect(BigInt(r.lastLogonTimestamp!)).toBe(
          (BigInt(Date.parse(u.lastLogonTimestamp)) + 11644473600000n) * 10000n,
        );
    }
  });

  it('reads exactly the fixture groups', () => {
    const groups = out.nodes.filter((n) => n.kind === 'ADGroup');
    expect(groups).toHaveLength(section.groups.length);
    for (const g of section.groups) {
      const node = groups.find((n) => n.nativeId === g.objectGUID)!;
      expect(node.props).toMatchObject({
        dn_normalized: normalizeDn(g.dn),
        sam_account_name: g.sAMAccountName,
        name: g.cn,
        object_guid: g.objectGUID,
        object_sid: g.objectSid,
        group_type: g.groupType,
      });
    }
  });

  it('MEMBER_OF edges are exactly the fixture memberships, nesting and the cycle included', () => {
    const got = new Set(
      out.edges.filter((e) => e.kind === 'MEMBER_OF').map((e) => `${e.from.id.split(':')[1]}|${e.to.id.split(':')[1]}`),
    );
    expect(got).toEqual(expectedMemberships(section));
    const big = section.groups.find((g) => g.sAMAccountName === 'All Staff')!;
    expect(big.members.length).toBeGreaterThan(SIZE_LIMIT);
    expect(raw.groups.find((g) => g.sAMAccountName === 'All Staff')!.member).toHaveLength(big.members.length);
  });

  it('memberOf written by the overlay agrees with member: no cross-check warnings', () => {
    const alice = raw.users.find((u) => u.sAMAccountName === 'alice')!;
    expect(alice.memberOf.map(normalizeDn)).toEqual([normalizeDn('CN=Engineering,OU=Groups,DC=corp,DC=example')]);
    const cycleA = raw.groups.find((g) => g.sAMAccountName === 'Cycle A')!;
    expect(cycleA.memberOf.map(normalizeDn)).toEqual([normalizeDn('CN=Cycle B,OU=Groups,DC=corp,DC=example')]);
    expect(out.warnings.filter((w) => w.includes('memberOf'))).toEqual([]);
  });

  it('a foreign security principal in a group is skipped with one warning', () => {
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatch(/^member cn=S-1-5-21-999-888-777-1105,cn=ForeignSecurityPrincipals/i);
    expect(out.warnings[0]).toContain('foreign security principal');
    expect(out.warnings[0]).toMatch(/Engineering/i);
  });

  it('every row satisfies the graph schema; one domain node owns the users and groups', () => {
    for (const n of out.nodes) validateNode(n);
    for (const e of out.edges) validateEdge(e);
    expect(out.source).toBe('activedirectory');
    expect(out.tenantId).toBe('corp.example');
    const domain = out.nodes.find((n) => n.kind === 'ADDomain') as GraphNode;
    expect(domain.props).toEqual({ name: 'corp.example', base_dn: section.baseDn, url: server.url });
    const owned = out.nodes.filter((n) => n.kind !== 'ADDomain').length;
    expect(out.edges.filter((e) => e.kind === 'IN_TENANT')).toHaveLength(owned);
  });

  it('a wrong bind password fails with an auth SourceError naming the bind DN, never the password', async () => {
    const wrong = 'Wrong-Passw0rd-42!';
    const error = await failure(extractActiveDirectory({ ...config, bindPassword: wrong }));
    expect(error.source).toBe('activedirectory');
    expect(error.kind).toBe('auth');
    expect(error.endpoint).toBe(`bind ${BIND_DN}`);
    expect(error.message).toMatch(/^activedirectory: bind CN=svc-arkgraph,OU=Service Accounts,DC=corp,DC=example: /);
    expect(error.message).toContain('invalid credentials (LDAP result 49)');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(BIND_PASSWORD);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(wrong);
  });

  it('an unknown bind DN fails the same way', async () => {
    const error = await failure(extractActiveDirectory({ ...config, bindDn: 'CN=nobody,OU=Users,DC=corp,DC=example' }));
    expect(error.kind).toBe('auth');
    expect(error.endpoint).toBe('bind CN=nobody,OU=Users,DC=corp,DC=example');
  });

  it('an unreachable server fails with a network SourceError naming the URL', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await failure(extractActiveDirectory({ ...config, url: `ldap://127.0.0.1:${port}` }));
    expect(error.kind).toBe('network');
    expect(error.endpoint).toBe(`connect ldap://127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(BIND_PASSWORD);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a base DN that does not exist fails naming the search', async () => {
    const error = await failure(extractActiveDirectory({ ...config, baseDn: 'OU=Nowhere,DC=corp,DC=example' }));
    expect(error.kind).toBe('api');
    expect(error.endpoint).toBe(
      'search (&(objectCategory=person)(objectClass=user)) base OU=Nowhere,DC=corp,DC=example',
    );
    expect(error.message).toContain('no such object (LDAP result 32)');
  });

  it("a page size above the server's limit fails naming the search and the limit", async () => {
    const error = await failure(extractActiveDirectory({ ...config, pageSize: SIZE_LIMIT + 1 }));
    expect(error.endpoint).toBe(`search ${USER_FILTER} base ${section.baseDn}`);
    expect(error.message).toContain('administrative limit exceeded');
  });

  it('a search base inside the domain reads only that subtree; the domain still comes from the DC= parts', async () => {
    const sub = await extractActiveDirectory({ ...config, baseDn: 'OU=IT,DC=corp,DC=example' });
    expect(sub.domain).toBe('corp.example');
    expect(sub.users.map((u) => u.sAMAccountName)).toEqual(['admin.t0']);
    const subOut = transformActiveDirectory(sub);
    // Admin Tier0 is in Domain Admins (outside the base): memberOf names a group that was not read
    expect(subOut.warnings).toEqual([
      expect.stringMatching(/^memberOf cn=Domain Admins,cn=Users,dc=corp,dc=example of /i),
    ]);
  });
});
