/**
 * How big a generated tenant is: the named scales (small, medium, large), the smallest spec that still holds every
 * feature, and the check that a custom spec fits (every count is met exactly, so a spec that cannot be met is
 * rejected up front rather than half-generated).
 */
import { SYSTEM_SAFES } from './names.js';

export type Scale = 'small' | 'medium' | 'large';

/** How many objects of each kind a generated tenant holds. Every count is met exactly. */
export interface ScaleSpec {
  /** Identity users across the CDS, AdProxy and FDS directories. */
  readonly users: number;
  /** Directory groups (AdProxy and FDS; the CDS has none). */
  readonly groups: number;
  /** Identity roles, built-ins included. */
  readonly roles: number;
  /** Safes, the vault system safes included. */
  readonly safes: number;
  /**
   * Safe memberships that are not predefined (Identity users, roles, directory groups, vault users and groups).
   * Every safe additionally gets its predefined members (Master, Batch, Backup Users, DR Users, Notification Engines,
   * Auditors, Operators, the managing CPM …), which are not counted here.
   */
  readonly memberships: number;
  readonly accounts: number;
  readonly applications: number;
}

export const SCALES: Readonly<Record<Scale, ScaleSpec>> = {
  small: { users: 50, groups: 10, roles: 15, safes: 30, memberships: 150, accounts: 200, applications: 10 },
  medium: {
    users: 5000,
    groups: 1000,
    roles: 200,
    safes: 1000,
    memberships: 20000,
    accounts: 50000,
    applications: 100,
  },
  large: {
    users: 100000,
    groups: 20000,
    roles: 2000,
    safes: 10000,
    memberships: 200000,
    accounts: 500000,
    applications: 500,
  },
};

/** The smallest spec that still holds every feature listed above. */
export const MIN_SCALE: ScaleSpec = {
  users: 20,
  groups: 4,
  roles: 12,
  safes: SYSTEM_SAFES.length + 4,
  memberships: 16,
  accounts: 4,
  applications: 4,
};

/** Predefined members per safe: at most this many, so a safe takes at most 64 - this non-predefined members. */
const MAX_PREDEFINED_PER_SAFE = 10;
export const MAX_SAFE_MEMBERS = 64;

export function checkSpec(spec: ScaleSpec): void {
  for (const key of Object.keys(MIN_SCALE) as (keyof ScaleSpec)[]) {
    const v = spec[key];
    if (!Number.isSafeInteger(v) || v < MIN_SCALE[key]) {
      throw new RangeError(`scale.${key} must be an integer >= ${MIN_SCALE[key]}, got ${v}`);
    }
  }
  const normalSafes = spec.safes - SYSTEM_SAFES.length;
  const capacity = normalSafes * Math.min(MAX_SAFE_MEMBERS - MAX_PREDEFINED_PER_SAFE, spec.users);
  if (spec.memberships > capacity) {
    throw new RangeError(`scale.memberships ${spec.memberships} exceeds the capacity of ${normalSafes} safes`);
  }
}
