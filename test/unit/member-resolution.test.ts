import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../src/graph/schema.js';
import { IdentityLookup, resolveMember } from '../../src/sources/privilegecloud/transform.js';

const node = (kind: GraphNode['kind'], nativeId: string, props: GraphNode['props']): GraphNode => ({
  kind,
  id: `T:${nativeId}`,
  nativeId,
  tenantId: 'T',
  source: 'identity',
  props,
});

const ALICE = '3f2a1c9e-5b7d-4e21-9c0a-7d6e5f4a3b21';
const lookup = new IdentityLookup([
  node('CyberArkUser', ALICE, { login_name: 'alice@corp.example' }),
  node('CyberArkUser', 'b0b0b0b0-0000-4000-8000-000000000001', { login_name: 'bob@corp.example' }),
  node('CyberArkRole', 'r1', { name: 'Privilege Cloud Administrators' }),
  node('CyberArkRole', 'r2', { name: 'Helpdesk' }),
  node('CyberArkRole', 'r3', { name: 'helpdesk' }),
  node('CyberArkRole', 'r4', { name: 'Auditors EU' }),
  node('CyberArkGroup', 'g1', { name: 'PAM-Admins@corp.example', display_name: 'PAM Admins' }),
]);

describe('safe member resolution', () => {
  it('a predefined role is known by its synthetic member id when the name does not match', () => {
    expect(
      resolveMember(
        { memberId: 'Privilege_Cloud_Admins_ID', memberName: 'Privilege Cloud Admins (renamed)', memberType: 'Group' },
        lookup,
      ),
    ).toEqual({ kind: 'identity', ref: { kind: 'CyberArkRole', id: 'T:r1' }, rule: 'role-id' });
    expect(resolveMember({ memberId: 'Some_Other_ID', memberName: 'Nobody', memberType: 'Group' }, lookup)).toEqual({
      kind: 'vault',
      nodeKind: 'VaultGroup',
    });
  });

  it('a User with a GUID memberId is the Identity user with that id, whatever its name', () => {
    expect(resolveMember({ memberId: ALICE.toUpperCase(), memberName: 'renamed', memberType: 'User' }, lookup)).toEqual(
      {
        kind: 'identity',
        ref: { kind: 'CyberArkUser', id: `T:${ALICE}` },
        rule: 'user-id',
      },
    );
  });

  it('otherwise a User is matched by login name, case-insensitively', () => {
    expect(resolveMember({ memberId: '93', memberName: 'BOB@corp.example', memberType: 'user' }, lookup)).toMatchObject(
      {
        kind: 'identity',
        rule: 'user-login',
      },
    );
  });

  it('a GUID that is no Identity user falls back to the name, then to a vault user', () => {
    expect(
      resolveMember(
        { memberId: '00000000-0000-4000-8000-000000000000', memberName: 'PasswordManager', memberType: 'User' },
        lookup,
      ),
    ).toEqual({ kind: 'vault', nodeKind: 'VaultUser' });
  });

  it('roles appear as Group (or Role) members named after the role', () => {
    for (const memberType of ['Group', 'Role', 'GROUP']) {
      expect(
        resolveMember(
          { memberId: 'Privilege_Cloud_Admins_ID', memberName: 'Privilege Cloud Administrators', memberType },
          lookup,
        ),
      ).toEqual({ kind: 'identity', ref: { kind: 'CyberArkRole', id: 'T:r1' }, rule: 'role-name' });
    }
  });

  it('an exact role name wins; a case-insensitive one only when unique', () => {
    expect(resolveMember({ memberId: 'x', memberName: 'Helpdesk', memberType: 'Group' }, lookup)).toMatchObject({
      ref: { id: 'T:r2' },
    });
    // "HELPDESK" matches two roles case-insensitively: never guessed.
    expect(resolveMember({ memberId: 'x', memberName: 'HELPDESK', memberType: 'Group' }, lookup)).toEqual({
      kind: 'vault',
      nodeKind: 'VaultGroup',
    });
    expect(resolveMember({ memberId: 'x', memberName: 'auditors eu', memberType: 'Group' }, lookup)).toMatchObject({
      ref: { id: 'T:r4' },
    });
  });

  it('a directory group by name or display name is that CyberArk group', () => {
    for (const memberName of ['PAM-Admins@corp.example', 'pam admins']) {
      expect(resolveMember({ memberId: '12', memberName, memberType: 'Group' }, lookup)).toEqual({
        kind: 'identity',
        ref: { kind: 'CyberArkGroup', id: 'T:g1' },
        rule: 'group-name',
      });
    }
  });

  it('predefined groups are vault groups', () => {
    expect(resolveMember({ memberId: '3', memberName: 'Auditors', memberType: 'Group' }, lookup)).toEqual({
      kind: 'vault',
      nodeKind: 'VaultGroup',
    });
  });
});
