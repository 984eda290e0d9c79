/**
 * Active Directory raw data → graph rows. Pure: no I/O, no clock.
 *
 * Nodes: the ADDomain (tenant root, id = domain DNS name), ADUser and ADGroup (id `<domain>:<objectGUID>`), each with
 * the DN as read and its normalised key (`dn_normalized`, the correlation key). Edges: IN_TENANT, and MEMBER_OF
 * (user → group, group → group) resolved client-side from each group's `member` DNs by normalised DN; `memberOf` is a
 * cross-check (a membership only `memberOf` states is kept, with a warning). Member DNs that are not users or groups
 * read under the base (foreign security principals, contacts, computers, objects of other domains) are skipped with
 * one warning per DN. Nesting is not expanded here: traversal follows MEMBER_OF chains, cycles included.
 */
import { DnSyntaxError, normalizeDn } from '../../graph/dn.js';
import { type GraphEdge, type GraphNode, type NodeKind, type PropValue, scopedId } from '../../graph/schema.js';
import { SourceError } from '../../http/index.js';
import { edgeBetween, inTenant, type SourceOutput, tenantNode } from '../output.js';
import {
  AdValueError,
  filetimeToIso,
  guidFromBytes,
  isAccountDisabled,
  parseLdapInteger,
  sidFromBytes,
} from './convert.js';
import { type ActiveDirectoryRaw, SOURCE } from './schemas.js';

/** At most this many unknown-DN warnings are listed one by one; the rest are summarised. */
const MAX_LISTED_UNKNOWN = 50;

export function transformActiveDirectory(raw: ActiveDirectoryRaw): SourceOutput {
  const tenantId = raw.domain;
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const warnings: string[] = [...raw.warnings];

  const convert = <T>(what: string, dn: string, attribute: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof AdValueError || e instanceof DnSyntaxError) {
        throw new SourceError({
          source: SOURCE,
          endpoint: `transform ${what}`,
          kind: 'validation',
          detail: `entry ${dn}: attribute ${attribute}: ${e.message}`,
          field: attribute,
        });
      }
      throw e;
    }
  };

  nodes.push(tenantNode('ADDomain', tenantId, SOURCE, { name: tenantId, base_dn: raw.baseDn, url: raw.url }));

  /** Normalised DN → node; GUID → node (duplicates are skipped with a warning). */
  const byDn = new Map<string, GraphNode>();
  const byGuid = new Map<string, GraphNode>();
  const addNode = (kind: NodeKind, dn: string, dnKey: string, guid: string, props: Record<string, PropValue>) => {
    const id = scopedId(tenantId, guid);
    const sameGuid = byGuid.get(guid);
    if (sameGuid) {
      warnings.push(
        `${kind} ${dn}: objectGUID ${guid} already belongs to ${sameGuid.props.distinguished_name}; skipped`,
      );
      return null;
    }
    const sameDn = byDn.get(dnKey);
    if (sameDn) {
      warnings.push(`${kind} ${dn}: its DN normalises like that of ${sameDn.props.distinguished_name}; skipped`);
      return null;
    }
    const node: GraphNode = { kind, id, nativeId: guid, tenantId, source: SOURCE, props };
    byGuid.set(guid, node);
    byDn.set(dnKey, node);
    nodes.push(node);
    edges.push(inTenant(node, 'ADDomain'));
    return node;
  };

  for (const u of raw.users) {
    const dnKey = convert('users', u.dn, 'distinguishedName', () => normalizeDn(u.dn));
    const guid = convert('users', u.dn, 'objectGUID', () => guidFromBytes(u.objectGUID));
    const uac =
      u.userAccountControl === null
        ? null
        : convert('users', u.dn, 'userAccountControl', () => parseLdapInteger(u.userAccountControl!));
    addNode('ADUser', u.dn, dnKey, guid, {
      distinguished_name: u.dn,
      dn_normalized: dnKey,
      sam_account_name: u.sAMAccountName,
      user_principal_name: u.userPrincipalName,
      display_name: u.displayName,
      mail: u.mail,
      object_guid: guid,
      object_sid: u.objectSid ? convert('users', u.dn, 'objectSid', () => sidFromBytes(u.objectSid!)) : null,
      enabled: uac === null ? null : !isAccountDisabled(uac),
      last_logon_at:
        u.lastLogonTimestamp === null
          ? null
          : convert('users', u.dn, 'lastLogonTimestamp', () => filetimeToIso(u.lastLogonTimestamp!)),
    });
  }

  for (const g of raw.groups) {
    const dnKey = convert('groups', g.dn, 'distinguishedName', () => normalizeDn(g.dn));
    const guid = convert('groups', g.dn, 'objectGUID', () => guidFromBytes(g.objectGUID));
    addNode('ADGroup', g.dn, dnKey, guid, {
      distinguished_name: g.dn,
      dn_normalized: dnKey,
      sam_account_name: g.sAMAccountName,
      name: g.cn,
      object_guid: guid,
      object_sid: g.objectSid ? convert('groups', g.dn, 'objectSid', () => sidFromBytes(g.objectSid!)) : null,
      group_type:
        g.groupType === null ? null : convert('groups', g.dn, 'groupType', () => parseLdapInteger(g.groupType!)),
    });
  }

  // MEMBER_OF from `member`, then `memberOf` as a cross-check.
  const edgeKeys = new Set<string>();
  const addMemberOf = (member: GraphNode, group: GraphNode): boolean => {
    const key = `${member.id}|${group.id}`;
    if (edgeKeys.has(key)) return false;
    edgeKeys.add(key);
    edges.push(edgeBetween('MEMBER_OF', member, group, tenantId, SOURCE));
    return true;
  };
  const keyOf = (dn: string): string | null => {
    try {
      return normalizeDn(dn);
    } catch (e) {
      if (e instanceof DnSyntaxError) return null;
      throw e;
    }
  };

  /** Unknown DN → the groups (or members) that reference it. */
  const unknownMembers = new Map<string, { dn: string; refs: string[] }>();
  const unknownGroups = new Map<string, { dn: string; refs: string[] }>();
  const invalid: string[] = [];
  const note = (map: typeof unknownMembers, key: string, dn: string, ref: string) => {
    const seen = map.get(key);
    if (seen) seen.refs.push(ref);
    else map.set(key, { dn, refs: [ref] });
  };

  for (const g of raw.groups) {
    const group = byDn.get(normalizeDn(g.dn));
    if (!group || group.props.distinguished_name !== g.dn) continue; // a skipped duplicate
    for (const m of g.member) {
      const key = keyOf(m);
      if (key === null) {
        invalid.push(`member "${m}" of ${g.dn}`);
        continue;
      }
      const member = byDn.get(key);
      if (!member) note(unknownMembers, key, m, g.dn);
      else if (member === group) warnings.push(`group ${g.dn} lists itself as a member; skipped`);
      else addMemberOf(member, group);
    }
  }

  const crossCheck = (dn: string, memberOf: string[]) => {
    const member = byDn.get(normalizeDn(dn));
    if (!member || member.props.distinguished_name !== dn) return;
    for (const gdn of memberOf) {
      const key = keyOf(gdn);
      if (key === null) {
        invalid.push(`memberOf "${gdn}" of ${dn}`);
        continue;
      }
      const group = byDn.get(key);
      if (group?.kind !== 'ADGroup') {
        note(unknownGroups, key, gdn, dn);
        continue;
      }
      if (group === member) continue;
      if (addMemberOf(member, group)) {
        warnings.push(
          `${dn} has memberOf ${gdn}, but that group's member list does not contain it; membership kept (memberOf)`,
        );
      }
    }
  };
  for (const u of raw.users) crossCheck(u.dn, u.memberOf);
  for (const g of raw.groups) crossCheck(g.dn, g.memberOf);

  // Primary groups: AD lists them in neither `member` nor `memberOf`; the group's SID is the user's domain SID
  // followed by primaryGroupID (the RID).
  const bySid = new Map<string, GraphNode>();
  for (const n of nodes)
    if (n.kind === 'ADGroup' && typeof n.props.object_sid === 'string') bySid.set(n.props.object_sid, n);
  const missingPrimary = new Map<string, number>();
  for (const u of raw.users) {
    if (u.primaryGroupID === null || u.objectSid === null) continue;
    const user = byGuid.get(guidFromBytes(u.objectGUID));
    const sid = user?.props.object_sid;
    if (!user || typeof sid !== 'string' || user.props.distinguished_name !== u.dn) continue;
    const groupSid = `${sid.replace(/-\d+$/, '')}-${parseLdapInteger(u.primaryGroupID)}`;
    const group = bySid.get(groupSid);
    if (group) addMemberOf(user, group);
    else missingPrimary.set(groupSid, (missingPrimary.get(groupSid) ?? 0) + 1);
  }
  for (const [sid, count] of missingPrimary) {
    warnings.push(`primary group ${sid} of ${count} user(s) is not a group read under ${raw.baseDn}; skipped`);
  }

  for (const text of invalid) warnings.push(`${text} is not a valid DN; skipped`);
  const describe = (dn: string) =>
    /(^|,)\s*cn\s*=\s*foreignsecurityprincipals\s*,/i.test(dn)
      ? 'a foreign security principal (an object of another domain or forest)'
      : `not a user or group read under ${raw.baseDn} (a contact, computer, or an object of another domain)`;
  const listUnknown = (map: typeof unknownMembers, what: (u: { dn: string; refs: string[] }) => string) => {
    const all = [...map.values()];
    for (const u of all.slice(0, MAX_LISTED_UNKNOWN)) warnings.push(what(u));
    if (all.length > MAX_LISTED_UNKNOWN) {
      warnings.push(`… and ${all.length - MAX_LISTED_UNKNOWN} more unresolved DNs of the same kind (skipped)`);
    }
  };
  listUnknown(unknownMembers, (u) => {
    const example = u.refs.length > 1 ? `${u.refs.length} groups, e.g. ${u.refs[0]}` : u.refs[0];
    return `member ${u.dn} of ${example} is ${describe(u.dn)}; skipped`;
  });
  listUnknown(unknownGroups, (u) => {
    const example = u.refs.length > 1 ? `${u.refs.length} objects, e.g. ${u.refs[0]}` : u.refs[0];
    return `memberOf ${u.dn} of ${example} is not a group read under ${raw.baseDn}; skipped`;
  });

  return { source: SOURCE, tenantId, nodes, edges, warnings };
}
