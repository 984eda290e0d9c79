/**
 * Identity correlation: which Entra ID / AD identity *is* which CyberArk identity. Pure: it reads the transformed
 * rows of the sources and returns ASSUMES_USER / IS_GROUP edges plus, on every directory identity, the outcome
 * (matched, ambiguous, unmatched) with the rule, the key and the candidates, so the report can explain each one.
 *
 * Default rules (docs/correlation.md), applied only to directories the CyberArk tenant has configured
 * (Core/GetDirectoryServices: FDS → Entra ID, AdProxy → Active Directory):
 * - Entra user:  userPrincipalName = CyberArk login name (trimmed, lower-cased);
 * - Entra group: object id = CyberArk group idp_unique_id (lower-cased, braces stripped);
 * - AD user / group: DN = CyberArk idp_unique_id, compared after RFC 4514 normalisation.
 * Custom rules from the configuration run for identities the default rule left unmatched.
 * A key with several candidates — on either side — never creates an edge: it is reported as ambiguous.
 */

import type { CustomRule } from '../config/correlation-rule.js';
import { normalizeDn } from '../graph/dn.js';
import type { GraphEdge, GraphNode, NodeKind, PropValue } from '../graph/schema.js';

export interface CorrelationInput {
  identity: { nodes: GraphNode[] };
  entra?: { tenantId: string; nodes: GraphNode[] };
  activeDirectory?: { tenantId: string; nodes: GraphNode[] };
  rules?: CustomRule[];
}

export interface CorrelationOutput {
  edges: GraphEdge[];
  counts: Record<string, number>;
  warnings: string[];
}

const DIRECTORY_SERVICES: Record<'entra' | 'activedirectory', string[]> = {
  entra: ['fds'],
  activedirectory: ['adproxy'],
};

function configuredServices(identityNodes: GraphNode[]): Set<string> {
  const tenant = identityNodes.find((n) => n.kind === 'IdentityTenant');
  const services = new Set<string>();
  if (typeof tenant?.props.directory_services === 'string') {
    for (const d of JSON.parse(tenant.props.directory_services) as { service?: string }[]) {
      if (d.service) services.add(d.service.toLowerCase());
    }
  }
  return services;
}

function str(v: PropValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function safeNormalizeDn(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return normalizeDn(value);
  } catch {
    return undefined;
  }
}

export const lowerKey = (v: string | undefined) => v?.trim().toLowerCase() || undefined;
export const objectIdKey = (v: string | undefined) =>
  v
    ?.trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase() || undefined;

function customKey(value: PropValue | undefined, compare: CustomRule['compare']): string | undefined {
  const v = str(value);
  if (!v) return undefined;
  if (compare === 'exact') return v.trim();
  const lower = v.trim().toLowerCase();
  return compare === 'ignore-domain' ? lower.split('@')[0] : lower;
}

interface RuleSpec {
  name: string;
  directoryKey: (n: GraphNode) => string | undefined;
  cyberarkKey: (n: GraphNode) => string | undefined;
}

/** Matches one population of directory identities against one population of CyberArk identities. */
function matchPopulation(
  directory: GraphNode[],
  cyberark: GraphNode[],
  rules: RuleSpec[],
  edgeKind: 'ASSUMES_USER' | 'IS_GROUP',
  tenantId: string,
  out: CorrelationOutput,
): void {
  const pending = new Set(directory);
  for (const rule of rules) {
    // Index both sides by key → list, so that no candidate ever silently replaces another.
    const cyberByKey = new Map<string, GraphNode[]>();
    for (const c of cyberark) {
      const k = rule.cyberarkKey(c);
      if (k) cyberByKey.set(k, [...(cyberByKey.get(k) ?? []), c]);
    }
    const dirByKey = new Map<string, GraphNode[]>();
    for (const d of pending) {
      const k = rule.directoryKey(d);
      if (k) dirByKey.set(k, [...(dirByKey.get(k) ?? []), d]);
    }
    for (const [key, dirs] of dirByKey) {
      const candidates = cyberByKey.get(key) ?? [];
      if (candidates.length === 0) continue;
      const ambiguous = candidates.length > 1 || dirs.length > 1;
      for (const d of dirs) {
        pending.delete(d);
        d.props.correlation_rule = rule.name;
        d.props.correlation_key = key;
        d.props.correlation_candidates = candidates.map((c) => c.id).sort();
        if (ambiguous) {
          d.props.correlation_status = 'ambiguous';
          out.counts.ambiguous = (out.counts.ambiguous ?? 0) + 1;
          out.warnings.push(
            `${d.kind} ${d.id}: ${rule.name} key "${key}" is ambiguous (${candidates.length} CyberArk candidate(s), ${dirs.length} directory identities); no edge created`,
          );
          continue;
        }
        d.props.correlation_status = 'matched';
        out.counts[edgeKind] = (out.counts[edgeKind] ?? 0) + 1;
        out.edges.push({
          kind: edgeKind,
          from: { kind: d.kind, id: d.id },
          to: { kind: candidates[0]!.kind, id: candidates[0]!.id },
          tenantId,
          source: 'correlation',
          props: { match_rule: rule.name, match_key: key },
        });
      }
    }
  }
  for (const d of pending) {
    d.props.correlation_status = 'unmatched';
    d.props.correlation_rule = null;
    d.props.correlation_key = null;
    d.props.correlation_candidates = [];
    out.counts.unmatched = (out.counts.unmatched ?? 0) + 1;
  }
}

function customRules(
  rules: CustomRule[] | undefined,
  directory: CustomRule['directory'],
  kind: CustomRule['kind'],
): RuleSpec[] {
  return (rules ?? [])
    .filter((r) => r.directory === directory && r.kind === kind)
    .map((r) => ({
      name: r.name,
      directoryKey: (n) => customKey(n.props[r.directoryProperty], r.compare),
      cyberarkKey: (n) => customKey(n.props[r.cyberarkProperty], r.compare),
    }));
}

function notApplicable(nodes: GraphNode[]): void {
  for (const n of nodes) {
    n.props.correlation_status = 'not_applicable';
    n.props.correlation_rule = null;
    n.props.correlation_key = null;
    n.props.correlation_candidates = [];
  }
}

/**
 * Correlates; mutates the directory nodes' correlation_* properties (they are loaded right after) and returns the
 * correlation edges.
 */
export function correlate(input: CorrelationInput): CorrelationOutput {
  const out: CorrelationOutput = { edges: [], counts: {}, warnings: [] };
  const services = configuredServices(input.identity.nodes);
  const ofKind = (nodes: GraphNode[], kind: NodeKind) => nodes.filter((n) => n.kind === kind);
  const cyberUsers = ofKind(input.identity.nodes, 'CyberArkUser');
  const cyberGroups = ofKind(input.identity.nodes, 'CyberArkGroup');
  const inDirectory = (nodes: GraphNode[], dir: 'entra' | 'activedirectory') =>
    nodes.filter((n) => DIRECTORY_SERVICES[dir].includes(String(n.props.directory_service_type ?? '').toLowerCase()));

  if (input.entra) {
    const users = ofKind(input.entra.nodes, 'EntraUser');
    const groups = ofKind(input.entra.nodes, 'EntraGroup');
    if (!DIRECTORY_SERVICES.entra.some((s) => services.has(s))) {
      notApplicable([...users, ...groups]);
      out.warnings.push('Entra ID was synced but the CyberArk tenant has no federated (FDS) directory: not correlated');
    } else {
      matchPopulation(
        users,
        cyberUsers,
        [
          {
            name: 'upn',
            directoryKey: (n) => lowerKey(str(n.props.user_principal_name)),
            cyberarkKey: (n) => lowerKey(str(n.props.login_name)),
          },
          ...customRules(input.rules, 'entra', 'user'),
        ],
        'ASSUMES_USER',
        input.entra.tenantId,
        out,
      );
      matchPopulation(
        groups,
        inDirectory(cyberGroups, 'entra'),
        [
          {
            name: 'object_id',
            directoryKey: (n) => objectIdKey(n.nativeId),
            cyberarkKey: (n) => objectIdKey(str(n.props.idp_unique_id)),
          },
          ...customRules(input.rules, 'entra', 'group'),
        ],
        'IS_GROUP',
        input.entra.tenantId,
        out,
      );
    }
  }

  if (input.activeDirectory) {
    const users = ofKind(input.activeDirectory.nodes, 'ADUser');
    const groups = ofKind(input.activeDirectory.nodes, 'ADGroup');
    if (!DIRECTORY_SERVICES.activedirectory.some((s) => services.has(s))) {
      notApplicable([...users, ...groups]);
      out.warnings.push(
        'Active Directory was synced but the CyberArk tenant has no AD proxy directory: not correlated',
      );
    } else {
      const dnRule = (name: string): RuleSpec => ({
        name,
        directoryKey: (n) => str(n.props.dn_normalized) ?? safeNormalizeDn(str(n.props.distinguished_name)),
        cyberarkKey: (n) => safeNormalizeDn(str(n.props.idp_unique_id)),
      });
      matchPopulation(
        users,
        inDirectory(cyberUsers, 'activedirectory'),
        [dnRule('dn'), ...customRules(input.rules, 'activedirectory', 'user')],
        'ASSUMES_USER',
        input.activeDirectory.tenantId,
        out,
      );
      matchPopulation(
        groups,
        inDirectory(cyberGroups, 'activedirectory'),
        [dnRule('dn'), ...customRules(input.rules, 'activedirectory', 'group')],
        'IS_GROUP',
        input.activeDirectory.tenantId,
        out,
      );
    }
  }
  return out;
}
