/**
 * The 22 Privilege Cloud / PAS safe-member permissions, in the documented API order
 * (CyberArk docs: Add Safe Member). Each carries the exact API key and the display name shown in the PVWA.
 */
import { distance } from 'fastest-levenshtein';

export const SAFE_PERMISSIONS = [
  { key: 'useAccounts', displayName: 'Use Accounts', group: 'Access' },
  { key: 'retrieveAccounts', displayName: 'Retrieve Accounts', group: 'Access' },
  { key: 'listAccounts', displayName: 'List Accounts', group: 'Access' },
  { key: 'addAccounts', displayName: 'Add Accounts', group: 'Account management' },
  { key: 'updateAccountContent', displayName: 'Update Account Content', group: 'Account management' },
  { key: 'updateAccountProperties', displayName: 'Update Account Properties', group: 'Account management' },
  {
    key: 'initiateCPMAccountManagementOperations',
    displayName: 'Initiate CPM Account Management Operations',
    group: 'Account management',
  },
  { key: 'specifyNextAccountContent', displayName: 'Specify Next Account Content', group: 'Account management' },
  { key: 'renameAccounts', displayName: 'Rename Accounts', group: 'Account management' },
  { key: 'deleteAccounts', displayName: 'Delete Accounts', group: 'Account management' },
  { key: 'unlockAccounts', displayName: 'Unlock Accounts', group: 'Account management' },
  { key: 'manageSafe', displayName: 'Manage Safe', group: 'Safe management' },
  { key: 'manageSafeMembers', displayName: 'Manage Safe Members', group: 'Safe management' },
  { key: 'backupSafe', displayName: 'Backup Safe', group: 'Safe management' },
  { key: 'viewAuditLog', displayName: 'View Audit Log', group: 'Monitoring' },
  { key: 'viewSafeMembers', displayName: 'View Safe Members', group: 'Monitoring' },
  { key: 'accessWithoutConfirmation', displayName: 'Access Without Confirmation', group: 'Workflow' },
  { key: 'createFolders', displayName: 'Create Folders', group: 'Advanced' },
  { key: 'deleteFolders', displayName: 'Delete Folders', group: 'Advanced' },
  { key: 'moveAccountsAndFolders', displayName: 'Move Accounts And Folders', group: 'Advanced' },
  { key: 'requestsAuthorizationLevel1', displayName: 'Requests Authorization Level 1', group: 'Workflow' },
  { key: 'requestsAuthorizationLevel2', displayName: 'Requests Authorization Level 2', group: 'Workflow' },
] as const;

export type SafePermissionKey = (typeof SAFE_PERMISSIONS)[number]['key'];

export const SAFE_PERMISSION_KEYS: readonly SafePermissionKey[] = SAFE_PERMISSIONS.map((p) => p.key);

const byLowerName = new Map<string, SafePermissionKey>();
for (const p of SAFE_PERMISSIONS) {
  byLowerName.set(p.key.toLowerCase(), p.key);
  byLowerName.set(p.displayName.toLowerCase(), p.key);
}

/**
 * The permissions nearest to a misspelt one, by edit distance over keys and display names (spaces and case ignored):
 * those at the smallest distance found, up to `limit`; none when nothing is close.
 */
export function nearestPermissions(input: string, limit = 3): SafePermissionKey[] {
  const needle = input.replace(/[\s_-]+/g, '').toLowerCase();
  if (needle === '') return [];
  const scored = SAFE_PERMISSIONS.map((p) => {
    const names = [p.key, p.displayName].map((n) => n.replace(/\s+/g, '').toLowerCase());
    // A part of a name ("retrieve") is as near as can be; otherwise the edit distance.
    const d = Math.min(...names.map((n) => (n.includes(needle) ? 0 : distance(needle, n))));
    return { key: p.key, d };
  }).filter((s) => s.d <= Math.max(2, Math.floor(needle.length / 3)));
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .slice(0, limit)
    .map((s) => s.key);
}

export class UnknownPermissionError extends Error {
  readonly validPermissions = SAFE_PERMISSIONS.map((p) => ({ key: p.key, displayName: p.displayName }));
  /** The nearest permissions, for "did you mean" (the whole list stays in validPermissions). */
  readonly suggestions: SafePermissionKey[];
  constructor(readonly input: string) {
    const near = nearestPermissions(input);
    const hint = near.length
      ? `did you mean ${near.map((k) => `${k} ("${permissionDisplayName(k)}")`).join(' or ')}?`
      : 'use an API key such as retrieveAccounts or a display name such as "Retrieve Accounts", any case';
    super(`unknown permission "${input}"; ${hint}`);
    this.suggestions = near;
    this.name = 'UnknownPermissionError';
  }
}

/** Accepts an API key (`retrieveAccounts`) or a display name (`Retrieve Accounts`), case-insensitively. */
export function parsePermission(input: string): SafePermissionKey {
  const found = byLowerName.get(input.trim().replace(/\s+/g, ' ').toLowerCase());
  if (!found) throw new UnknownPermissionError(input);
  return found;
}

export function permissionDisplayName(key: SafePermissionKey): string {
  return SAFE_PERMISSIONS.find((p) => p.key === key)!.displayName;
}

/** Sorts permission keys into the documented API order and removes duplicates. */
export function canonicalPermissions(keys: Iterable<SafePermissionKey>): SafePermissionKey[] {
  const set = new Set(keys);
  return SAFE_PERMISSION_KEYS.filter((k) => set.has(k));
}

/** Converts the API's `{ key: boolean }` object into the list of granted keys; unknown keys are ignored. */
export function permissionsFromFlags(flags: Partial<Record<string, boolean>>): SafePermissionKey[] {
  return SAFE_PERMISSION_KEYS.filter((k) => flags[k] === true);
}

export function permissionsToFlags(keys: Iterable<SafePermissionKey>): Record<SafePermissionKey, boolean> {
  const set = new Set(keys);
  return Object.fromEntries(SAFE_PERMISSION_KEYS.map((k) => [k, set.has(k)])) as Record<SafePermissionKey, boolean>;
}

/**
 * Application ACL grant bits (Acl/GetRowAces), as idsec-sdk-golang defines them.
 * Bit 31 may arrive as a negative 32-bit integer, so callers normalise with `>>> 0` first.
 */
export const APP_GRANT_BITS = {
  Owner: 1,
  Read: 4,
  Write: 8,
  List: 16,
  Delete: 64,
  Execute: 128,
  Automatic: 2147483648,
} as const;

export type AppGrantName = keyof typeof APP_GRANT_BITS;

export function appGrantNames(grant: number): AppGrantName[] {
  const g = grant >>> 0;
  return (Object.keys(APP_GRANT_BITS) as AppGrantName[]).filter((name) => (g & APP_GRANT_BITS[name]) >>> 0 !== 0);
}

/** A role→app or user→app ACE that lets the principal run (or auto-deploys) the application. */
export function grantAllowsUse(grant: number): boolean {
  const g = grant >>> 0;
  return (g & APP_GRANT_BITS.Execute) !== 0 || (g & APP_GRANT_BITS.Automatic) >>> 0 !== 0;
}
