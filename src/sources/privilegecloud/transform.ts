/**
 * Privilege Cloud raw data → graph rows, with safe-member resolution against the Identity data. Pure: the clock is
 * a parameter (it decides which memberships have expired).
 */
import type { GraphEdge, GraphNode, NodeRef, PropValue } from '../../graph/schema.js';
import { PREDEFINED_ROLE_MEMBER_IDS } from '../identity/predefined.js';
import { inTenant, NodeTable, type SourceOutput, tenantNode } from '../output.js';
import { Anomalies, epochMs, epochToIso, grantedPermissions, knownMemberType, raw as rawText } from './normalise.js';
import type { PrivilegeCloudRaw } from './schemas.js';

const SOURCE = 'privilegecloud' as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Indexes of the Identity nodes that safe members can refer to. */
export class IdentityLookup {
  private readonly usersById = new Map<string, NodeRef>();
  private readonly usersByLogin = new Map<string, NodeRef>();
  private readonly rolesByName = new Map<string, NodeRef>();
  private readonly rolesByLowerName = new Map<string, NodeRef[]>();
  private readonly groupsByName = new Map<string, NodeRef[]>();

  constructor(nodes: readonly GraphNode[]) {
    for (const n of nodes) {
      const ref = { kind: n.kind, id: n.id };
      if (n.kind === 'CyberArkUser') {
        this.usersById.set(n.nativeId.toLowerCase(), ref);
        if (typeof n.props.login_name === 'string') this.usersByLogin.set(n.props.login_name.toLowerCase(), ref);
      } else if (n.kind === 'CyberArkRole' && typeof n.props.name === 'string') {
        this.rolesByName.set(n.props.name, ref);
        push(this.rolesByLowerName, n.props.name.toLowerCase(), ref);
      } else if (n.kind === 'CyberArkGroup') {
        const names = new Set([n.props.name, n.props.display_name].filter((v): v is string => typeof v === 'string'));
        for (const name of names) push(this.groupsByName, name.toLowerCase(), ref);
      }
    }
  }

  userById(id: string) {
    return this.usersById.get(id.toLowerCase());
  }
  userByLogin(login: string) {
    return this.usersByLogin.get(login.toLowerCase());
  }
  /** Exact name first; a case-insensitive match only when it is unique. */
  roleByName(name: string) {
    const exact = this.rolesByName.get(name);
    if (exact) return exact;
    const ci = this.rolesByLowerName.get(name.toLowerCase());
    return ci?.length === 1 ? ci[0] : undefined;
  }
  groupByName(name: string) {
    const found = this.groupsByName.get(name.toLowerCase());
    return found?.length === 1 ? found[0] : undefined;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export type MemberResolution =
  | { kind: 'identity'; ref: NodeRef; rule: 'user-id' | 'user-login' | 'role-name' | 'role-id' | 'group-name' }
  | { kind: 'vault'; nodeKind: 'VaultUser' | 'VaultGroup' };

/**
 * Who a safe member is (as a recorded Privilege Cloud session shows):
 * - `User` with a GUID memberId → the Identity user with that id; otherwise by memberName = login name;
 * - `Group` or `Role` whose memberName is an Identity role name → that role (ISPSS lists roles as Group members);
 *   failing that, a predefined role's synthetic member id (Privilege_Cloud_Admins_ID) → that role;
 * - a directory group by name → that CyberArk group;
 * - anything else (predefined users, component users, vault groups) → a VaultUser / VaultGroup.
 */
export function resolveMember(
  member: { memberId: string; memberName: string; memberType: string },
  lookup: IdentityLookup,
): MemberResolution {
  const type = member.memberType.toLowerCase();
  if (type === 'user') {
    const byId = GUID.test(member.memberId) ? lookup.userById(member.memberId) : undefined;
    if (byId) return { kind: 'identity', ref: byId, rule: 'user-id' };
    const byLogin = lookup.userByLogin(member.memberName);
    if (byLogin) return { kind: 'identity', ref: byLogin, rule: 'user-login' };
    return { kind: 'vault', nodeKind: 'VaultUser' };
  }
  const role = lookup.roleByName(member.memberName);
  if (role) return { kind: 'identity', ref: role, rule: 'role-name' };
  const predefined = PREDEFINED_ROLE_MEMBER_IDS[member.memberId.toLowerCase()];
  const byId = predefined ? lookup.roleByName(predefined) : undefined;
  if (byId) return { kind: 'identity', ref: byId, rule: 'role-id' };
  const group = lookup.groupByName(member.memberName);
  if (group) return { kind: 'identity', ref: group, rule: 'group-name' };
  return { kind: 'vault', nodeKind: 'VaultGroup' };
}

export function pcloudTenantId(pcloudUrl: string): string {
  return new URL(pcloudUrl).host;
}

export function transformPrivilegeCloud(raw: PrivilegeCloudRaw, lookup: IdentityLookup, nowMs: number): SourceOutput {
  const tenantId = pcloudTenantId(raw.pcloudUrl);
  const table = new NodeTable(tenantId, SOURCE);
  const nodes = table.nodes;
  const edges: GraphEdge[] = [];
  const warnings: string[] = [];
  const anomalies = new Anomalies();

  const edge = (kind: GraphEdge['kind'], from: NodeRef, to: NodeRef, props: Record<string, PropValue> = {}) =>
    edges.push({ kind, from, to, tenantId, source: SOURCE, props });

  const tenant = tenantNode('PrivilegeCloudTenant', tenantId, SOURCE, {
    name: tenantId,
    instance_url: raw.pcloudUrl,
    deployment: raw.deployment,
  });
  nodes.push(tenant);

  // Vault principals are keyed by lower-cased name: safe members and UserGroups name them the same way.
  const vaultUser = (name: string, nativeId: string, props: Record<string, PropValue> = {}) =>
    table.add('VaultUser', nativeId, { username: name, ...props }, `user:${name.toLowerCase()}`);
  const vaultGroup = (name: string, nativeId: string, props: Record<string, PropValue> = {}) =>
    table.add('VaultGroup', nativeId, { name, ...props }, `group:${name.toLowerCase()}`);

  const safesByName = new Map<string, GraphNode>();
  for (const s of raw.safes) {
    const safe = table.add('Safe', s.safeName, {
      name: s.safeName,
      name_lower: s.safeName.toLowerCase(),
      display_name: s.safeName,
      description: s.description ?? null,
      safe_url_id: s.safeUrlId,
      safe_number: s.safeNumber ?? null,
      location: s.location ?? null,
      auto_purge_enabled: s.autoPurgeEnabled ?? null,
      is_expired_member: s.isExpiredMember ?? null,
      managing_cpm: s.managingCPM ?? null,
      number_of_versions_retention: s.numberOfVersionsRetention ?? null,
      number_of_days_retention: s.numberOfDaysRetention ?? null,
      olac_enabled: s.olacEnabled ?? null,
      creation_time: epochToIso(s.creationTime, 's', `safe "${s.safeName}" creationTime`, anomalies),
      last_modification_time: epochToIso(
        s.lastModificationTime,
        'us',
        `safe "${s.safeName}" lastModificationTime`,
        anomalies,
      ),
      creator_name: s.creator?.name ?? null,
    });
    safesByName.set(s.safeName, safe);

    const seen = new Set<string>();
    for (const m of raw.members[s.safeName] ?? []) {
      const where = `safe "${s.safeName}" member ${JSON.stringify(m.memberName)}`;
      if (!knownMemberType(m.memberType)) {
        anomalies.add(
          'member type',
          `${where}: memberType ${rawText(m.memberType)} is not User, Group or Role; resolved as a group: ${rawText(m)}`,
        );
      }
      const memberId = m.memberId ?? m.memberName;
      const resolution = resolveMember({ ...m, memberId }, lookup);
      let from: NodeRef;
      if (resolution.kind === 'identity') from = resolution.ref;
      else if (resolution.nodeKind === 'VaultUser')
        from = vaultUser(m.memberName, memberId, { is_predefined: m.isPredefinedUser ?? false });
      else from = vaultGroup(m.memberName, memberId, { is_predefined: m.isPredefinedUser ?? false });
      const key = `${from.kind}|${from.id}`;
      if (seen.has(key)) {
        warnings.push(`safe "${s.safeName}": ${m.memberName} is listed twice; the first listing is kept`);
        continue;
      }
      seen.add(key);
      const expiresAt = m.membershipExpirationDate ?? null;
      const expired = (expiresAt !== null && epochMs(expiresAt) <= nowMs) || m.isExpiredMembershipEnable === true;
      edge(
        'SAFE_MEMBER',
        from,
        { kind: 'Safe', id: safe.id },
        {
          permissions: grantedPermissions(m.permissions, where, anomalies),
          member_id: memberId,
          member_name: m.memberName,
          member_type: m.memberType,
          membership_expiration: epochToIso(expiresAt, 's', `${where} membershipExpirationDate`, anomalies),
          is_expired: expired,
          is_predefined: m.isPredefinedUser ?? false,
          is_read_only: m.isReadOnly ?? false,
        },
      );
    }
  }

  for (const a of raw.accounts) {
    const safe = safesByName.get(a.safeName);
    if (!safe) {
      warnings.push(
        `account ${a.id} ("${a.name}") is in safe "${a.safeName}", which the Safes list did not return; skipped`,
      );
      continue;
    }
    const sm = a.secretManagement;
    const account = table.add('Account', a.id, {
      name: a.name,
      safe_name: a.safeName,
      platform_id: a.platformId ?? null,
      address: a.address ?? null,
      user_name: a.userName ?? null,
      secret_type: a.secretType ?? null,
      automatic_management_enabled: sm?.automaticManagementEnabled ?? null,
      manual_management_reason: sm?.manualManagementReason ?? null,
      secret_status: sm?.status ?? null,
      created_time: epochToIso(a.createdTime, 's', `account ${a.id} createdTime`, anomalies),
      last_modified_time: epochToIso(sm?.lastModifiedTime, 's', `account ${a.id} lastModifiedTime`, anomalies),
      last_verified_time: epochToIso(sm?.lastVerifiedTime, 's', `account ${a.id} lastVerifiedTime`, anomalies),
      last_reconciled_time: epochToIso(sm?.lastReconciledTime, 's', `account ${a.id} lastReconciledTime`, anomalies),
    });
    edge('CONTAINS', { kind: 'Safe', id: safe.id }, { kind: 'Account', id: account.id });
  }

  for (const g of raw.userGroups) {
    // A vault group whose name is an Identity role or directory group is that principal, not a vault group.
    const resolution = resolveMember({ memberId: g.id, memberName: g.groupName, memberType: 'Group' }, lookup);
    if (resolution.kind === 'identity') continue;
    const group = vaultGroup(g.groupName, g.id, {
      group_type: g.groupType ?? null,
      description: g.description ?? null,
      directory: g.directory ?? null,
      dn: g.dn ?? null,
    });
    for (const m of g.members ?? []) {
      const name = (m.UserName ?? m.username)!;
      const user = lookup.userByLogin(name) ?? vaultUser(name, String(m.id ?? name));
      edge('MEMBER_OF', user, { kind: 'VaultGroup', id: group.id });
    }
  }

  for (const n of nodes) if (n !== tenant) edges.push(inTenant(n, 'PrivilegeCloudTenant'));
  warnings.push(...anomalies.warnings());
  return { source: SOURCE, tenantId, nodes, edges, warnings };
}
