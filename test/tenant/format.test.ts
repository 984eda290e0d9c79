import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPath } from '../../src/graph/json-path.js';
import { loadTenantFile, parseTenant, TenantValidationError } from '../../src/tenant/format/index.js';

// biome-ignore lint/suspicious/noExplicitAny: test documents are deliberately loose and mutated freely
type Doc = Record<string, any>;

/** The smallest document the format accepts. */
function minimal(): Doc {
  return {
    formatVersion: 1,
    identity: {
      tenantId: 'ABC1234',
      directoryServices: [{ uuid: 'ds-cds', service: 'CDS', name: 'CDS', displayName: 'CyberArk Cloud Directory' }],
      users: [{ id: 'u-1', username: 'alice@example', displayName: 'Alice', directoryServiceUuid: 'ds-cds' }],
      roles: [{ id: 'sysadmin', name: 'System Administrator', members: [{ type: 'User', id: 'u-1' }] }],
      oauthClients: [{ clientId: 'reader@example', clientSecret: 's3cret' }],
    },
    privilegeCloud: {
      subdomain: 'acme',
      safes: [
        {
          name: 'Linux Prod',
          safeNumber: 35,
          creationTime: 1761318812,
          lastModificationTime: 1783472403842466,
          creator: { id: 'u-1', name: 'alice@example' },
          members: [
            { memberId: 'u-1', memberName: 'alice@example', memberType: 'User', permissions: ['listAccounts'] },
          ],
        },
      ],
    },
  };
}

/** Every problem's path, sorted (with repeats), from a document that must be rejected. */
function problemPaths(doc: unknown): string[] {
  try {
    parseTenant(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(TenantValidationError);
    return (error as TenantValidationError).problems.map((p) => p.path).sort();
  }
  throw new Error('document was accepted');
}

function problems(doc: unknown): { path: string; message: string }[] {
  try {
    parseTenant(doc);
  } catch (error) {
    return (error as TenantValidationError).problems;
  }
  throw new Error('document was accepted');
}

describe('parseTenant: valid documents', () => {
  it('accepts a minimal tenant and fills in the defaults', () => {
    const t = parseTenant(minimal());
    expect(t.name).toBe('tenant');
    expect(t.identity.groups).toEqual([]);
    expect(t.identity.applications).toEqual([]);
    expect(t.identity.directoryServices[0]!.status).toBe('Active');
    expect(t.identity.users[0]).toMatchObject({
      email: null,
      status: 'Active',
      enabled: true,
      locked: false,
      lastLogin: null,
      riskLevel: 'Normal',
      serviceUser: false,
      oauthClient: false,
      mobileNumber: null,
      securityQuestionCount: 0,
    });
    expect(t.identity.roles[0]).toMatchObject({
      description: null,
      roleType: 'PrincipalList',
      readOnly: false,
      isHidden: false,
      adminRights: [],
    });
    expect(t.identity.oauthClients[0]!.appIds).toEqual([]);
    expect(t.privilegeCloud.safes[0]).toMatchObject({
      description: '',
      location: '\\',
      managingCPM: 'PasswordManager',
      olacEnabled: false,
      numberOfVersionsRetention: null,
      numberOfDaysRetention: 7,
      autoPurgeEnabled: false,
    });
    expect(t.privilegeCloud.safes[0]!.members[0]).toMatchObject({
      membershipExpirationDate: null,
      isPredefinedUser: false,
      isReadOnly: false,
    });
    expect(t.privilegeCloud.accounts).toEqual([]);
    expect(t.privilegeCloud.vaultUsers).toEqual([]);
    expect(t.privilegeCloud.vaultGroups).toEqual([]);
    expect(t.privilegeCloud.pasLogins).toEqual([]);
    expect(t.entra).toBeUndefined();
    expect(t.activeDirectory).toBeUndefined();
  });

  it('accepts entra and activeDirectory sections and checks their references', () => {
    const doc = minimal();
    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    doc.entra = {
      tenantId: g(1),
      primaryDomain: 'corp.example',
      clients: [{ clientId: 'app', clientSecret: 's' }],
      users: [{ id: g(2), userPrincipalName: 'alice@corp.example', displayName: 'Alice' }],
      groups: [
        {
          id: g(3),
          displayName: 'PAM',
          members: [
            { type: 'user', id: g(2) },
            { type: 'group', id: g(9) },
          ],
        },
      ],
    };
    doc.activeDirectory = {
      domain: 'corp.example',
      baseDn: 'DC=corp,DC=example',
      bindDn: 'CN=reader,DC=corp,DC=example',
      bindPassword: 'p',
      users: [
        {
          dn: 'CN=Doe\\, Jane,OU=Users,DC=corp,DC=example',
          sAMAccountName: 'jdoe',
          objectGUID: g(4),
          objectSid: 'S-1-5-21-1-2-3-1104',
        },
      ],
      groups: [
        {
          dn: 'CN=PAM,OU=Groups,DC=corp,DC=example',
          sAMAccountName: 'PAM',
          cn: 'PAM',
          objectGUID: g(5),
          objectSid: 'S-1-5-21-1-2-3-1105',
          members: ['cn=doe\\, jane,ou=users,dc=corp,dc=example', 'CN=Nobody,DC=corp,DC=example'],
        },
      ],
    };
    expect(problemPaths(doc)).toEqual(['$.activeDirectory.groups[0].members[1]', '$.entra.groups[0].members[1].id']);
    doc.entra.groups[0].members.pop();
    doc.activeDirectory.groups[0].members.pop();
    const t = parseTenant(doc);
    expect(t.entra!.users[0]!.accountEnabled).toBe(true);
    expect(t.activeDirectory!.users[0]!.disabled).toBe(false);
  });

  it('accepts 64 members on a safe, the 28-character safe name limit and every permission key', () => {
    const doc = minimal();
    const safe = doc.privilegeCloud.safes[0];
    safe.name = 'x'.repeat(28);
    safe.members = Array.from({ length: 64 }, (_, i) => ({
      memberId: String(i),
      memberName: `member ${i}`,
      memberType: 'User',
      permissions: i === 0 ? ['useAccounts', 'requestsAuthorizationLevel2'] : [],
    }));
    doc.privilegeCloud.accounts = [{ id: '35_1', name: 'a', safeName: 'x'.repeat(28), createdTime: 1 }];
    expect(parseTenant(doc).privilegeCloud.safes[0]!.members).toHaveLength(64);
  });
});

describe('parseTenant: invalid documents report every problem with its JSON path', () => {
  it('wrong types, missing required fields, unknown keys and invalid permission keys', () => {
    const doc = minimal();
    doc.formatVersion = 2;
    doc.comment = 'not allowed';
    delete doc.identity.tenantId;
    doc.identity.users[0].enabled = 'yes';
    doc.identity.users[0].role = 'admin';
    doc.identity.users.push({ id: 'u-2', username: 'bob@example', directoryServiceUuid: 'ds-cds', lastLogin: 'x' });
    doc.identity.roles[0].roleType = 'Dynamic';
    doc.identity.roles[0].members[0].type = 'Person';
    doc.identity.oauthClients = [];
    doc.identity.applications = [{ id: 'a', name: 'A', displayName: 'A', acl: [{ principalType: 'Role' }] }];
    const safe = doc.privilegeCloud.safes[0];
    safe.name = 'This safe name is far too long';
    safe.safeNumber = '35';
    safe.members[0].memberType = 'user';
    safe.members[0].permissions = ['listAccounts', 'retrieveAccount'];
    doc.privilegeCloud.accounts = [{ id: '35_1', name: 'a', safeName: 'Linux Prod', secretType: 'certificate' }];
    doc.privilegeCloud.vaultUsers = [{ id: '12', username: 'Master' }];

    expect(problemPaths(doc)).toEqual(
      [
        '$',
        '$.formatVersion',
        '$.identity.tenantId',
        '$.identity.users[0]',
        '$.identity.users[0].enabled',
        '$.identity.users[1].displayName',
        '$.identity.users[1].lastLogin',
        '$.identity.roles[0].roleType',
        '$.identity.roles[0].members[0].type',
        '$.identity.applications[0].acl[0].principalId',
        '$.identity.applications[0].acl[0].grant',
        '$.identity.oauthClients',
        '$.privilegeCloud.safes[0].name',
        '$.privilegeCloud.safes[0].safeNumber',
        '$.privilegeCloud.safes[0].members[0].memberType',
        '$.privilegeCloud.safes[0].members[0].permissions[1]',
        '$.privilegeCloud.accounts[0].secretType',
        '$.privilegeCloud.accounts[0].createdTime',
        // The only safe was renamed, so the account now names an unknown safe: reported alongside the shape problems.
        '$.privilegeCloud.accounts[0].safeName',
        '$.privilegeCloud.vaultUsers[0].id',
      ].sort(),
    );
    const all = problems(doc);
    // Unknown keys are reported at the enclosing object, naming the key.
    expect(all.find((p) => p.path === '$')!.message).toContain('"comment"');
    expect(all.find((p) => p.path === '$.identity.users[0]')!.message).toContain('"role"');
  });

  it('duplicates and dangling cross-references', () => {
    const doc = minimal();
    const id = doc.identity;
    id.directoryServices.push({ uuid: 'ds-cds', service: 'FDS', name: 'FDS', displayName: 'FDS' });
    id.users.push(
      { id: 'u-1', username: 'ALICE@example', displayName: 'Alice again', directoryServiceUuid: 'ds-cds' },
      { id: 'u-2', username: 'bob@example', displayName: 'Bob', directoryServiceUuid: 'ds-missing' },
    );
    id.groups = [
      { id: 'g-1', name: 'PAM-Admins@corp', displayName: 'PAM-Admins', directoryServiceUuid: 'ds-cds' },
      { id: 'g-1', name: 'Other@corp', displayName: 'Other', directoryServiceUuid: 'ds-cds' },
      { id: 'g-2', name: 'Third@corp', displayName: 'Third', directoryServiceUuid: 'ds-nope' },
    ];
    id.roles = [
      {
        id: 'r-1',
        name: 'Helpdesk',
        members: [
          { type: 'User', id: 'u-1' },
          { type: 'User', id: 'u-404' },
          { type: 'Group', id: 'g-404' },
          { type: 'Role', id: 'r-404' },
          { type: 'Group', id: 'g-1' },
        ],
      },
      { id: 'r-1', name: 'Helpdesk' },
      { id: 'everybody', name: 'Everybody', roleType: 'Everybody', members: [{ type: 'User', id: 'u-1' }] },
      { id: 'script', name: 'Dynamic', roleType: 'Script', scriptMembers: ['u-1', 'u-404'] },
    ];
    id.applications = [
      {
        id: 'app-1',
        name: 'App',
        displayName: 'App',
        acl: [
          { principalType: 'Role', principalId: 'r-404', grant: 128 },
          { principalType: 'User', principalId: 'u-2', grant: 2147483648 },
        ],
      },
      { id: 'app-1', name: 'App 2', displayName: 'App 2' },
    ];
    const pc = doc.privilegeCloud;
    const base = pc.safes[0];
    base.members = Array.from({ length: 65 }, (_, i) => ({
      memberId: String(i),
      memberName: `member ${i}`,
      memberType: 'User',
      permissions: ['listAccounts'],
    }));
    pc.safes.push({
      ...base,
      name: 'LINUX PROD',
      safeNumber: 36,
      members: [
        { memberId: '1', memberName: 'Bob', memberType: 'User', permissions: [] },
        { memberId: '2', memberName: 'bob', memberType: 'Group', permissions: [] },
      ],
    });
    pc.accounts = [
      { id: '35_1', name: 'a', safeName: 'Linux Prod', createdTime: 1 },
      { id: '35_1', name: 'b', safeName: 'Linux Prod', createdTime: 1 },
      { id: '35_2', name: 'c', safeName: 'Nope', createdTime: 1 },
    ];

    expect(problemPaths(doc)).toEqual(
      [
        '$.identity.directoryServices[1]',
        '$.identity.users[1]', // duplicate id
        '$.identity.users[1]', // duplicate username (case-insensitive)
        '$.identity.users[2].directoryServiceUuid',
        '$.identity.groups[1]',
        '$.identity.groups[2].directoryServiceUuid',
        '$.identity.roles[1]', // duplicate id
        '$.identity.roles[1]', // duplicate name
        '$.identity.roles[0].members[1].id',
        '$.identity.roles[0].members[2].id',
        '$.identity.roles[0].members[3].id',
        '$.identity.roles[2].members',
        '$.identity.roles[3].scriptMembers[1]',
        '$.identity.applications[1]',
        '$.identity.applications[0].acl[0].principalId',
        '$.privilegeCloud.safes[1]',
        '$.privilegeCloud.safes[0].members',
        '$.privilegeCloud.safes[1].members[1]',
        '$.privilegeCloud.accounts[1]',
        '$.privilegeCloud.accounts[2].safeName',
      ].sort(),
    );
    const byPath = (path: string) =>
      problems(doc)
        .filter((p) => p.path === path)
        .map((p) => p.message);
    expect(byPath('$.identity.users[1]')).toEqual([
      'duplicate user id "u-1" (first at index 0)',
      'duplicate username "alice@example" (first at index 0)',
    ]);
    expect(byPath('$.identity.roles[0].members[3].id')).toEqual(['unknown role "r-404"']);
    expect(byPath('$.privilegeCloud.safes[0].members')).toEqual(['a safe holds at most 64 members (has 65)']);
    expect(byPath('$.privilegeCloud.safes[1]')).toEqual(['duplicate safe name "linux prod" (first at index 0)']);
    expect(byPath('$.privilegeCloud.accounts[2].safeName')).toEqual(['unknown safe "Nope"']);
  });

  // Cross-reference checks also run on a document with shape problems, so every problem is reported at once.
  it('reports shape problems and cross-reference problems together', () => {
    const doc = minimal();
    doc.identity.users[0].enabled = 'yes';
    doc.identity.users.push({ ...doc.identity.users[0], enabled: true });
    expect(problemPaths(doc)).toEqual(['$.identity.users[0].enabled', '$.identity.users[1]', '$.identity.users[1]']);
  });

  it('rejects documents that are not objects', () => {
    expect(problemPaths(null)).toEqual(['$']);
    expect(problemPaths([])).toEqual(['$']);
    expect(problemPaths('tenant')).toEqual(['$']);
  });

  it('names the file and lists the problems in the error message', () => {
    const doc = minimal();
    doc.identity.users[0].enabled = 'yes';
    doc.privilegeCloud.safes[0].safeNumber = 'x';
    try {
      parseTenant(doc, 'tenants/acme.json');
      expect.unreachable();
    } catch (error) {
      const e = error as TenantValidationError;
      expect(e.file).toBe('tenants/acme.json');
      expect(e.message).toContain('invalid tenant file tenants/acme.json: 2 problem(s)');
      expect(e.message).toContain('  $.identity.users[0].enabled: ');
      expect(e.message).toContain('  $.privilegeCloud.safes[0].safeNumber: ');
    }
  });

  it('caps the message at 50 problems but keeps them all in `problems`', () => {
    const doc = minimal();
    doc.identity.users = Array.from({ length: 60 }, (_, i) => ({
      id: `u-${i}`,
      username: `user${i}`,
      displayName: 7,
      directoryServiceUuid: 'ds-cds',
    }));
    try {
      parseTenant(doc);
      expect.unreachable();
    } catch (error) {
      const e = error as TenantValidationError;
      expect(e.problems).toHaveLength(60);
      expect(e.problems[59]!.path).toBe('$.identity.users[59].displayName');
      expect(e.message).toContain('… and 10 more');
    }
  });
});

describe('jsonPath', () => {
  it('formats zod paths as $.a.b[3].c', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['identity', 'users', 3, 'id'])).toBe('$.identity.users[3].id');
  });
});

describe('loadTenantFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arkgraph-tenant-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and validates a JSON file', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(minimal()));
    const t = await loadTenantFile(file);
    expect(t.identity.users[0]!.username).toBe('alice@example');
  });

  it('rejects a file that is not JSON with an error naming the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "formatVersion": 1, oops');
    const error = await loadTenantFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantValidationError);
    const e = error as TenantValidationError;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.path).toBe('$');
    expect(e.problems[0]!.message).toMatch(/^not valid JSON: /);
  });

  it('rejects an invalid document with the file name and every JSON path', async () => {
    const file = join(dir, 'invalid.json');
    const doc = minimal();
    doc.identity.users[0].locked = 'no';
    doc.privilegeCloud.safes[0].members[0].permissions = ['fly'];
    await writeFile(file, JSON.stringify(doc));
    const error = (await loadTenantFile(file).catch((e: unknown) => e)) as TenantValidationError;
    expect(error).toBeInstanceOf(TenantValidationError);
    expect(error.message).toContain(`invalid tenant file ${file}`);
    expect(error.problems.map((p) => p.path)).toEqual([
      '$.identity.users[0].locked',
      '$.privilegeCloud.safes[0].members[0].permissions[0]',
    ]);
  });

  it('fails on a missing file', async () => {
    await expect(loadTenantFile(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('docs/tenant-format.md', () => {
  let doc: string;
  beforeAll(async () => {
    doc = await readFile(new URL('../../docs/tenant-format.md', import.meta.url), 'utf8');
  });
  const jsonBlocks = (text: string) => [...text.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!));

  it('shows a smallest valid file that parses', () => {
    const quickStart = doc.slice(doc.indexOf('## Quick start'), doc.indexOf('## Conventions'));
    const [minimalDoc] = jsonBlocks(quickStart);
    expect(parseTenant(minimalDoc).identity.users).toHaveLength(1);
  });

  it('has a complete example that parses and shows the documented features', () => {
    const [example] = jsonBlocks(doc.slice(doc.indexOf('## Complete example')));
    const t = parseTenant(example);
    expect(t.identity.directoryServices.map((d) => d.service)).toEqual(['CDS', 'AdProxy', 'FDS']);
    expect(t.identity.roles.map((r) => r.roleType)).toEqual(
      expect.arrayContaining(['PrincipalList', 'Everybody', 'Script']),
    );
    const members = t.privilegeCloud.safes[0]!.members;
    expect(members.some((m) => m.isPredefinedUser)).toBe(true);
    expect(members.some((m) => m.memberType === 'Group' && m.memberId === 'Privilege_Cloud_Admins_ID')).toBe(true);
    expect(members.some((m) => m.membershipExpirationDate !== null)).toBe(true);
    expect(t.privilegeCloud.accounts).toHaveLength(2);
    expect(t.privilegeCloud.pasLogins).toHaveLength(1);
  });
});
