/** transformActiveDirectory on hand-made raw data: edge resolution, cross-checks, warnings, conversions. */
import { describe, expect, it } from 'vitest';
import { validateEdge, validateNode } from '../../src/graph/validate.js';
import { SourceError } from '../../src/http/errors.js';
import { guidToBytes, sidToBytes } from '../../src/sources/activedirectory/convert.js';
import type { ActiveDirectoryRaw, AdRawGroup, AdRawUser } from '../../src/sources/activedirectory/schemas.js';
import { transformActiveDirectory } from '../../src/sources/activedirectory/transform.js';
import { guidFor } from './fixture.js';

const SID = 'S-1-5-21-10-20-30';
const OU = 'OU=Users,DC=corp,DC=example';
const GOU = 'OU=Groups,DC=corp,DC=example';

function rawUser(name: string, extra: Partial<AdRawUser> = {}): AdRawUser {
  return {
    dn: `CN=${name},${OU}`,
    sAMAccountName: name.toLowerCase(),
    userPrincipalName: `${name.toLowerCase()}@corp.example`,
    displayName: name,
    mail: null,
    objectGUID: guidToBytes(guidFor(`u:${name}`)),
    objectSid: sidToBytes(`${SID}-${1000 + name.length}`),
    userAccountControl: '512',
    lastLogonTimestamp: null,
    primaryGroupID: null,
    memberOf: [],
    ...extra,
  };
}

function rawGroup(name: string, member: string[], extra: Partial<AdRawGroup> = {}): AdRawGroup {
  return {
    dn: `CN=${name},${GOU}`,
    sAMAccountName: name,
    cn: name,
    objectGUID: guidToBytes(guidFor(`g:${name}`)),
    objectSid: sidToBytes(`${SID}-${2000 + name.length}`),
    groupType: '-2147483646',
    member,
    memberOf: [],
    ...extra,
  };
}

function raw(users: AdRawUser[], groups: AdRawGroup[]): ActiveDirectoryRaw {
  return {
    domain: 'corp.example',
    baseDn: 'DC=corp,DC=example',
    url: 'ldaps://dc1.corp.example:636',
    users,
    groups,
    warnings: [],
    stats: { userPages: 1, groupPages: 1, rangeRequests: 0, references: 0 },
  };
}

const memberships = (out: ReturnType<typeof transformActiveDirectory>) =>
  out.edges
    .filter((e) => e.kind === 'MEMBER_OF')
    .map((e) => {
      const name = (id: string) => out.nodes.find((n) => n.id === id)!.props.sam_account_name;
      return `${name(e.from.id)} -> ${name(e.to.id)}`;
    })
    .sort();

describe('transformActiveDirectory', () => {
  it('resolves member DNs by normalised DN, whatever their spelling', () => {
    const out = transformActiveDirectory(
      raw(
        [rawUser('Alice'), rawUser('Bob', { dn: `CN=Smith\\, Bob,${OU}`, sAMAccountName: 'bob' })],
        [
          rawGroup('Ops', ['cn=alice, ou=users, dc=CORP, dc=example', 'CN=Smith\\2c Bob,OU=Users,DC=corp,DC=example']),
          rawGroup('All', ['cn=Ops,ou=Groups,dc=corp,dc=example']),
        ],
      ),
    );
    expect(memberships(out)).toEqual(['Ops -> All', 'alice -> Ops', 'bob -> Ops']);
    expect(out.warnings).toEqual([]);
    for (const n of out.nodes) validateNode(n);
    for (const e of out.edges) validateEdge(e);
  });

  it('node ids are <domain>:<objectGUID>; properties are converted', () => {
    const out = transformActiveDirectory(
      raw(
        [
          rawUser('Alice', {
            userAccountControl: '66050',
            lastLogonTimestamp: '133000000000000000',
          }),
          rawUser('Never', { userAccountControl: null, lastLogonTimestamp: '0', objectSid: null }),
        ],
        [rawGroup('Ops', [], { groupType: '2' })],
      ),
    );
    const alice = out.nodes.find((n) => n.props.sam_account_name === 'alice')!;
    expect(alice.id).toBe(`corp.example:${guidFor('u:Alice')}`);
    expect(alice.nativeId).toBe(guidFor('u:Alice'));
    expect(alice.props).toMatchObject({
      enabled: false,
      last_logon_at: '2022-06-18T04:26:40.000Z',
      object_sid: `${SID}-1005`,
      dn_normalized: 'cn=alice,ou=users,dc=corp,dc=example',
      distinguished_name: `CN=Alice,${OU}`,
    });
    const never = out.nodes.find((n) => n.props.sam_account_name === 'never')!;
    expect(never.props).toMatchObject({ enabled: null, last_logon_at: null, object_sid: null });
    expect(out.nodes.find((n) => n.kind === 'ADGroup')!.props.group_type).toBe(2);
    expect(out.nodes[0]).toEqual({
      kind: 'ADDomain',
      id: 'corp.example',
      nativeId: 'corp.example',
      tenantId: '',
      source: 'activedirectory',
      props: { name: 'corp.example', base_dn: 'DC=corp,DC=example', url: 'ldaps://dc1.corp.example:636' },
    });
  });

  it('unknown member DNs are skipped with one warning per DN, foreign security principals named as such', () => {
    const fsp = 'CN=S-1-5-21-9-9-9-1105,CN=ForeignSecurityPrincipals,DC=corp,DC=example';
    const contact = 'CN=Some Contact,OU=Contacts,DC=corp,DC=example';
    const out = transformActiveDirectory(
      raw([rawUser('Alice')], [rawGroup('Ops', [`CN=Alice,${OU}`, fsp, contact]), rawGroup('Dev', [fsp])]),
    );
    expect(memberships(out)).toEqual(['alice -> Ops']);
    expect(out.warnings).toEqual([
      `member ${fsp} of 2 groups, e.g. CN=Ops,${GOU} is a foreign security principal (an object of another domain or forest); skipped`,
      `member ${contact} of CN=Ops,${GOU} is not a user or group read under DC=corp,DC=example (a contact, computer, or an object of another domain); skipped`,
    ]);
  });

  it('caps the list of unknown DNs', () => {
    const unknown = Array.from({ length: 60 }, (_, i) => `CN=Computer ${i},OU=Computers,DC=corp,DC=example`);
    const out = transformActiveDirectory(raw([], [rawGroup('Ops', unknown)]));
    expect(out.warnings).toHaveLength(51);
    expect(out.warnings[50]).toBe('… and 10 more unresolved DNs of the same kind (skipped)');
  });

  it('invalid and self-referencing member DNs are skipped with a warning', () => {
    const out = transformActiveDirectory(raw([], [rawGroup('Ops', ['CN=broken,garbage', `CN=Ops,${GOU}`])]));
    expect(out.edges.filter((e) => e.kind === 'MEMBER_OF')).toEqual([]);
    expect(out.warnings).toEqual([
      `group CN=Ops,${GOU} lists itself as a member; skipped`,
      `member "CN=broken,garbage" of CN=Ops,${GOU} is not a valid DN; skipped`,
    ]);
  });

  it('memberOf is a cross-check: a membership only memberOf states is kept with a warning', () => {
    const out = transformActiveDirectory(
      raw(
        [rawUser('Alice', { memberOf: [`CN=Ops,${GOU}`, `cn=dev,${GOU}`, 'CN=Remote,DC=other,DC=example'] })],
        [rawGroup('Ops', [`CN=Alice,${OU}`]), rawGroup('Dev', [])],
      ),
    );
    expect(memberships(out)).toEqual(['alice -> Dev', 'alice -> Ops']);
    expect(out.warnings).toEqual([
      `CN=Alice,${OU} has memberOf cn=dev,${GOU}, but that group's member list does not contain it; membership kept (memberOf)`,
      `memberOf CN=Remote,DC=other,DC=example of CN=Alice,${OU} is not a group read under DC=corp,DC=example; skipped`,
    ]);
  });

  it('primary groups (primaryGroupID) become memberships; a primary group not read is reported once', () => {
    const domainUsers = rawGroup('Domain Users', [], { objectSid: sidToBytes(`${SID}-513`) });
    const out = transformActiveDirectory(
      raw(
        [
          rawUser('Alice', { primaryGroupID: '513' }),
          rawUser('Bob', { primaryGroupID: '513' }),
          rawUser('Carol', { primaryGroupID: '515' }),
          rawUser('Dave', { primaryGroupID: '515' }),
        ],
        [domainUsers],
      ),
    );
    expect(memberships(out)).toEqual(['alice -> Domain Users', 'bob -> Domain Users']);
    expect(out.warnings).toEqual([
      `primary group ${SID}-515 of 2 user(s) is not a group read under DC=corp,DC=example; skipped`,
    ]);
  });

  it('duplicate objectGUIDs and DNs that normalise alike are skipped with a warning', () => {
    const alice = rawUser('Alice');
    const out = transformActiveDirectory(
      raw(
        [
          alice,
          rawUser('Twin', { objectGUID: alice.objectGUID }),
          rawUser('Alias', { dn: `cn=ALICE,${OU.toLowerCase()}` }),
        ],
        [],
      ),
    );
    expect(out.nodes.filter((n) => n.kind === 'ADUser')).toHaveLength(1);
    expect(out.warnings).toEqual([
      `ADUser CN=Twin,${OU}: objectGUID ${guidFor('u:Alice')} already belongs to CN=Alice,${OU}; skipped`,
      `ADUser cn=ALICE,ou=users,dc=corp,dc=example: its DN normalises like that of CN=Alice,${OU}; skipped`,
    ]);
  });

  it('IN_TENANT for every user and group; extractor warnings are passed on', () => {
    const input = raw([rawUser('Alice')], [rawGroup('Ops', [])]);
    input.warnings.push('from extract');
    const out = transformActiveDirectory(input);
    expect(out.edges.filter((e) => e.kind === 'IN_TENANT').map((e) => e.to)).toEqual([
      { kind: 'ADDomain', id: 'corp.example' },
      { kind: 'ADDomain', id: 'corp.example' },
    ]);
    expect(out.warnings).toEqual(['from extract']);
  });

  it('is pure: the same input gives the same output', () => {
    const input = raw([rawUser('Alice'), rawUser('Bob')], [rawGroup('Ops', [`CN=Bob,${OU}`, `CN=Alice,${OU}`])]);
    expect(transformActiveDirectory(input)).toEqual(transformActiveDirectory(input));
  });

  it('a value the extractor did not check fails as a validation SourceError naming entry and attribute', () => {
    let error: unknown;
    try {
      transformActiveDirectory(raw([rawUser('Alice', { objectGUID: Buffer.alloc(4) })], []));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ kind: 'validation', endpoint: 'transform users', field: 'objectGUID' });
    expect((error as Error).message).toBe(
      `activedirectory: transform users: entry CN=Alice,${OU}: attribute objectGUID: expected 16 bytes, got 4`,
    );
    expect(() => transformActiveDirectory(raw([rawUser('Bad', { dn: 'CN=x,,DC=y' })], []))).toThrow(
      /transform users: entry CN=x,,DC=y: attribute distinguishedName: invalid DN/,
    );
  });
});
