/**
 * Identity raw data → graph rows. Pure: no I/O, no clock.
 */
import { appGrantNames } from '../../graph/permissions.js';
import type { GraphEdge, GraphNode, PropValue } from '../../graph/schema.js';
import { parseDotNetDate } from '../../http/index.js';
import { edgeBetween, inTenant, NodeTable, type SourceOutput, tenantNode } from '../output.js';
import { roleTypeOf } from './predefined.js';
import type { DirectoryServiceRow, IdentityRaw, UserAttributes, UserRow } from './schemas.js';

const SOURCE = 'identity' as const;

/** The tenant id: `Tenant` from Core/GetDirectoryServices, else the Identity host. */
export function identityTenantId(raw: Pick<IdentityRaw, 'directoryServices' | 'identityUrl'>): string {
  const fromRows = raw.directoryServices.find((d) => d.Tenant)?.Tenant;
  return fromRows ?? new URL(raw.identityUrl).host;
}

/**
 * The identity of a user or group in its source directory: the DN for AD (and LDAP) objects, the external object id
 * (e.g. the Entra object id) for federated and other ones; none for the Cloud Directory.
 */
export function idpUniqueId(
  serviceType: string | null | undefined,
  dn: string | null | undefined,
  externalUuid: string | null | undefined,
): string | null {
  const type = (serviceType ?? '').toLowerCase();
  if (type === 'cds') return null;
  if (type === 'adproxy' || type === 'ldapproxy') return dn || null;
  return externalUuid || dn || null;
}

/** What a user is, as far as the Everybody role goes: from the User row, else from GetUserAttributes. */
export interface ServiceUserFacts {
  /** null: neither the User row nor the attributes said. */
  serviceUser: boolean | null;
  oauthClient: boolean | null;
  /** Whether the Everybody role holds the user; null when unknown. */
  inEverybody: boolean | null;
}

/**
 * Service users (OAuth confidential clients are service users too) are not in the Everybody role (idsec-sdk-golang:
 * GetUserAttributes answers InEverybodyRole false for them). The User row's ServiceUser column says it; for a row
 * without it, the user's attributes do, and their InEverybodyRole is the tenant's own word on the Everybody role.
 */
export function serviceUserFacts(row: Pick<UserRow, 'ServiceUser'> | undefined, attrs: UserAttributes | undefined) {
  const oauthClient = typeof attrs?.OauthClient === 'boolean' ? attrs.OauthClient : null;
  let serviceUser: boolean | null = typeof row?.ServiceUser === 'boolean' ? row.ServiceUser : null;
  if (serviceUser === null && attrs) {
    // An explicit ServiceUser (or OauthClient) decides what the user is; InEverybodyRole only says it where those
    // are silent (idsec-sdk-golang reads InEverybodyRole false as a service user), and decides membership below.
    if (typeof attrs.ServiceUser === 'boolean') serviceUser = attrs.ServiceUser;
    else if (oauthClient === true || attrs.InEverybodyRole === false) serviceUser = true;
    else if (attrs.InEverybodyRole === true) serviceUser = false;
  }
  if (oauthClient === true) serviceUser = true;
  const told = typeof attrs?.InEverybodyRole === 'boolean' ? attrs.InEverybodyRole : null;
  const inEverybody = told ?? (serviceUser === null ? null : !serviceUser);
  return { serviceUser, oauthClient, inEverybody } satisfies ServiceUserFacts;
}

/** The user properties the facts give (identity_type null when nothing said what the user is). */
function serviceUserProps(facts: ServiceUserFacts): Record<string, PropValue> {
  return {
    identity_type: facts.serviceUser === null ? null : facts.serviceUser ? 'NonHuman' : 'Human',
    is_service_user: facts.serviceUser,
    is_oauth_client: facts.oauthClient,
    in_everybody_role: facts.inEverybody,
  };
}

export function transformIdentity(raw: IdentityRaw): SourceOutput {
  const tenantId = identityTenantId(raw);
  // A later, richer row completes an earlier one (e.g. a group first seen as a role member).
  const table = new NodeTable(tenantId, SOURCE);
  const nodes = table.nodes;
  const edges: GraphEdge[] = [];
  const warnings: string[] = [];
  const edgeIndex = new Set<string>();

  const dirs = new Map<string, DirectoryServiceRow>();
  for (const d of raw.directoryServices) dirs.set(d.directoryServiceUuid.toLowerCase(), d);
  const dirType = (uuid: string | null | undefined) => (uuid ? (dirs.get(uuid.toLowerCase())?.Service ?? null) : null);

  const addEdge = (kind: GraphEdge['kind'], from: GraphNode, to: GraphNode, props: Record<string, PropValue> = {}) => {
    const key = `${kind}|${from.kind}|${from.id}|${to.kind}|${to.id}`;
    if (edgeIndex.has(key)) return;
    edgeIndex.add(key);
    edges.push(edgeBetween(kind, from, to, tenantId, SOURCE, props));
  };

  const tenant = tenantNode('IdentityTenant', tenantId, SOURCE, {
    name: tenantId,
    tenant_url: raw.identityUrl,
    directory_services: JSON.stringify(
      raw.directoryServices.map((d) => ({
        uuid: d.directoryServiceUuid,
        service: d.Service,
        name: d.Name,
        display_name: d.DisplayName ?? null,
        forest: d.Forest ?? null,
        status: d.Status ?? null,
      })),
    ),
  });
  nodes.push(tenant);

  // Users: the User table, completed with the directory identity from DirectoryServiceQuery.
  const dsqByLogin = new Map(
    raw.directoryUsers.filter((u) => u.SystemName).map((u) => [u.SystemName!.toLowerCase(), u]),
  );
  const dsqById = new Map(raw.directoryUsers.map((u) => [u.InternalName.toLowerCase(), u]));
  const usersById = new Map<string, GraphNode>();
  /** Users the Everybody role holds implicitly. */
  const inEverybody = new Set<string>();
  const unknownService: string[] = [];
  for (const u of raw.users) {
    const facts = serviceUserFacts(u, raw.userAttributes?.[u.ID.toLowerCase()]);
    if (facts.inEverybody !== false) inEverybody.add(u.ID.toLowerCase());
    if (facts.inEverybody === null) unknownService.push(u.Username);
    const dsq = dsqByLogin.get(u.Username.toLowerCase()) ?? dsqById.get(u.ID.toLowerCase());
    const dirUuid = u.DirectoryServiceUuid ?? dsq?.DirectoryServiceUuid ?? null;
    const serviceType = dirType(dirUuid) ?? u.SourceDsType ?? dsq?.ServiceType ?? null;
    const status = u.StatusEnum ?? dsq?.StatusEnum ?? null;
    const active = status === 'Active' && dsq?.Enabled !== false && dsq?.Locked !== true;
    const node = table.add('CyberArkUser', u.ID, {
      login_name: u.Username,
      login_name_lower: u.Username.toLowerCase(),
      display_name: u.DisplayName ?? dsq?.DisplayName ?? null,
      email: u.Email ?? dsq?.EMail ?? null,
      is_active: active,
      status,
      last_login_at: parseDotNetDate(u.LastLogin),
      ...serviceUserProps(facts),
      idp_unique_id: idpUniqueId(serviceType, dsq?.DistinguishedName, dsq?.ExternalUuid),
      risk_level: u.RiskLevel ?? null,
      security_question_count: u.SecurityQuestionCount ?? null,
      security_question_set:
        u.SecurityQuestionSet ?? (typeof u.SecurityQuestionCount === 'number' ? u.SecurityQuestionCount > 0 : null),
      directory_service_uuid: dirUuid,
      directory_service_type: serviceType,
      distinguished_name: dsq?.DistinguishedName ?? null,
      external_uuid: dsq?.ExternalUuid ?? null,
    });
    usersById.set(u.ID.toLowerCase(), node);
  }

  const groupsById = new Map<string, GraphNode>();
  for (const g of raw.directoryGroups) {
    const serviceType = dirType(g.DirectoryServiceUuid) ?? g.ServiceType ?? null;
    const node = table.add('CyberArkGroup', g.InternalName, {
      // SystemName may be missing from a row (issue 14): the display name, else the directory id, names the group.
      name: g.SystemName || g.DisplayName || g.InternalName,
      display_name: g.DisplayName ?? null,
      idp_unique_id: idpUniqueId(serviceType, g.DistinguishedName, g.ExternalUuid),
      directory_service_uuid: g.DirectoryServiceUuid ?? null,
      directory_service_type: serviceType,
    });
    groupsById.set(g.InternalName.toLowerCase(), node);
  }

  const hidden = new Map(raw.directoryRoles.map((r) => [r._ID.toLowerCase(), r.IsHidden ?? null]));
  const rolesById = new Map<string, GraphNode>();
  for (const r of raw.roles) {
    const rights = raw.roleAdminRights[r.ID] ?? [];
    const roleType = roleTypeOf(r);
    const node = table.add('CyberArkRole', r.ID, {
      name: r.Name ?? r.ID,
      description: r.Description ?? null,
      is_hidden: hidden.get(r.ID.toLowerCase()) ?? null,
      read_only: r.ReadOnly ?? null,
      role_type: roleType,
      permissions: rights.map((a) => a.Path),
      permission_names: rights.map((a) => a.Description ?? a.Path),
      // Script roles compute their members; the API cannot list them (IdentityCommand Get-IDDynamicRoleMember).
      members_unknown: roleType.toLowerCase() === 'script',
    });
    rolesById.set(r.ID.toLowerCase(), node);
  }

  for (const r of raw.roles) {
    const role = rolesById.get(r.ID.toLowerCase())!;
    for (const m of raw.roleMembers[r.ID] ?? []) {
      const type = m.Type.toLowerCase();
      if (type === 'user') {
        let user = usersById.get(m.Guid.toLowerCase());
        if (!user) {
          // A member the User table did not list (it may omit users who never signed in): keep what we know, and
          // what its attributes say about the Everybody role.
          const facts = serviceUserFacts(undefined, raw.userAttributes?.[m.Guid.toLowerCase()]);
          user = table.add('CyberArkUser', m.Guid, {
            login_name: m.Name ?? m.Guid,
            login_name_lower: (m.Name ?? m.Guid).toLowerCase(),
            ...serviceUserProps(facts),
            is_active: null,
          });
          usersById.set(m.Guid.toLowerCase(), user);
          if (facts.inEverybody !== false) inEverybody.add(m.Guid.toLowerCase());
          if (facts.inEverybody === null) unknownService.push(m.Name ?? m.Guid);
          warnings.push(`role "${role.props.name}": user member ${m.Name ?? m.Guid} is not in the User table`);
        }
        addEdge('HAS_ROLE', user, role, { implicit: false });
      } else if (type === 'group') {
        let group = groupsById.get(m.Guid.toLowerCase());
        if (!group) {
          group = table.add('CyberArkGroup', m.Guid, { name: m.Name ?? m.Guid });
          groupsById.set(m.Guid.toLowerCase(), group);
        }
        addEdge('HAS_ROLE', group, role, { implicit: false });
      } else if (type === 'role') {
        const child = rolesById.get(m.Guid.toLowerCase());
        if (!child) {
          warnings.push(`role "${role.props.name}": member role ${m.Name ?? m.Guid} is not in the Role table; skipped`);
          continue;
        }
        addEdge('HAS_ROLE', child, role, { implicit: false });
      } else {
        warnings.push(`role "${role.props.name}": member ${m.Name ?? m.Guid} has unknown type "${m.Type}"; skipped`);
      }
    }
  }

  // The Everybody role holds every user but service users implicitly (Identity docs: Role table; idsec-sdk-golang).
  // A user whose service-user status nothing told is counted in, so that who-can over-reports rather than hides
  // access, and the sync says so.
  for (const role of rolesById.values()) {
    if (role.props.role_type !== 'Everybody') continue;
    for (const [key, user] of usersById) if (inEverybody.has(key)) addEdge('HAS_ROLE', user, role, { implicit: true });
  }
  if (unknownService.length > 0) {
    const shown = unknownService.slice(0, 5).join(', ');
    const more = unknownService.length > 5 ? ` and ${unknownService.length - 5} more` : '';
    warnings.push(
      `${unknownService.length} user(s) whose service-user status neither the User table (ServiceUser) nor UserMgmt/GetUserAttributes gave are counted in the Everybody role: ${shown}${more}`,
    );
  }

  for (const a of raw.applications) {
    const app = table.add('CyberArkApplication', a.ID, {
      name: a.Name ?? a.ID,
      display_name: a.DisplayName ?? null,
      description: a.Description ?? null,
      catalog_visibility: null,
      category: a.Category ?? null,
      on_prem: a.OnPrem ?? null,
      service_name: null,
      state: a.State ?? null,
      version: a.Version === null || a.Version === undefined ? null : String(a.Version),
      app_type: a.AppType ?? null,
      template_name: a.TemplateName ?? null,
    });
    for (const ace of raw.applicationAces[a.ID] ?? []) {
      const type = ace.PrincipalType.toLowerCase();
      const key = ace.Principal.toLowerCase();
      const principal =
        type === 'user'
          ? usersById.get(key)
          : type === 'group'
            ? groupsById.get(key)
            : type === 'role'
              ? rolesById.get(key)
              : undefined;
      if (!principal) {
        warnings.push(
          `application "${app.props.name}": ACE principal ${ace.PrincipalName ?? ace.Principal} (${ace.PrincipalType}) is unknown; skipped`,
        );
        continue;
      }
      const grant = ace.Grant >>> 0;
      addEdge('CAN_ACCESS', principal, app, { grant, grant_names: appGrantNames(grant) });
    }
  }

  for (const n of nodes) if (n !== tenant) edges.push(inTenant(n, 'IdentityTenant'));
  return { source: SOURCE, tenantId, nodes, edges, warnings };
}
