import { describe, expect, it } from 'vitest';
import {
  appGrantNames,
  canonicalPermissions,
  grantAllowsUse,
  parsePermission,
  permissionsFromFlags,
  SAFE_PERMISSIONS,
  UnknownPermissionError,
} from '../../src/graph/permissions.js';

describe('safe permission names', () => {
  it('has the 22 documented keys in the documented order', () => {
    expect(SAFE_PERMISSIONS.map((p) => p.key)).toEqual([
      'useAccounts',
      'retrieveAccounts',
      'listAccounts',
      'addAccounts',
      'updateAccountContent',
      'updateAccountProperties',
      'initiateCPMAccountManagementOperations',
      'specifyNextAccountContent',
      'renameAccounts',
      'deleteAccounts',
      'unlockAccounts',
      'manageSafe',
      'manageSafeMembers',
      'backupSafe',
      'viewAuditLog',
      'viewSafeMembers',
      'accessWithoutConfirmation',
      'createFolders',
      'deleteFolders',
      'moveAccountsAndFolders',
      'requestsAuthorizationLevel1',
      'requestsAuthorizationLevel2',
    ]);
  });

  it.each([
    ['retrieveAccounts', 'retrieveAccounts'],
    ['RETRIEVEACCOUNTS', 'retrieveAccounts'],
    ['Retrieve Accounts', 'retrieveAccounts'],
    ['  retrieve   accounts ', 'retrieveAccounts'],
    ['initiate cpm account management operations', 'initiateCPMAccountManagementOperations'],
    ['Requests Authorization Level 2', 'requestsAuthorizationLevel2'],
  ])('accepts %j', (input, key) => {
    expect(parsePermission(input)).toBe(key);
  });

  it('rejects an unknown permission and lists the valid ones', () => {
    expect(() => parsePermission('retrieve')).toThrow(UnknownPermissionError);
    try {
      parsePermission('retrieve');
    } catch (e) {
      const err = e as UnknownPermissionError;
      expect(err.message).toContain('retrieveAccounts ("Retrieve Accounts")');
      expect(err.validPermissions).toHaveLength(22);
    }
  });

  it('an unknown permission suggests the nearest ones, not all 22 (issue 15, item 9)', () => {
    const message = (input: string) => {
      try {
        parsePermission(input);
      } catch (e) {
        return e as UnknownPermissionError;
      }
      throw new Error('expected an error');
    };
    expect(message('retreiveAccounts').suggestions).toEqual(['retrieveAccounts']);
    expect(message('Manage Safe Memebrs').suggestions[0]).toBe('manageSafeMembers');
    expect(message('viewAudit').suggestions).toEqual(['viewAuditLog']);
    const fly = message('fly');
    expect(fly.suggestions).toEqual([]);
    expect(fly.message).not.toContain('moveAccountsAndFolders');
    expect(fly.validPermissions).toHaveLength(22);
    expect(message('retreiveAccounts').message).toBe(
      'unknown permission "retreiveAccounts"; did you mean retrieveAccounts ("Retrieve Accounts")?',
    );
  });

  it('converts API flags and orders keys canonically', () => {
    expect(
      permissionsFromFlags({ listAccounts: true, useAccounts: true, retrieveAccounts: false, bogus: true }),
    ).toEqual(['useAccounts', 'listAccounts']);
    expect(canonicalPermissions(['manageSafe', 'useAccounts', 'manageSafe'])).toEqual(['useAccounts', 'manageSafe']);
  });

  it('decodes application grant bits, including bit 31 sent as a negative integer', () => {
    expect(appGrantNames(2147483776)).toEqual(['Execute', 'Automatic']);
    expect(appGrantNames(2147483776 | 0)).toEqual(['Execute', 'Automatic']);
    expect(appGrantNames(132)).toEqual(['Read', 'Execute']);
    expect(grantAllowsUse(4)).toBe(false);
    expect(grantAllowsUse(-2147483648)).toBe(true);
  });
});
