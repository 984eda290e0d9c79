/**
 * Entra ID raw data → graph rows. Pure: no I/O, no clock. Correlation with CyberArk is a separate phase; this only
 * describes the directory: the tenant, users, groups, direct MEMBER_OF (user → group, group → group) and IN_TENANT.
 */
import { type GraphEdge, type GraphNode, type NodeKind, type PropValue, scopedId } from '../../graph/schema.js';
import { edgeBetween, inTenant, type SourceOutput, tenantNode } from '../output.js';
import type { EntraRaw, GroupRow, MemberRow, UserRow } from './schemas.js';

const SOURCE = 'entra' as const;

const MEMBER_KINDS: Record<string, NodeKind> = {
  '#microsoft.graph.user': 'EntraUser',
  '#microsoft.graph.group': 'EntraGroup',
};

/** The correlation key of a UPN: trimmed, lower-cased (cloud UPNs are ASCII: Graph docs, user resource). */
export function upnKey(upn: string): string {
  return upn.trim().toLowerCase();
}

/** Graph key of an Entra object: `<tenant id>:<object id>`, both lower-cased. */
export function entraNodeId(tenantId: string, objectId: string): string {
  return scopedId(tenantId.toLowerCase(), objectId.toLowerCase());
}

function userProps(u: UserRow): Record<string, PropValue> {
  return {
    user_principal_name: u.userPrincipalName,
    upn_lower: upnKey(u.userPrincipalName),
    display_name: u.displayName ?? null,
    mail: u.mail ?? null,
    account_enabled: u.accountEnabled ?? null,
    user_type: u.userType ?? null,
    on_premises_sid: u.onPremisesSecurityIdentifier ?? null,
    on_premises_distinguished_name: u.onPremisesDistinguishedName ?? null,
    on_premises_sam_account_name: u.onPremisesSamAccountName ?? null,
    on_premises_user_principal_name: u.onPremisesUserPrincipalName ?? null,
    on_premises_immutable_id: u.onPremisesImmutableId ?? null,
    on_premises_sync_enabled: u.onPremisesSyncEnabled ?? null,
  };
}

function groupProps(g: GroupRow): Record<string, PropValue> {
  return {
    display_name: g.displayName ?? null,
    mail: g.mail ?? null,
    security_enabled: g.securityEnabled ?? null,
    group_types: g.groupTypes ?? [],
    on_premises_sid: g.onPremisesSecurityIdentifier ?? null,
    on_premises_sam_account_name: g.onPremisesSamAccountName ?? null,
    on_premises_sync_enabled: g.onPremisesSyncEnabled ?? null,
  };
}

function examples(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length - max} more)` : shown;
}

export function transformEntra(raw: EntraRaw): SourceOutput {
  const tenantId = raw.tenantId.toLowerCase();
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const warnings: string[] = [...raw.warnings];

  nodes.push(
    tenantNode('EntraTenant', tenantId, SOURCE, { name: raw.primaryDomain ?? tenantId, graph_url: raw.graphUrl }),
  );

  const index = new Map<string, GraphNode>();
  const add = (kind: 'EntraUser' | 'EntraGroup', nativeId: string, props: Record<string, PropValue>) => {
    const id = entraNodeId(tenantId, nativeId);
    const key = `${kind}|${id}`;
    if (index.has(key)) {
      warnings.push(`${kind === 'EntraUser' ? 'user' : 'group'} ${nativeId} was listed twice; the first row is kept`);
      return;
    }
    const node: GraphNode = { kind, id, nativeId, tenantId, source: SOURCE, props };
    index.set(key, node);
    nodes.push(node);
    edges.push(inTenant(node, 'EntraTenant'));
  };
  for (const u of raw.users) add('EntraUser', u.id, userProps(u));
  for (const g of raw.groups) add('EntraGroup', g.id, groupProps(g));

  const membersByGroup = new Map<string, MemberRow[]>();
  for (const [groupId, rows] of Object.entries(raw.members)) membersByGroup.set(groupId.toLowerCase(), rows);

  const otherTypes = new Map<string, number>();
  const dangling: string[] = [];
  const edgeKeys = new Set<string>();
  for (const g of raw.groups) {
    const group = index.get(`EntraGroup|${entraNodeId(tenantId, g.id)}`);
    if (!group) continue;
    for (const m of membersByGroup.get(g.id.toLowerCase()) ?? []) {
      const type = m['@odata.type'] ?? '(no @odata.type)';
      const kind = MEMBER_KINDS[type.toLowerCase()];
      if (!kind) {
        otherTypes.set(type, (otherTypes.get(type) ?? 0) + 1);
        continue;
      }
      const member = index.get(`${kind}|${entraNodeId(tenantId, m.id)}`);
      if (!member) {
        dangling.push(`${kind === 'EntraUser' ? 'user' : 'group'} ${m.id} in group "${g.displayName ?? g.id}"`);
        continue;
      }
      if (member === group) {
        warnings.push(`group "${g.displayName ?? g.id}" lists itself as a member; skipped`);
        continue;
      }
      const key = `${member.kind}|${member.id}|${group.id}`;
      if (edgeKeys.has(key)) continue;
      edgeKeys.add(key);
      edges.push(edgeBetween('MEMBER_OF', member, group, tenantId, SOURCE));
    }
  }

  if (otherTypes.size > 0) {
    const total = [...otherTypes.values()].reduce((a, b) => a + b, 0);
    const byType = [...otherTypes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([t, n]) => `${n} ${t}`)
      .join(', ');
    warnings.push(`skipped ${total} group member(s) that are neither users nor groups: ${byType}`);
  }
  if (dangling.length > 0) {
    warnings.push(
      `skipped ${dangling.length} group member(s) missing from the user and group listings: ${examples(dangling)}`,
    );
  }
  return { source: SOURCE, tenantId, nodes, edges, warnings };
}
