/**
 * The Graph resources the simulator serves, built from a tenant file's `entra` section: every property a user or
 * group has (values the tenant does not know are null, as Graph sends unset properties), the default property sets
 * returned without `$select` (Graph docs: List users), and `$select` projection.
 */
import type { EntraGroup, EntraSection, EntraUser } from '../../tenant/format/index.js';

export type Resource = Record<string, unknown>;
export type ObjectType = 'user' | 'group';

export const ODATA_TYPE: Record<ObjectType, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
};

/** Returned for a user without `$select`. accountEnabled, userType and onPremises* only when selected. */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** dc=corp,dc=example → corp.example (the on-premises DNS domain of a synced object). */
function domainOfDn(dn: string | null): string | null {
  if (!dn) return null;
  const parts = [...dn.matchAll(/(?:^|,)\s*DC=([^,]+)/gi)].map((m) => m[1]?.trim() ?? '');
  return parts.length > 0 ? parts.join('.').toLowerCase() : null;
}

/** Cloud-only SID of an Entra object: S-1-12-1 + the object id's 16 bytes (.NET order) as 4 little-endian uint32. */
export function cloudSid(objectId: string): string {
  const hex = objectId.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  const dotNet = Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
  const parts = [0, 4, 8, 12].map((o) => dotNet.readUInt32LE(o));
  return `S-1-12-1-${parts.join('-')}`;
}

function mailNickname(mail: string | null, fallback: string): string {
  const local = mail?.split('@')[0];
  return local && local !== '' ? local : fallback.replace(/[^A-Za-z0-9._-]/g, '');
}

/** Every property of a user resource the simulator knows. */
export function userResource(u: EntraUser): Resource {
  const upnLocal = u.userPrincipalName.split('@')[0] ?? u.userPrincipalName;
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: null,
    jobTitle: null,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    userType: u.userType,
    mailNickname: mailNickname(u.mail, upnLocal),
    createdDateTime: null,
    creationType: u.userType === 'Guest' ? 'Invitation' : null,
    externalUserState: u.userType === 'Guest' ? 'Accepted' : null,
    securityIdentifier: cloudSid(u.id),
    onPremisesDistinguishedName: u.onPremisesDistinguishedName,
    onPremisesDomainName: domainOfDn(u.onPremisesDistinguishedName),
    onPremisesImmutableId: u.onPremisesImmutableId,
    onPremisesLastSyncDateTime: null,
    onPremisesSamAccountName: u.onPremisesSamAccountName,
    onPremisesSecurityIdentifier: u.onPremisesSecurityIdentifier,
    onPremisesSyncEnabled: u.onPremisesSyncEnabled,
    onPremisesUserPrincipalName: u.onPremisesUserPrincipalName,
  };
}

/**
 * Every property of a group resource the simulator knows. Without `$select` Graph returns (nearly) all of them; v1.0
 * groups have no onPremisesDistinguishedName (Graph docs: group resource).
 */
export function groupResource(g: EntraGroup): Resource {
  const unified = g.groupTypes.some((t) => t.toLowerCase() === 'unified');
  const dynamic = g.groupTypes.some((t) => t.toLowerCase() === 'dynamicmembership');
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: null,
    creationOptions: [],
    description: null,
    displayName: g.displayName,
    expirationDateTime: null,
    groupTypes: g.groupTypes,
    isAssignableToRole: null,
    mail: g.mail,
    mailEnabled: g.mail !== null,
    mailNickname: mailNickname(g.mail, g.displayName),
    membershipRule: dynamic ? '(user.accountEnabled -eq true)' : null,
    membershipRuleProcessingState: dynamic ? 'On' : null,
    onPremisesDomainName: null,
    onPremisesLastSyncDateTime: null,
    onPremisesNetBiosName: null,
    onPremisesSamAccountName: g.onPremisesSamAccountName,
    onPremisesSecurityIdentifier: g.onPremisesSecurityIdentifier,
    onPremisesSyncEnabled: g.onPremisesSyncEnabled,
    preferredDataLocation: null,
    preferredLanguage: null,
    proxyAddresses: g.mail ? [`SMTP:${g.mail}`] : [],
    renewedDateTime: null,
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: [],
    securityEnabled: g.securityEnabled,
    securityIdentifier: cloudSid(g.id),
    theme: null,
    visibility: unified ? 'Private' : null,
    onPremisesProvisioningErrors: [],
    serviceProvisioningErrors: [],
  };
}

/** Canonical property names of a resource type, looked up case-insensitively. */
export class PropertySet {
  readonly #byLower = new Map<string, string>();
  constructor(readonly names: readonly string[]) {
    for (const n of names) this.#byLower.set(n.toLowerCase(), n);
  }
  canonical(name: string): string | undefined {
    return this.#byLower.get(name.toLowerCase());
  }
}

/** Projects a resource onto `select` (canonical names): selected but unknown on this object → null. */
export function project(resource: Resource, select: readonly string[]): Resource {
  const out: Resource = {};
  for (const name of select) out[name] = resource[name] ?? null;
  return out;
}

const NIL = '00000000-0000-0000-0000-000000000000';

export const USER_PROPERTIES = new PropertySet(
  Object.keys(
    userResource({
      id: NIL,
      userPrincipalName: 'x',
      displayName: '',
      mail: null,
      accountEnabled: true,
      userType: 'Member',
      onPremisesDistinguishedName: null,
      onPremisesSamAccountName: null,
      onPremisesSecurityIdentifier: null,
      onPremisesUserPrincipalName: null,
      onPremisesImmutableId: null,
      onPremisesSyncEnabled: null,
    }),
  ),
);

export const GROUP_PROPERTIES = new PropertySet(
  Object.keys(
    groupResource({
      id: NIL,
      displayName: 'x',
      mail: null,
      securityEnabled: true,
      groupTypes: [],
      onPremisesSecurityIdentifier: null,
      onPremisesSamAccountName: null,
      onPremisesSyncEnabled: null,
      members: [],
    }),
  ),
);

/** The tenant's directory, indexed for the Graph server. */
export class GraphDirectory {
  readonly section: EntraSection;
  readonly users: Resource[];
  readonly groups: Resource[];
  readonly userProperties = USER_PROPERTIES;
  readonly groupProperties = GROUP_PROPERTIES;
  readonly #users = new Map<string, Resource>();
  readonly #groups = new Map<string, { resource: Resource; group: EntraGroup }>();

  constructor(section: EntraSection) {
    this.section = section;
    this.users = section.users.map(userResource);
    this.groups = section.groups.map(groupResource);
    for (const u of this.users) this.#users.set(String(u.id).toLowerCase(), u);
    section.groups.forEach((g, i) => {
      this.#groups.set(g.id.toLowerCase(), { resource: this.groups[i] as Resource, group: g });
    });
  }

  user(id: string): Resource | undefined {
    return this.#users.get(id.toLowerCase());
  }

  group(id: string): Resource | undefined {
    return this.#groups.get(id.toLowerCase())?.resource;
  }

  /** Direct members in tenant order, as [type, resource]. */
  members(groupId: string): [ObjectType, Resource][] | undefined {
    const entry = this.#groups.get(groupId.toLowerCase());
    if (!entry) return undefined;
    const out: [ObjectType, Resource][] = [];
    for (const m of entry.group.members) {
      const r = m.type === 'user' ? this.user(m.id) : this.group(m.id);
      if (r) out.push([m.type, r]);
    }
    return out;
  }

  /** Every object reachable through nested membership, once each (the group itself excluded), breadth first. */
  transitiveMembers(groupId: string): [ObjectType, Resource][] | undefined {
    const start = this.#groups.get(groupId.toLowerCase());
    if (!start) return undefined;
    const seen = new Set<string>([`group:${start.group.id.toLowerCase()}`]);
    const out: [ObjectType, Resource][] = [];
    const queue = [start.group.id];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const [type, r] of this.members(id) ?? []) {
        const key = `${type}:${String(r.id).toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([type, r]);
        if (type === 'group') queue.push(String(r.id));
      }
    }
    return out;
  }
}
