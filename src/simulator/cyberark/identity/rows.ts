/**
 * Identity rows derived from the tenant: the Redrock tables (Identity data dictionary), DirectoryServiceQuery rows
 * and GetDirectoryServices rows (ark-sdk-python, marcozj/golang-sdk).
 */
import type { DirectoryService, IdentityGroup, IdentityRole, IdentityUser } from '../../../tenant/format/index.js';
import type { Variations } from '../../shared/variations.js';
import type { TenantModel } from '../model.js';
import type { ColumnDef, ColumnType, Dataset, SourceRow } from '../redrock/dataset.js';

function cols(spec: Record<string, ColumnType>): ColumnDef[] {
  return Object.entries(spec).map(([name, type]) => ({ name, type }));
}

const toMs = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

function dirFields(model: TenantModel, uuid: string): { ds: DirectoryService | undefined; forest: string | null } {
  const ds = model.dirOf(uuid);
  return { ds, forest: ds?.forest ?? null };
}

export const USER_COLUMNS = cols({
  ID: 'string',
  Username: 'string',
  DisplayName: 'string',
  Email: 'string',
  LastLogin: 'date',
  LastInvite: 'date',
  StatusEnum: 'string',
  Status: 'string',
  RiskLevel: 'string',
  SourceDs: 'string',
  SourceDsLocalized: 'string',
  SourceDsType: 'string',
  DirectoryServiceUuid: 'string',
  Forest: 'string',
  MobileNumber: 'string',
  // Service users and OAuth confidential clients (which are service users) are not in the Everybody role.
  ServiceUser: 'boolean',
  SecurityQuestionSet: 'boolean',
  SecurityQuestionCount: 'int',
});

function userRow(model: TenantModel, u: IdentityUser, variations: Variations): SourceRow {
  const { ds, forest } = dirFields(model, u.directoryServiceUuid);
  const values: Record<string, unknown> = {
    ID: u.id,
    Username: u.username,
    DisplayName: u.displayName,
    Email: u.email,
    LastLogin: toMs(u.lastLogin),
    LastInvite: null, // not in the tenant format
    StatusEnum: u.status,
    Status: u.status,
    RiskLevel: u.riskLevel,
    SourceDs: ds?.service ?? null,
    SourceDsLocalized: ds?.displayName ?? null,
    SourceDsType: ds?.service ?? null,
    DirectoryServiceUuid: u.directoryServiceUuid,
    Forest: forest,
    MobileNumber: u.mobileNumber,
    ServiceUser: u.serviceUser || u.oauthClient,
    SecurityQuestionSet: u.securityQuestionCount > 0,
    SecurityQuestionCount: u.securityQuestionCount,
  };
  // Optional fields some real rows lack (issue 14); a key left out of the values is left out of the answer. A row
  // without ServiceUser costs the client a GetUserAttributes request, so that one is rarer.
  for (const field of ['SecurityQuestionSet', 'SecurityQuestionCount', 'MobileNumber']) {
    if (variations.varies('User', field, u.id)) delete values[field];
  }
  if (variations.variesAt(0.03, 'User', 'ServiceUser', u.id)) delete values.ServiceUser;
  return { values, entities: [{ Type: 'User', Key: u.id, IsForeignKey: false }] };
}

export const DSUSERS_COLUMNS = cols({
  InternalName: 'string',
  SystemName: 'string',
  DisplayName: 'string',
  Description: 'string',
  StatusEnum: 'string',
  Status: 'string',
  Enabled: 'boolean',
  Locked: 'boolean',
  EMail: 'string',
  ServiceInstance: 'string',
  ServiceInstanceLocalized: 'string',
  ServiceType: 'string',
  DirectoryServiceUuid: 'string',
  Forest: 'string',
});

function dsUserRow(model: TenantModel, u: IdentityUser): SourceRow {
  const { ds, forest } = dirFields(model, u.directoryServiceUuid);
  const internal = u.internalName ?? u.id;
  return {
    values: {
      InternalName: internal,
      SystemName: u.username,
      DisplayName: u.displayName,
      Description: u.description ?? null,
      StatusEnum: u.status,
      Status: u.status,
      Enabled: u.enabled,
      Locked: u.locked,
      EMail: u.email,
      ServiceInstance: ds?.name ?? null,
      ServiceInstanceLocalized: ds?.displayName ?? null,
      ServiceType: ds?.service ?? null,
      DirectoryServiceUuid: u.directoryServiceUuid,
      Forest: forest,
    },
    // DSUsers entities carry the DsUsers key and a foreign key to the User (Identity data dictionary).
    entities: [
      { Type: 'DsUsers', Key: internal, IsForeignKey: false },
      { Type: 'User', Key: u.id, IsForeignKey: true },
    ],
  };
}

export const DSGROUPS_COLUMNS = cols({
  InternalName: 'string',
  SystemName: 'string',
  DisplayName: 'string',
  Description: 'string',
  ServiceInstance: 'string',
  ServiceInstanceLocalized: 'string',
  ServiceType: 'string',
  DirectoryServiceUuid: 'string',
  Forest: 'string',
});

function dsGroupRow(model: TenantModel, g: IdentityGroup): SourceRow {
  const { ds, forest } = dirFields(model, g.directoryServiceUuid);
  return {
    values: {
      InternalName: g.id,
      SystemName: g.name,
      DisplayName: g.displayName,
      Description: g.description ?? null,
      ServiceInstance: ds?.name ?? null,
      ServiceInstanceLocalized: ds?.displayName ?? null,
      ServiceType: ds?.service ?? null,
      DirectoryServiceUuid: g.directoryServiceUuid,
      Forest: forest,
    },
    entities: [{ Type: 'DsGroups', Key: g.id, IsForeignKey: false }],
  };
}

export const ROLE_COLUMNS = cols({
  ID: 'string',
  Name: 'string',
  RoleType: 'string',
  ReadOnly: 'boolean',
  Description: 'string',
  DirectoryServiceUuid: 'string',
  OrgPath: 'string',
});

function roleRow(r: IdentityRole): SourceRow {
  return {
    values: {
      ID: r.id,
      Name: r.name,
      RoleType: r.roleType,
      ReadOnly: r.readOnly,
      Description: r.description,
      DirectoryServiceUuid: r.directoryServiceUuid ?? null,
      OrgPath: null,
    },
    entities: [{ Type: 'Role', Key: r.id, IsForeignKey: false }],
  };
}

// The documented Application column list is longer; columns beyond these are unconfirmed.
export const APPLICATION_COLUMNS = cols({
  ID: 'string',
  Name: 'string',
  DisplayName: 'string',
  Description: 'string',
  Category: 'string',
  State: 'string',
  AppType: 'string',
  AppTypeDisplayName: 'string',
  WebAppType: 'string',
  WebAppTypeDisplayName: 'string',
  TemplateName: 'string',
  OnPrem: 'boolean',
  Version: 'string',
});

function applicationRow(model: TenantModel, appId: string): SourceRow {
  const a = model.app(appId)!;
  return {
    values: {
      ID: a.id,
      Name: a.name,
      DisplayName: a.displayName,
      Description: a.description,
      Category: a.category,
      State: a.state,
      AppType: a.appType,
      AppTypeDisplayName: a.appType,
      WebAppType: a.webAppType,
      WebAppTypeDisplayName: a.webAppType,
      TemplateName: a.templateName,
      OnPrem: a.onPrem,
      Version: a.version,
    },
    entities: [{ Type: 'Application', Key: a.id, IsForeignKey: false }],
  };
}

/** Columns of the User table that a tenant may lack (SimulatorOptions.legacyUserTable). */
const NEWER_USER_COLUMNS = new Set(['ServiceUser', 'SecurityQuestionSet', 'SecurityQuestionCount']);

/** The Redrock tables, keyed by lower-cased table name; `legacyUserTable` drops the User columns in NEWER_USER_COLUMNS. */
export function redrockTables(
  model: TenantModel,
  variations: Variations,
  legacyUserTable = false,
): Map<string, Dataset> {
  const id = model.tenant.identity;
  const userColumns = legacyUserTable ? USER_COLUMNS.filter((c) => !NEWER_USER_COLUMNS.has(c.name)) : USER_COLUMNS;
  const userRows = id.users.map((u) => userRow(model, u, variations));
  if (legacyUserTable) for (const r of userRows) for (const c of NEWER_USER_COLUMNS) delete r.values[c];
  const tables: Dataset[] = [
    { tableName: 'User', key: 'ID', columns: userColumns, rows: userRows },
    {
      tableName: 'DSUsers',
      key: 'InternalName',
      columns: DSUSERS_COLUMNS,
      rows: id.users.map((u) => dsUserRow(model, u)),
    },
    {
      tableName: 'DSGroups',
      key: 'InternalName',
      columns: DSGROUPS_COLUMNS,
      rows: id.groups.map((g) => dsGroupRow(model, g)),
    },
    { tableName: 'Role', key: 'ID', columns: ROLE_COLUMNS, rows: id.roles.map(roleRow) },
    {
      tableName: 'Application',
      key: 'ID',
      columns: APPLICATION_COLUMNS,
      rows: id.applications.map((a) => applicationRow(model, a.id)),
    },
  ];
  return new Map(tables.map((t) => [t.tableName.toLowerCase(), t]));
}

// ---------------------------------------------------------------------------------------------------------------
// DirectoryServiceQuery rows

export const DSQ_USER_COLUMNS = cols({
  InternalName: 'string',
  SystemName: 'string',
  DisplayName: 'string',
  EMail: 'string',
  Description: 'string',
  DistinguishedName: 'string',
  ObjectType: 'string',
  ServiceType: 'string',
  ServiceInstance: 'string',
  ServiceInstanceLocalized: 'string',
  DirectoryServiceUuid: 'string',
  ExternalUuid: 'string',
  Forest: 'string',
  Locked: 'boolean',
  Enabled: 'boolean',
  Status: 'string',
  StatusEnum: 'string',
});

export function dsqUserRow(model: TenantModel, u: IdentityUser, variations: Variations): SourceRow {
  const { ds, forest } = dirFields(model, u.directoryServiceUuid);
  const values: Record<string, unknown> = {
    InternalName: u.internalName ?? u.id,
    SystemName: u.username,
    DisplayName: u.displayName,
    EMail: u.email,
    Description: u.description ?? null,
    DistinguishedName: u.distinguishedName ?? null,
    ObjectType: 'User',
    ServiceType: ds?.service ?? null,
    ServiceInstance: ds?.name ?? null,
    ServiceInstanceLocalized: ds?.displayName ?? null,
    DirectoryServiceUuid: u.directoryServiceUuid,
    // For cloud users the platform token's ExternalUuid equals the user UUID (a recorded Privilege Cloud session).
    ExternalUuid: u.externalUuid ?? (ds?.service === 'CDS' ? u.id : null),
    Forest: forest,
    Locked: u.locked,
    Enabled: u.enabled,
    Status: u.status,
    StatusEnum: u.status,
  };
  // SystemName is missing from some real rows (issue 14).
  if (variations.varies('DirectoryServiceQuery User', 'SystemName', u.id)) delete values.SystemName;
  return { values, entities: [{ Type: 'User', Key: u.id, IsForeignKey: false }] };
}

export const DSQ_GROUP_COLUMNS = cols({
  InternalName: 'string',
  SystemName: 'string',
  DisplayName: 'string',
  ServiceType: 'string',
  ServiceInstanceLocalized: 'string',
  DirectoryServiceUuid: 'string',
  ExternalUuid: 'string',
  DistinguishedName: 'string',
});

export function dsqGroupRow(model: TenantModel, g: IdentityGroup): SourceRow {
  const { ds } = dirFields(model, g.directoryServiceUuid);
  const values: Record<string, unknown> = {
    InternalName: g.id,
    SystemName: g.name,
    DisplayName: g.displayName,
    ServiceType: ds?.service ?? null,
    ServiceInstanceLocalized: ds?.displayName ?? null,
    DirectoryServiceUuid: g.directoryServiceUuid,
    ExternalUuid: g.externalUuid ?? null,
  };
  if (ds?.service === 'AdProxy') values.DistinguishedName = g.distinguishedName ?? null;
  return { values, entities: [{ Type: 'Group', Key: g.id, IsForeignKey: false }] };
}

export const DSQ_ROLE_COLUMNS = cols({
  _ID: 'string',
  Name: 'string',
  Description: 'string',
  RoleType: 'string',
  IsHidden: 'boolean',
  AdministrativeRights: 'object',
});

export function dsqRoleRow(r: IdentityRole): SourceRow {
  return {
    values: {
      _ID: r.id,
      Name: r.name,
      Description: r.description,
      RoleType: r.roleType,
      IsHidden: r.isHidden,
      AdministrativeRights: r.adminRights.map((a) => ({ Path: a.path, ServiceName: a.serviceName ?? null })),
    },
    entities: [{ Type: 'Role', Key: r.id, IsForeignKey: false }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// GetDirectoryServices rows

const SERVICE_DESCRIPTIONS: Record<DirectoryService['service'], string> = {
  CDS: 'CyberArk Cloud Directory',
  AdProxy: 'Active Directory',
  FDS: 'Federated Directory',
  LdapProxy: 'LDAP Directory',
  GDS: 'Google Directory',
};

export function directoryServiceRow(model: TenantModel, d: DirectoryService): SourceRow {
  const values: Record<string, unknown> = {
    Service: d.service,
    DisplayName: d.displayName,
    Tenant: model.tenant.identity.tenantId,
    Name: d.name,
    Status: d.status,
    Config: d.config ?? (d.service === 'AdProxy' && d.forest ? d.forest : d.displayName),
    StatusDisplay: d.status === 'Active' ? 'Online' : 'Offline',
    Everybody: true,
    Description: SERVICE_DESCRIPTIONS[d.service],
    DisplayNameShort: d.service === 'AdProxy' && d.forest ? `AD: ${d.forest}` : d.displayName,
    directoryServiceUuid: d.uuid, // lower camel here, unlike everywhere else
  };
  // The marcozj/golang-sdk sample carries Forest only on the AD row.
  if (d.forest) values.Forest = d.forest;
  return { values, entities: [{ Type: 'DirectoryServices', Key: d.uuid, IsForeignKey: false }] };
}
