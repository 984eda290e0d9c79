/**
 * Safe member permission sets (ark-sdk-python SAFE_MEMBER_PERMISSIONS_SETS): the
 * presets random members draw from, and the fixed sets of auditors, safe managers and the CPM.
 */
import { canonicalPermissions, SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../graph/permissions.js';
import { type Rng, Weighted } from './rng.js';

export const P = (...keys: SafePermissionKey[]): readonly SafePermissionKey[] => canonicalPermissions(keys);
export const PERMISSION_PRESETS = {
  connect_only: P('listAccounts', 'useAccounts'),
  read_only: P('listAccounts', 'useAccounts', 'retrieveAccounts'),
  approver: P('listAccounts', 'viewSafeMembers', 'manageSafeMembers', 'requestsAuthorizationLevel1'),
  full: SAFE_PERMISSION_KEYS.filter((k) => k !== 'requestsAuthorizationLevel2'),
} as const;
export const AUDITOR_PERMS = P('listAccounts', 'viewAuditLog', 'viewSafeMembers');
export const SAFE_MANAGER_PERMS = P(
  'listAccounts',
  'addAccounts',
  'updateAccountProperties',
  'manageSafe',
  'manageSafeMembers',
  'viewAuditLog',
  'viewSafeMembers',
);
export const CPM_PERMS = P(
  'useAccounts',
  'retrieveAccounts',
  'listAccounts',
  'addAccounts',
  'updateAccountContent',
  'updateAccountProperties',
  'initiateCPMAccountManagementOperations',
  'deleteAccounts',
  'unlockAccounts',
  'viewAuditLog',
  'viewSafeMembers',
  'createFolders',
  'deleteFolders',
  'moveAccountsAndFolders',
);

const PRESET_CHOICE = new Weighted<readonly SafePermissionKey[] | null>([
  [PERMISSION_PRESETS.connect_only, 25],
  [PERMISSION_PRESETS.read_only, 30],
  [PERMISSION_PRESETS.approver, 10],
  [PERMISSION_PRESETS.full, 10],
  [null, 25], // a random combination
]);

export function randomPermissions(rng: Rng): SafePermissionKey[] {
  const preset = PRESET_CHOICE.sample(rng);
  if (preset) return preset.slice();
  const keys = SAFE_PERMISSION_KEYS.filter(() => rng.chance(0.3));
  return keys.length > 0 ? keys : ['listAccounts'];
}
