/**
 * Shaping shared by both stores, so that an answer only depends on the graph, never on the store that holds it.
 */
import { distance } from 'fastest-levenshtein';
import { type NodeKind, PRINCIPAL_KINDS, type PropValue } from '../graph/schema.js';
import type { DirectoryIdentity, GrantPath, PrincipalAccess, PrincipalSummary } from './types.js';

const PRINCIPAL_ORDER: readonly NodeKind[] = PRINCIPAL_KINDS;

/** Where a kind comes in answers: principal kinds in PRINCIPAL_KINDS order, any other kind after them. */
export function principalKindRank(kind: NodeKind): number {
  const i = PRINCIPAL_ORDER.indexOf(kind);
  return i === -1 ? PRINCIPAL_ORDER.length : i;
}

/** The same rank for every kind, as a map (the Neo4j store orders by it: `$kindRank[p.ark_kind]`). */
export const PRINCIPAL_KIND_RANK: Readonly<Record<string, number>> = Object.fromEntries(
  PRINCIPAL_ORDER.map((k, i) => [k, i]),
);

function str(v: PropValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}
function bool(v: PropValue | undefined): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

export interface NodeFacts {
  kind: NodeKind;
  id: string;
  nativeId: string;
  tenantId: string;
  name: string;
  props: Record<string, PropValue>;
}

export function principalSummary(node: NodeFacts, directory?: DirectoryIdentity[]): PrincipalSummary {
  const p = node.props;
  const summary: PrincipalSummary = {
    type: node.kind,
    id: node.id,
    native_id: node.nativeId,
    name: node.name,
    tenant_id: node.tenantId,
  };
  if (node.kind === 'CyberArkUser') {
    summary.login_name = str(p.login_name) ?? node.name;
    summary.display_name = str(p.display_name);
    summary.email = str(p.email);
    summary.identity_type = str(p.identity_type);
    summary.is_active = bool(p.is_active);
    summary.last_login_at = str(p.last_login_at);
  } else if (node.kind === 'CyberArkRole') {
    summary.role_type = str(p.role_type);
    summary.members_unknown = bool(p.members_unknown) ?? false;
  } else if (node.kind === 'CyberArkGroup') {
    summary.display_name = str(p.display_name);
  }
  if (directory && (node.kind === 'CyberArkUser' || node.kind === 'CyberArkGroup')) {
    summary.directory_identities = [...directory].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
  }
  return summary;
}

/**
 * Builds a PrincipalAccess from a HAS_EFFECTIVE_PERMISSION edge's properties; with `keepPath`, only the paths it
 * keeps (filtered as they are parsed, so the answer is built once).
 */
export function accessFromEdge(
  summary: PrincipalSummary,
  edgeProps: Record<string, PropValue>,
  keepPath?: (path: GrantPath) => boolean,
): Omit<PrincipalAccess, keyof PrincipalSummary> & PrincipalSummary {
  const paths = parsePaths(edgeProps.paths_json);
  // Object.assign, not an object spread followed by more properties: V8 builds the latter on a slow path (about 2 µs
  // per principal, more than parsing its paths).
  return Object.assign({}, summary, {
    permissions: Array.isArray(edgeProps.permissions) ? [...edgeProps.permissions] : [],
    paths: keepPath ? paths.filter(keepPath) : paths,
    path_count: typeof edgeProps.path_count === 'number' ? edgeProps.path_count : 0,
    via_dynamic_role: edgeProps.via_dynamic_role === true,
    expired_membership_count:
      typeof edgeProps.expired_membership_count === 'number' ? edgeProps.expired_membership_count : 0,
  });
}

export function parsePaths(value: PropValue | undefined): GrantPath[] {
  if (typeof value !== 'string' || value === '') return [];
  return JSON.parse(value) as GrantPath[];
}

/** Up to `limit` close matches: names containing the input first, then by edit distance. */
export function suggest(input: string, candidates: Iterable<string>, limit = 5): string[] {
  const needle = input.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const d = lower.includes(needle) || needle.includes(lower) ? 0 : distance(needle, lower);
    if (d <= Math.max(3, Math.floor(needle.length / 2))) scored.push({ name, score: d });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

/** Warnings that apply to a who-can answer: one per dynamic role (names in answer order) among its principals. */
export function dynamicRoleWarnings(dynamicRoleNames: string[]): string[] {
  return dynamicRoleNames.map(
    (name) =>
      `role "${name}" is dynamic (Script): its members cannot be listed through the API, so users who get access through it are not shown`,
  );
}
