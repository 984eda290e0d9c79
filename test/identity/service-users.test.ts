/**
 * Service users and the Everybody role (issue 14, item 1): service users and OAuth confidential clients are not in
 * Everybody, carry identity_type NonHuman, and the User table's security-question columns are read. The extractor
 * reads ServiceUser from the User table and, for a row without it (or a tenant whose table refuses the column),
 * from UserMgmt/GetUserAttributes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphNode } from '../../src/graph/schema.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { createIdentityClient, identityAuth } from '../../src/sources/identity/client.js';
import { extractIdentity } from '../../src/sources/identity/extract.js';
import type { IdentityRaw } from '../../src/sources/identity/schemas.js';
import { transformIdentity } from '../../src/sources/identity/transform.js';
import type { SourceOutput } from '../../src/sources/output.js';
import { generateTenant } from '../../src/tenant/generate/index.js';

const FAST_HTTP = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 } as const;
const tenant = generateTenant('small', 13);
const serviceLogins = new Set(
  tenant.identity.users.filter((u) => u.serviceUser || u.oauthClient).map((u) => u.username.toLowerCase()),
);

async function extract(sim: Simulator): Promise<IdentityRaw> {
  const settings = sim.syncSettings().identity;
  const client = createIdentityClient(settings, identityAuth(settings), FAST_HTTP);
  return extractIdentity(client, settings.identityUrl, { pageSize: 25 });
}

const users = (out: SourceOutput) => out.nodes.filter((n) => n.kind === 'CyberArkUser');
const everybodyMembers = (out: SourceOutput) => {
  const role = out.nodes.find((n) => n.kind === 'CyberArkRole' && n.props.role_type === 'Everybody')!;
  const byId = new Map(users(out).map((u) => [u.id, u]));
  return out.edges
    .filter((e) => e.kind === 'HAS_ROLE' && e.to.id === role.id)
    .map((e) => String(byId.get(e.from.id)!.props.login_name).toLowerCase());
};

function expectServiceUsersOutsideEverybody(out: SourceOutput) {
  const all = users(out);
  expect(serviceLogins.size).toBeGreaterThanOrEqual(2);
  const members = new Set(everybodyMembers(out));
  for (const u of all) {
    const login = String(u.props.login_name).toLowerCase();
    const service = serviceLogins.has(login);
    expect(members.has(login), login).toBe(!service);
    expect(u.props.identity_type, login).toBe(service ? 'NonHuman' : 'Human');
    expect(u.props.is_service_user, login).toBe(service);
    expect(u.props.in_everybody_role, login).toBe(!service);
  }
  expect(out.warnings.filter((w) => w.includes('service-user status'))).toEqual([]);
}

describe('over the simulator, variations on', () => {
  let sim: Simulator;
  let raw: IdentityRaw;
  beforeAll(async () => {
    sim = await startSimulator({ tenant });
    raw = await extract(sim);
  });
  afterAll(async () => sim?.close());

  it('service users and OAuth clients are outside Everybody and NonHuman; every other user is in it', () => {
    expectServiceUsersOutsideEverybody(transformIdentity(raw));
  });

  it('GetUserAttributes is asked only for the User rows that do not say ServiceUser', () => {
    const withoutColumn = raw.users.filter((u) => typeof u.ServiceUser !== 'boolean');
    expect(withoutColumn.length).toBeGreaterThan(0);
    expect(withoutColumn.length).toBeLessThan(raw.users.length / 4);
    expect(sim.counters.get('POST /UserMgmt/GetUserAttributes')).toBe(withoutColumn.length);
    for (const u of withoutColumn)
      expect(raw.userAttributes[u.ID.toLowerCase()]?.InEverybodyRole).toBeTypeOf('boolean');
  });

  it('security questions come from the User table', () => {
    const out = transformIdentity(raw);
    const byId = new Map(users(out).map((u) => [u.nativeId, u]));
    let checked = 0;
    for (const row of raw.users) {
      if (typeof row.SecurityQuestionCount !== 'number') continue;
      const source = tenant.identity.users.find((u) => u.id === row.ID)!;
      expect(byId.get(row.ID)!.props.security_question_count).toBe(source.securityQuestionCount);
      expect(byId.get(row.ID)!.props.security_question_set).toBe(source.securityQuestionCount > 0);
      checked++;
    }
    expect(checked).toBeGreaterThan(raw.users.length / 2);
    expect(tenant.identity.users.some((u) => u.securityQuestionCount > 0)).toBe(true);
  });
});

describe('a User table without the ServiceUser column', () => {
  let sim: Simulator;
  let raw: IdentityRaw;
  beforeAll(async () => {
    sim = await startSimulator({ tenant, legacyUserTable: true });
    raw = await extract(sim);
  });
  afterAll(async () => sim?.close());

  it('lists the users with the basic columns and reads every user’s attributes', () => {
    expect(raw.users).toHaveLength(tenant.identity.users.length);
    expect(raw.users.every((u) => u.ServiceUser === undefined)).toBe(true);
    expect(sim.counters.get('POST /UserMgmt/GetUserAttributes')).toBe(tenant.identity.users.length);
    expectServiceUsersOutsideEverybody(transformIdentity(raw));
  });
});

/** A hand-built raw answer: the smallest Identity tenant the transform accepts. */
function rawWith(parts: Partial<IdentityRaw>): IdentityRaw {
  return {
    identityUrl: 'https://abc1234.id.cyberark.cloud',
    directoryServices: [{ Service: 'CDS', Name: 'CDS', directoryServiceUuid: 'ds-cds' }],
    users: [],
    userAttributes: {},
    directoryUsers: [],
    directoryGroups: [],
    directoryRoles: [],
    roles: [],
    roleMembers: {},
    roleAdminRights: {},
    applications: [],
    applicationAces: {},
    ...parts,
  };
}

const human = { ID: 'u-1', Username: 'alice@corp.example', StatusEnum: 'Active', ServiceUser: false };
const service = { ID: 'u-2', Username: 'svc-backup@corp.example', StatusEnum: 'Active', ServiceUser: true };
const roleNode = (out: SourceOutput, id: string) =>
  out.nodes.find((n) => n.kind === 'CyberArkRole' && n.nativeId === id)!;
const holders = (out: SourceOutput, role: GraphNode) =>
  out.edges.filter((e) => e.kind === 'HAS_ROLE' && e.to.id === role.id).map((e) => e.from.id);

describe('transform', () => {
  it('recognises Everybody by RoleType, by its well-known id, or by name where no RoleType is given', () => {
    for (const row of [
      { ID: 'r-x', Name: 'Everybody', RoleType: 'Everybody' },
      { ID: 'everybody', Name: 'Everybody' },
      { ID: 'Everybody', Name: 'Alle' },
      { ID: 'a1b2', Name: 'Everybody' },
    ]) {
      const out = transformIdentity(rawWith({ users: [human, service], roles: [row] }));
      const role = roleNode(out, row.ID);
      expect(role.props.role_type, JSON.stringify(row)).toBe('Everybody');
      const alice = users(out).find((u) => u.nativeId === 'u-1')!;
      expect(holders(out, role), JSON.stringify(row)).toEqual([alice.id]);
    }
    // A role of another type named like it is not Everybody.
    const other = transformIdentity(
      rawWith({ users: [human], roles: [{ ID: 'r-y', Name: 'Everybody', RoleType: 'PrincipalList' }] }),
    );
    expect(roleNode(other, 'r-y').props.role_type).toBe('PrincipalList');
    expect(holders(other, roleNode(other, 'r-y'))).toEqual([]);
  });

  it('InEverybodyRole from GetUserAttributes is the tenant’s word; an OAuth client is a service user', () => {
    const out = transformIdentity(
      rawWith({
        users: [
          { ID: 'u-3', Username: 'robot@corp.example' },
          { ID: 'u-4', Username: 'oauth@corp.example' },
          { ID: 'u-5', Username: 'bob@corp.example' },
          { ID: 'u-7', Username: 'carol@corp.example' },
        ],
        userAttributes: {
          'u-3': { InEverybodyRole: false },
          'u-4': { OauthClient: true },
          'u-5': { InEverybodyRole: true },
          'u-7': { ServiceUser: false, InEverybodyRole: false },
        },
        roles: [{ ID: 'everybody', Name: 'Everybody', RoleType: 'Everybody' }],
      }),
    );
    const byNative = new Map(users(out).map((u) => [u.nativeId, u]));
    expect(byNative.get('u-3')!.props).toMatchObject({ identity_type: 'NonHuman', in_everybody_role: false });
    expect(byNative.get('u-4')!.props).toMatchObject({ identity_type: 'NonHuman', is_oauth_client: true });
    expect(byNative.get('u-5')!.props).toMatchObject({ identity_type: 'Human', in_everybody_role: true });
    // Attributes that contradict each other: ServiceUser says what the user is, InEverybodyRole who Everybody holds.
    expect(byNative.get('u-7')!.props).toMatchObject({ identity_type: 'Human', in_everybody_role: false });
    expect(holders(out, roleNode(out, 'everybody'))).toEqual([byNative.get('u-5')!.id]);
  });

  it('a user nothing told about is counted in Everybody, and the sync says so', () => {
    const out = transformIdentity(
      rawWith({
        users: [{ ID: 'u-6', Username: 'unknown@corp.example' }],
        roles: [{ ID: 'everybody', Name: 'Everybody', RoleType: 'Everybody' }],
      }),
    );
    const u = users(out)[0]!;
    expect(u.props.identity_type).toBeNull();
    expect(holders(out, roleNode(out, 'everybody'))).toEqual([u.id]);
    expect(out.warnings.join('\n')).toMatch(/1 user\(s\) whose service-user status .* unknown@corp\.example/);
  });

  it('a directory row without SystemName still completes its user, and a group without it is named by DisplayName', () => {
    const out = transformIdentity(
      rawWith({
        users: [{ ...human, DirectoryServiceUuid: 'ds-ad' }],
        directoryServices: [{ Service: 'AdProxy', Name: 'AdProxy_corp', directoryServiceUuid: 'ds-ad' }],
        directoryUsers: [{ InternalName: 'u-1', DistinguishedName: 'CN=Alice,OU=Users,DC=corp,DC=example' }],
        directoryGroups: [{ InternalName: 'g-1', DisplayName: 'PAM Admins', DirectoryServiceUuid: 'ds-ad' }],
      }),
    );
    expect(users(out)[0]!.props.distinguished_name).toBe('CN=Alice,OU=Users,DC=corp,DC=example');
    expect(out.nodes.find((n) => n.kind === 'CyberArkGroup')!.props.name).toBe('PAM Admins');
  });
});
