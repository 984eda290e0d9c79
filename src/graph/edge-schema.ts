/** The edge table: every edge kind with its endpoints and properties. A table of data, like node-schema.ts. */
import { type EdgeKind, type EdgeKindDef, NODE_KINDS, PRINCIPAL_KINDS, type PropDef, SOURCE_NAMES } from './kinds.js';
import { NODE_SCHEMA } from './node-schema.js';
import { bool, datetime, int, json, oneOf, str, strList } from './prop-defs.js';

/** Properties every edge carries besides its kind-specific ones. */
export const COMMON_EDGE_PROPERTIES: Readonly<Record<string, PropDef>> = {
  tenant_id: str('Id of the tenant the edge belongs to.'),
  source: oneOf('The source (or computed phase) that wrote the edge.', SOURCE_NAMES),
  sync_id: str('Id of the sync run that last wrote the edge.'),
};

export const EDGE_SCHEMA: Readonly<Record<EdgeKind, EdgeKindDef>> = {
  IN_TENANT: {
    kind: 'IN_TENANT',
    doc: 'Tenant ownership: the object belongs to this tenant.',
    from: NODE_KINDS.filter((k) => NODE_SCHEMA[k].ownedBy !== undefined),
    to: ['IdentityTenant', 'PrivilegeCloudTenant', 'EntraTenant', 'ADDomain'],
    properties: {},
  },
  HAS_ROLE: {
    kind: 'HAS_ROLE',
    doc: 'Role membership. A child role that is a member of a parent role HAS_ROLE the parent. Every user HAS_ROLE each Everybody role (implicit).',
    from: ['CyberArkUser', 'CyberArkGroup', 'CyberArkRole'],
    to: ['CyberArkRole'],
    properties: {
      implicit: bool('True for memberships the role type implies (Everybody) rather than lists.'),
    },
  },
  MEMBER_OF: {
    kind: 'MEMBER_OF',
    doc: 'Direct group membership inside a directory (AD, Entra) or the vault (UserGroups members).',
    from: ['EntraUser', 'EntraGroup', 'ADUser', 'ADGroup', 'CyberArkUser', 'VaultUser'],
    to: ['EntraGroup', 'ADGroup', 'VaultGroup'],
    properties: {},
  },
  ASSUMES_USER: {
    kind: 'ASSUMES_USER',
    doc: 'The directory user is this CyberArk user (correlation).',
    from: ['EntraUser', 'ADUser'],
    to: ['CyberArkUser'],
    properties: {
      match_rule: str('The rule that matched: upn, dn, or a custom rule name.'),
      match_key: str('The normalised key both sides share.'),
    },
  },
  IS_GROUP: {
    kind: 'IS_GROUP',
    doc: 'The directory group is this CyberArk group (correlation).',
    from: ['EntraGroup', 'ADGroup'],
    to: ['CyberArkGroup'],
    properties: {
      match_rule: str('The rule that matched: object_id, dn, or a custom rule name.'),
      match_key: str('The normalised key both sides share.'),
    },
  },
  SAFE_MEMBER: {
    kind: 'SAFE_MEMBER',
    doc: 'Safe membership with its permission set, as listed by Safes/{id}/Members.',
    from: PRINCIPAL_KINDS,
    to: ['Safe'],
    properties: {
      permissions: strList('Granted permission API keys, in the documented order.'),
      member_id: str('memberId as returned (GUID, number or synthetic id).'),
      member_name: str('memberName as returned.'),
      member_type: str('memberType as returned (User, Group, Role).'),
      membership_expiration: datetime('membershipExpirationDate, ISO 8601 UTC; empty when it never expires.'),
      is_expired: bool('The membership has expired: it grants nothing and is excluded from effective permissions.'),
      is_predefined: bool('isPredefinedUser.'),
      is_read_only: bool('isReadOnly.'),
    },
  },
  CONTAINS: {
    kind: 'CONTAINS',
    doc: 'The safe holds the account.',
    from: ['Safe'],
    to: ['Account'],
    properties: {},
  },
  CAN_ACCESS: {
    kind: 'CAN_ACCESS',
    doc: 'An application ACE (Acl/GetRowAces) granting the principal rights on the application.',
    from: ['CyberArkUser', 'CyberArkGroup', 'CyberArkRole'],
    to: ['CyberArkApplication'],
    properties: {
      grant: int('Grant bitmask, unsigned.'),
      grant_names: strList('Names of the grant bits (Owner, Read, Write, List, Delete, Execute, Automatic).'),
    },
  },
  HAS_EFFECTIVE_PERMISSION: {
    kind: 'HAS_EFFECTIVE_PERMISSION',
    doc: 'Computed: the union of permissions the principal holds on the resource over every grant path, with the paths that explain it.',
    from: [...PRINCIPAL_KINDS],
    to: ['Safe', 'CyberArkApplication'],
    properties: {
      permissions: strList('Safe permission keys (documented order) or application grant names.'),
      paths_json: json(
        'Grant paths, shortest first: [[{kind,id,name,via}]] from the principal to the resource; one per granting membership, at most the configured limit.',
      ),
      path_count: int('Number of granting memberships (paths) in all, including those beyond the stored limit.'),
      expired_membership_count: int(
        'Expired memberships of the safe the principal reaches (at any depth): they grant nothing, but a review should see them.',
      ),
      via_dynamic_role: bool('Some path runs through a Script role whose members are unknown.'),
    },
  },
};
