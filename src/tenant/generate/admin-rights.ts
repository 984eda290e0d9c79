/** Identity admin rights as ark-sdk-python lists them: the /lib/rights and ServiceRight tiles roles carry. */
import type { IdentityRole } from '../format/index.js';

const LIB_RIGHTS: readonly (readonly [string, string])[] = [
  ['adminportallogin', 'Admin Portal Login'],
  ['appman', 'Application Management'],
  ['fedman', 'Federation Management'],
  ['identityverification', 'Identity Verification'],
  ['mfaunlock', 'MFA Unlock'],
  ['radiusman', 'Radius Management'],
  ['roleman', 'Role Management'],
  ['roroleman', 'Read Only Role Management'],
  ['rouserman', 'Read Only User Management'],
  ['proxycode', 'Register and Administer Connectors'],
  ['reportman', 'Report Management'],
  ['sharedcredentials', 'Shared Credentials'],
  ['dsman', 'User Management'],
  ['monitor', 'Read Only System Administration'],
  ['agentmanjoin', 'Computer Login and Privilege Elevation'],
  ['vaultman', 'Vault Management'],
];
const TILE_RIGHTS: readonly (readonly [string, string, string])[] = [
  ['auditShowTile', 'Audit', 'audit'],
  ['dpaShowTile', 'Dynamic Privileged Access', 'dpa'],
  ['cloudonboardingShowTile', 'Cloud Onboarding', 'cloudonboarding'],
  ['connectormanagementShowTile', 'Connector Management', 'connectormanagement'],
  ['passwordvaultShowTile', 'Privilege Cloud', 'passwordvault'],
  ['smShowTile', 'Session Monitoring', 'sm'],
  ['accesstoresourcesShowTile', 'Access to Resources', 'accesstoresources'],
];
type AdminRight = IdentityRole['adminRights'][number];
export const libRight = (name: string): AdminRight => {
  const found = LIB_RIGHTS.find((r) => r[0] === name)!;
  return { path: `/lib/rights/${found[0]}.json`, description: found[1] };
};
export const tileRight = (name: string): AdminRight => {
  const found = TILE_RIGHTS.find((r) => r[0] === name)!;
  return { path: `ServiceRight/${found[0]}`, description: found[1], serviceName: found[2] };
};
export const ALL_RIGHTS: readonly AdminRight[] = [
  ...LIB_RIGHTS.map((r) => libRight(r[0])),
  ...TILE_RIGHTS.map((r) => tileRight(r[0])),
];
