/**
 * What every generation step shares: the fixed epoch all dates count back from, the AD forest, and the context
 * object (Ctx) that the steps fill in order (users, groups, roles, vault principals) and read from later steps.
 */
import type {
  DirectoryService,
  IdentityGroup,
  IdentityRole,
  IdentityUser,
  VaultGroup,
  VaultUser,
} from '../format/index.js';
import type { NameRegistry } from './naming.js';
import type { ScaleSpec } from './scale.js';

/** All generated dates are this instant minus a seeded offset (2026-06-01T00:00:00Z). */
export const GENERATOR_EPOCH = Date.UTC(2026, 5, 1);
export const EPOCH_S = GENERATOR_EPOCH / 1000;
export const DAY = 86400;

export const AD_FOREST = 'corp.example';

export type DirKind = 'CDS' | 'AD' | 'FDS';

export interface Ctx {
  readonly seed: number;
  readonly spec: ScaleSpec;
  readonly company: string;
  readonly cdsSuffix: string;
  readonly mailDomain: string;
  readonly fdsDomain: string;
  readonly dirs: Record<DirKind, DirectoryService>;
  /**
   * Case-insensitive names of the group, role and vault principals (safe member names are unique per safe). User
   * logins (`…@domain`, no digits before the @) cannot collide with these and use a cheaper registry.
   */
  readonly principals: NameRegistry;
  readonly users: IdentityUser[];
  readonly userKind: DirKind[];
  readonly userFirst: string[];
  readonly userLast: string[];
  readonly groups: IdentityGroup[];
  readonly groupKind: DirKind[];
  readonly roles: IdentityRole[];
  /** The synthetic safe-member id of each role (e.g. Privilege_Cloud_Admins_ID). */
  readonly roleSafeId: string[];
  /** Indexes of users who administer the tenant (safe creators, PC admins). */
  readonly adminUsers: number[];
  readonly vaultUsers: VaultUser[];
  readonly vaultGroups: VaultGroup[];
  nextVaultId: number;
}

export const isoBefore = (seconds: number): string => new Date(GENERATOR_EPOCH - seconds * 1000).toISOString();
