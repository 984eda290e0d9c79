/**
 * The one declarative graph schema. Everything that touches the shape of the graph derives from these definitions:
 * Neo4j constraints and batched UNWIND loads, the embedded (graphology) loader, row validation and docs/schema.md.
 * No source writes ingest Cypher by hand: a source produces GraphNode/GraphEdge rows and the stores do the rest.
 * Most of this file is the table itself (NODE_SCHEMA, EDGE_SCHEMA); validation against it is in validate.ts.
 */
type PropType = 'string' | 'boolean' | 'integer' | 'float' | 'datetime' | 'string[]' | 'json';

export interface PropDef {
  readonly type: PropType;
  readonly doc: string;
  /** Values of a closed set, for docs and validation. */
  readonly values?: readonly string[];
  /** Create a Neo4j index on this property (lookups by name, login, DN …). */
  readonly indexed?: boolean;
}

const prop =
  (type: PropType) =>
  (doc: string, extra: Partial<Omit<PropDef, 'type' | 'doc'>> = {}): PropDef => ({ type, doc, ...extra });
const str = prop('string');
const bool = prop('boolean');
const int = prop('integer');
const datetime = prop('datetime');
const strList = prop('string[]');
const json = prop('json');
const oneOf = (doc: string, values: readonly string[], extra: Partial<PropDef> = {}): PropDef => ({
  type: 'string',
  doc,
  values,
  ...extra,
});

export const NODE_KINDS = [
  'IdentityTenant',
  'CyberArkUser',
  'CyberArkGroup',
  'CyberArkRole',
  'CyberArkApplication',
  'PrivilegeCloudTenant',
  'Safe',
  'Account',
  'VaultUser',
  'VaultGroup',
  'EntraTenant',
  'EntraUser',
  'EntraGroup',
  'ADDomain',
  'ADUser',
  'ADGroup',
  'SyncRun',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = [
  'IN_TENANT',
  'HAS_ROLE',
  'MEMBER_OF',
  'ASSUMES_USER',
  'IS_GROUP',
  'SAFE_MEMBER',
  'CONTAINS',
  'CAN_ACCESS',
  'HAS_EFFECTIVE_PERMISSION',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** Which extractor (or phase) wrote a node or edge; cleanup of stale data is scoped by it. The sources themselves are
 * registered in src/sources/index.ts (SOURCES). */
export const SOURCE_NAMES = [
  'identity',
  'privilegecloud',
  'entra',
  'activedirectory',
  'correlation',
  'effective',
] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export interface NodeKindDef {
  readonly kind: NodeKind;
  readonly doc: string;
  /** The tenant kind that owns nodes of this kind (IN_TENANT edge); absent for tenant roots and SyncRun. */
  readonly ownedBy?: NodeKind;
  /** The property shown as the node's name in paths and tables. */
  readonly nameProperty: string;
  readonly properties: Readonly<Record<string, PropDef>>;
}

export interface EdgeKindDef {
  readonly kind: EdgeKind;
  readonly doc: string;
  readonly from: readonly NodeKind[];
  readonly to: readonly NodeKind[];
  readonly properties: Readonly<Record<string, PropDef>>;
}

/** Properties every node carries besides its kind-specific ones. */
export const COMMON_NODE_PROPERTIES: Readonly<Record<string, PropDef>> = {
  id: str('Graph key, unique within the kind: `<tenant id>:<native id>` for tenant-owned objects.'),
  native_id: str('The identifier the source API uses for the object.', { indexed: true }),
  tenant_id: str('Id of the owning tenant node (empty for tenant roots and sync runs).', { indexed: true }),
  source: oneOf('The source that wrote the node.', SOURCE_NAMES),
  sync_id: str('Id of the sync run that last wrote the node; stale-data cleanup compares it.', { indexed: true }),
};

/** Properties every edge carries besides its kind-specific ones. */
export const COMMON_EDGE_PROPERTIES: Readonly<Record<string, PropDef>> = {
  tenant_id: str('Id of the tenant the edge belongs to.'),
  source: oneOf('The source (or computed phase) that wrote the edge.', SOURCE_NAMES),
  sync_id: str('Id of the sync run that last wrote the edge.'),
};

/** Written on directory identities by the correlation phase (src/correlation/correlate.ts). */
const CORRELATION_PROPERTIES: Readonly<Record<string, PropDef>> = {
  correlation_status: oneOf(
    'Outcome of correlation with CyberArk: matched (one candidate), ambiguous (several: no edge), unmatched, or not_applicable (the CyberArk tenant has no directory of this type configured).',
    ['matched', 'ambiguous', 'unmatched', 'not_applicable'],
  ),
  correlation_rule: str('The rule that decided: upn, object_id, dn, or a custom rule name.'),
  correlation_key: str('The normalised key the rule compared.'),
  correlation_candidates: strList('Graph ids of the CyberArk candidates (one when matched, several when ambiguous).'),
};

/** Kinds that can hold access, in the order answers list them. */
export const PRINCIPAL_KINDS = ['CyberArkUser', 'CyberArkGroup', 'CyberArkRole', 'VaultUser', 'VaultGroup'] as const;

export const NODE_SCHEMA: Readonly<Record<NodeKind, NodeKindDef>> = {
  IdentityTenant: {
    kind: 'IdentityTenant',
    doc: 'A CyberArk Identity tenant (the former Centrify/Idaptive platform).',
    nameProperty: 'name',
    properties: {
      name: str('Tenant name (the `Tenant` id reported by Core/GetDirectoryServices, e.g. ABC1234).'),
      tenant_url: str('Base URL of the tenant, e.g. https://abc1234.id.cyberark.cloud.'),
      directory_services: json('Configured directory services: [{uuid, service, name, display_name, forest}].'),
    },
  },
  CyberArkUser: {
    kind: 'CyberArkUser',
    doc: 'A CyberArk Identity user, from any of its directories (Cloud Directory, AD proxy, federated).',
    ownedBy: 'IdentityTenant',
    nameProperty: 'login_name',
    properties: {
      login_name: str('Login name (Redrock `User.Username`, e.g. alice@corp.example).', { indexed: true }),
      login_name_lower: str('Lower-cased login name, the Entra UPN correlation key.', { indexed: true }),
      display_name: str('Display name.'),
      email: str('E-mail address.'),
      is_active: bool('True when the user can sign in: status Active and not disabled or locked in its directory.'),
      status: str('Identity status (Created, Suspended, Invited, Active).'),
      last_login_at: datetime('Last login, ISO 8601 UTC; empty when the user never signed in.'),
      identity_type: oneOf('Human or NonHuman (service users and OAuth confidential clients).', ['Human', 'NonHuman']),
      idp_unique_id: str(
        'Identity in the user’s source directory: the DN for AD users, the IdP object id for federated ones.',
        {
          indexed: true,
        },
      ),
      risk_level: str('Risk level (Normal, Low, Medium, High, Unknown, SystemUnavailable).'),
      security_question_count: int('Number of security questions set.'),
      security_question_set: bool('True when at least one security question is set.'),
      directory_service_uuid: str('Directory service the user comes from (Core/GetDirectoryServices).'),
      directory_service_type: str('CDS, AdProxy, FDS, LdapProxy or GDS.'),
      distinguished_name: str('AD distinguished name, for AD users.'),
      external_uuid: str('ExternalUuid from DirectoryServiceQuery.'),
    },
  },
  CyberArkGroup: {
    kind: 'CyberArkGroup',
    doc: 'A directory group known to CyberArk Identity (AD or federated); Identity has no groups of its own.',
    ownedBy: 'IdentityTenant',
    nameProperty: 'name',
    properties: {
      name: str('Group name (SystemName).', { indexed: true }),
      display_name: str('Display name.'),
      idp_unique_id: str('The DN for AD groups, the IdP object id (e.g. Entra object id) for federated ones.', {
        indexed: true,
      }),
      directory_service_uuid: str('Directory service the group comes from.'),
      directory_service_type: str('AdProxy, FDS, LdapProxy or GDS.'),
    },
  },
  CyberArkRole: {
    kind: 'CyberArkRole',
    doc: 'A CyberArk Identity role. Roles nest: a role that is a member of another role HAS_ROLE that role.',
    ownedBy: 'IdentityTenant',
    nameProperty: 'name',
    properties: {
      name: str('Role name.', { indexed: true }),
      description: str('Description.'),
      is_hidden: bool('Hidden role.'),
      read_only: bool('Built-in read-only role.'),
      role_type: oneOf('How membership is defined.', ['PrincipalList', 'Everybody', 'Script']),
      permissions: strList('Administrative rights held by the role (right paths, e.g. /lib/rights/roleman.json).'),
      permission_names: strList('Descriptions of the administrative rights (e.g. Role Management).'),
      members_unknown: bool(
        'True when the members could not be listed (dynamic Script roles): who-can may be incomplete through it.',
      ),
    },
  },
  CyberArkApplication: {
    kind: 'CyberArkApplication',
    doc: 'An application in the Identity catalogue (web, desktop, OAuth …).',
    ownedBy: 'IdentityTenant',
    nameProperty: 'name',
    properties: {
      name: str('Application name.', { indexed: true }),
      display_name: str('Display name.'),
      description: str('Description.'),
      catalog_visibility: str('Catalogue visibility, when the API reports it.'),
      category: str('Category.'),
      on_prem: bool('On-premises application.'),
      service_name: str('Service name.'),
      state: str('State (Active, …).'),
      version: str('Version.'),
      app_type: str('AppType (Web, Desktop, …).'),
      template_name: str('Template the app was created from.'),
    },
  },
  PrivilegeCloudTenant: {
    kind: 'PrivilegeCloudTenant',
    doc: 'A Privilege Cloud tenant or a self-hosted PAS vault (PVWA).',
    nameProperty: 'name',
    properties: {
      name: str('Tenant name (the host of the instance URL).'),
      instance_url: str('Base URL, e.g. https://acme.privilegecloud.cyberark.cloud.'),
      deployment: oneOf('Privilege Cloud (ISPSS) or self-hosted PAS.', ['privilegecloud', 'selfhosted']),
    },
  },
  Safe: {
    kind: 'Safe',
    doc: 'A safe: the container of privileged accounts whose members hold the 22 safe permissions.',
    ownedBy: 'PrivilegeCloudTenant',
    nameProperty: 'name',
    properties: {
      name: str('Safe name.', { indexed: true }),
      name_lower: str('Lower-cased safe name, for case-insensitive lookups.', { indexed: true }),
      display_name: str('Display name (the safe name; Privilege Cloud has no separate one).'),
      description: str('Description.'),
      safe_url_id: str('URL-encoded safe name used in member URLs.'),
      safe_number: int('Safe number.'),
      location: str('Vault location.'),
      auto_purge_enabled: bool('Auto-purge enabled.'),
      is_expired_member: bool('The safe reports an expired member.'),
      managing_cpm: str('Managing CPM(s), comma-separated.'),
      number_of_versions_retention: int('Versions retained.'),
      number_of_days_retention: int('Days retained.'),
      olac_enabled: bool('Object-level access control enabled.'),
      creation_time: datetime('Created, ISO 8601 UTC.'),
      last_modification_time: datetime('Last modified, ISO 8601 UTC.'),
      creator_name: str('Creator.'),
    },
  },
  Account: {
    kind: 'Account',
    doc: 'A privileged account stored in a safe.',
    ownedBy: 'PrivilegeCloudTenant',
    nameProperty: 'name',
    properties: {
      name: str('Account name.', { indexed: true }),
      safe_name: str('Safe holding the account.'),
      platform_id: str('Platform.'),
      address: str('Address.'),
      user_name: str('User name.'),
      secret_type: str('password or key.'),
      automatic_management_enabled: bool('CPM manages the secret automatically.'),
      manual_management_reason: str('Why automatic management is off.'),
      secret_status: str('Last CPM status (success, failure).'),
      created_time: datetime('Created, ISO 8601 UTC.'),
      last_modified_time: datetime('Secret last modified, ISO 8601 UTC.'),
      last_verified_time: datetime('Last verified, ISO 8601 UTC.'),
      last_reconciled_time: datetime('Last reconciled, ISO 8601 UTC.'),
    },
  },
  VaultUser: {
    kind: 'VaultUser',
    doc: 'A vault principal that is not an Identity user: predefined users (Master, Batch …) and component users.',
    ownedBy: 'PrivilegeCloudTenant',
    nameProperty: 'username',
    properties: {
      username: str('User name.', { indexed: true }),
      user_type: str('Vault user type (EPVUser, CPM, PSM …).'),
      vault_source: str('Where the vault user comes from (CyberArk, LDAP …).'),
      component_user: bool('Component user.'),
      uuid: str('Identity user id, when the vault user is backed by one.'),
      is_predefined: bool('Predefined vault user.'),
      vault_authorization: strList('Vault authorizations.'),
    },
  },
  VaultGroup: {
    kind: 'VaultGroup',
    doc: 'A vault group (predefined groups such as Auditors, and Vault or Directory groups from UserGroups).',
    ownedBy: 'PrivilegeCloudTenant',
    nameProperty: 'name',
    properties: {
      name: str('Group name.', { indexed: true }),
      group_type: str('Vault or Directory.'),
      description: str('Description.'),
      directory: str('Directory, for directory groups.'),
      dn: str('Distinguished name, for directory groups.'),
      is_predefined: bool('Predefined vault group.'),
    },
  },
  EntraTenant: {
    kind: 'EntraTenant',
    doc: 'A Microsoft Entra ID tenant.',
    nameProperty: 'name',
    properties: { name: str('Tenant id or primary domain.'), graph_url: str('Microsoft Graph base URL.') },
  },
  EntraUser: {
    kind: 'EntraUser',
    doc: 'A Microsoft Entra ID user.',
    ownedBy: 'EntraTenant',
    nameProperty: 'user_principal_name',
    properties: {
      user_principal_name: str('UPN.', { indexed: true }),
      upn_lower: str('Lower-cased UPN, the correlation key.', { indexed: true }),
      display_name: str('Display name.'),
      mail: str('Mail.'),
      account_enabled: bool('Account enabled.'),
      user_type: str('Member or Guest.'),
      on_premises_sid: str('onPremisesSecurityIdentifier.'),
      on_premises_distinguished_name: str('onPremisesDistinguishedName.'),
      on_premises_sam_account_name: str('onPremisesSamAccountName.'),
      on_premises_user_principal_name: str('onPremisesUserPrincipalName.'),
      on_premises_immutable_id: str('onPremisesImmutableId.'),
      on_premises_sync_enabled: bool('Synchronised from on-premises AD.'),
      ...CORRELATION_PROPERTIES,
    },
  },
  EntraGroup: {
    kind: 'EntraGroup',
    doc: 'A Microsoft Entra ID group.',
    ownedBy: 'EntraTenant',
    nameProperty: 'display_name',
    properties: {
      display_name: str('Display name.', { indexed: true }),
      mail: str('Mail.'),
      security_enabled: bool('Security group.'),
      group_types: strList('groupTypes (Unified, DynamicMembership).'),
      on_premises_sid: str('onPremisesSecurityIdentifier.'),
      on_premises_sam_account_name: str('onPremisesSamAccountName.'),
      on_premises_sync_enabled: bool('Synchronised from on-premises AD.'),
      ...CORRELATION_PROPERTIES,
    },
  },
  ADDomain: {
    kind: 'ADDomain',
    doc: 'An Active Directory domain read over LDAP.',
    nameProperty: 'name',
    properties: { name: str('DNS name of the domain.'), base_dn: str('Search base DN.'), url: str('LDAP URL.') },
  },
  ADUser: {
    kind: 'ADUser',
    doc: 'An Active Directory user.',
    ownedBy: 'ADDomain',
    nameProperty: 'sam_account_name',
    properties: {
      distinguished_name: str('Distinguished name as read.'),
      dn_normalized: str('RFC 4514-normalised DN, the correlation key.', { indexed: true }),
      sam_account_name: str('sAMAccountName.', { indexed: true }),
      user_principal_name: str('userPrincipalName.'),
      display_name: str('Display name.'),
      mail: str('Mail.'),
      object_guid: str('objectGUID.'),
      object_sid: str('objectSid.'),
      enabled: bool('False when userAccountControl has ACCOUNTDISABLE.'),
      last_logon_at: datetime('lastLogonTimestamp, ISO 8601 UTC.'),
      ...CORRELATION_PROPERTIES,
    },
  },
  ADGroup: {
    kind: 'ADGroup',
    doc: 'An Active Directory group.',
    ownedBy: 'ADDomain',
    nameProperty: 'sam_account_name',
    properties: {
      distinguished_name: str('Distinguished name as read.'),
      dn_normalized: str('RFC 4514-normalised DN, the correlation key.', { indexed: true }),
      sam_account_name: str('sAMAccountName.', { indexed: true }),
      name: str('cn.'),
      object_guid: str('objectGUID.'),
      object_sid: str('objectSid.'),
      group_type: int('groupType.'),
      ...CORRELATION_PROPERTIES,
    },
  },
  SyncRun: {
    kind: 'SyncRun',
    doc: 'One sync: its status, per-source counts, durations, partial sources and errors.',
    nameProperty: 'id',
    properties: {
      status: oneOf('Outcome.', ['running', 'completed', 'partial', 'failed']),
      started_at: datetime('Start, ISO 8601 UTC.'),
      finished_at: datetime('End, ISO 8601 UTC.'),
      sources: strList('Sources that were configured for the run.'),
      partial_sources: strList('Sources that failed or returned partial data (their stale data is kept).'),
      counts_json: json('Per-source counts of nodes and edges.'),
      durations_json: json('Per-phase durations in milliseconds.'),
      errors_json: json('Errors: [{source, endpoint, message}].'),
    },
  },
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

export type PropValue = string | number | boolean | string[] | null;

/** A node as sources produce it and stores load it. */
export interface GraphNode {
  kind: NodeKind;
  id: string;
  nativeId: string;
  tenantId: string;
  source: SourceName;
  props: Record<string, PropValue>;
}

export interface NodeRef {
  kind: NodeKind;
  id: string;
}

/** An edge; at most one edge of a kind joins two nodes (it is keyed by kind, from and to). */
export interface GraphEdge {
  kind: EdgeKind;
  from: NodeRef;
  to: NodeRef;
  tenantId: string;
  source: SourceName;
  props: Record<string, PropValue>;
}

export function scopedId(tenantId: string, nativeId: string): string {
  return `${tenantId}:${nativeId}`;
}
