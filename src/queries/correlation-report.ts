/**
 * The identity-correlation report, built from the graph with the same read primitives as every other query, so it
 * is identical on both stores. Per directory: matched identities, ambiguous keys with their candidates, directory
 * identities with no CyberArk account, identities disabled in the directory that still hold effective safe
 * permissions, Entra guests; and CyberArk users and groups with no directory match (orphans). Summary counts first.
 */

import { csvDocument } from '../csv.js';
import { nodeName } from '../graph/access-graph.js';
import type { NodeKind } from '../graph/schema.js';
import type { GraphReader, ReaderNode } from './reader.js';

export interface IdentityRef {
  kind: NodeKind;
  id: string;
  name: string;
}

export interface DirectoryReport {
  kind: 'EntraTenant' | 'ADDomain';
  id: string;
  name: string;
  matched: {
    directory: IdentityRef;
    cyberark: IdentityRef;
    rule: string | null;
    key: string | null;
    enabled: boolean | null;
  }[];
  ambiguous: { directory: IdentityRef; rule: string | null; key: string | null; candidates: IdentityRef[] }[];
  without_cyberark: (IdentityRef & { enabled: boolean | null })[];
  not_correlated: IdentityRef[];
  disabled_with_access: {
    directory: IdentityRef;
    cyberark: IdentityRef;
    safes: { safe: IdentityRef; permissions: string[] }[];
  }[];
  guests: (IdentityRef & { matched: boolean })[];
}

export interface CorrelationReport {
  summary: {
    directories: number;
    matched_users: number;
    matched_groups: number;
    ambiguous: number;
    directory_identities_without_cyberark: number;
    cyberark_orphan_users: number;
    cyberark_orphan_groups: number;
    disabled_with_access: number;
    entra_guests: number;
  };
  directories: DirectoryReport[];
  cyberark_orphans: {
    users: (IdentityRef & { directory_service_type: string | null; idp_unique_id: string | null })[];
    groups: (IdentityRef & { directory_service_type: string | null; idp_unique_id: string | null })[];
    /** Directory types the CyberArk tenant uses that were not synced, so their identities cannot be judged. */
    directories_not_synced: string[];
  };
}

const ref = (n: ReaderNode): IdentityRef => ({ kind: n.kind, id: n.id, name: nodeName(n) });
const byName = (a: IdentityRef, b: IdentityRef) =>
  a.name.toLowerCase() < b.name.toLowerCase()
    ? -1
    : a.name.toLowerCase() > b.name.toLowerCase()
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;

async function all(r: GraphReader, kind: NodeKind): Promise<ReaderNode[]> {
  return (await r.listNodes(kind, undefined, 0, Number.MAX_SAFE_INTEGER)).items;
}

function enabledOf(n: ReaderNode): boolean | null {
  const v = n.kind === 'EntraUser' ? n.props.account_enabled : n.kind === 'ADUser' ? n.props.enabled : null;
  return typeof v === 'boolean' ? v : null;
}

export async function correlationReportFrom(r: GraphReader): Promise<CorrelationReport> {
  const cyberUsers = await all(r, 'CyberArkUser');
  const cyberGroups = await all(r, 'CyberArkGroup');
  const entraTenants = await all(r, 'EntraTenant');
  const domains = await all(r, 'ADDomain');
  const entraUsers = await all(r, 'EntraUser');
  const entraGroups = await all(r, 'EntraGroup');
  const adUsers = await all(r, 'ADUser');
  const adGroups = await all(r, 'ADGroup');
  const cyberByKey = new Map([...cyberUsers, ...cyberGroups].map((n) => [n.key, n]));
  const cyberById = new Map([...cyberUsers, ...cyberGroups].map((n) => [n.id, n]));
  const links = await r.directoryLinks([...cyberByKey.keys()]);
  const linked = new Set(links.map((l) => l.target));
  const matchOf = new Map(links.map((l) => [l.node.key, l]));

  const directories: DirectoryReport[] = [];
  const roots: [ReaderNode, ReaderNode[], 'EntraTenant' | 'ADDomain'][] = [
    ...entraTenants.map(
      (t) =>
        [t, [...entraUsers, ...entraGroups].filter((n) => n.tenantId === t.id), 'EntraTenant'] as [
          ReaderNode,
          ReaderNode[],
          'EntraTenant',
        ],
    ),
    ...domains.map(
      (t) =>
        [t, [...adUsers, ...adGroups].filter((n) => n.tenantId === t.id), 'ADDomain'] as [
          ReaderNode,
          ReaderNode[],
          'ADDomain',
        ],
    ),
  ];
  for (const [root, members, kind] of roots) {
    const d: DirectoryReport = {
      kind,
      id: root.id,
      name: nodeName(root),
      matched: [],
      ambiguous: [],
      without_cyberark: [],
      not_correlated: [],
      disabled_with_access: [],
      guests: [],
    };
    for (const n of members) {
      const status = n.props.correlation_status;
      const link = matchOf.get(n.key);
      if (link) {
        const cyber = cyberByKey.get(link.target)!;
        const enabled = enabledOf(n);
        d.matched.push({
          directory: ref(n),
          cyberark: ref(cyber),
          rule: link.matchRule,
          key: typeof n.props.correlation_key === 'string' ? n.props.correlation_key : null,
          enabled,
        });
        if (enabled === false && cyber.kind === 'CyberArkUser') {
          const safes = (await r.effectiveFrom(cyber.key))
            .filter((e) => e.node.kind === 'Safe')
            .map((e) => ({
              safe: ref(e.node),
              permissions: Array.isArray(e.props.permissions) ? [...e.props.permissions] : [],
            }))
            .sort((a, b) => byName(a.safe, b.safe));
          if (safes.length) d.disabled_with_access.push({ directory: ref(n), cyberark: ref(cyber), safes });
        }
      } else if (status === 'ambiguous') {
        const ids = Array.isArray(n.props.correlation_candidates) ? n.props.correlation_candidates : [];
        d.ambiguous.push({
          directory: ref(n),
          rule: typeof n.props.correlation_rule === 'string' ? n.props.correlation_rule : null,
          key: typeof n.props.correlation_key === 'string' ? n.props.correlation_key : null,
          candidates: ids
            .map((id) => cyberById.get(id))
            .filter((c): c is ReaderNode => !!c)
            .map(ref)
            .sort(byName),
        });
      } else if (status === 'not_applicable') {
        d.not_correlated.push(ref(n));
      } else {
        d.without_cyberark.push({ ...ref(n), enabled: enabledOf(n) });
      }
      if (n.kind === 'EntraUser' && n.props.user_type === 'Guest') d.guests.push({ ...ref(n), matched: !!link });
    }
    d.matched.sort((a, b) => byName(a.directory, b.directory));
    d.ambiguous.sort((a, b) => byName(a.directory, b.directory));
    d.without_cyberark.sort(byName);
    d.not_correlated.sort(byName);
    d.disabled_with_access.sort((a, b) => byName(a.directory, b.directory));
    d.guests.sort(byName);
    directories.push(d);
  }
  directories.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : byName(a, b)));

  // Orphans: CyberArk identities from a directory type that was synced, with no directory identity that is them.
  const synced = new Set<string>([...(entraTenants.length ? ['fds'] : []), ...(domains.length ? ['adproxy'] : [])]);
  const used = new Set(
    [...cyberUsers, ...cyberGroups].map((n) => String(n.props.directory_service_type ?? '').toLowerCase()),
  );
  const orphan = (n: ReaderNode) => {
    const type = String(n.props.directory_service_type ?? '').toLowerCase();
    return synced.has(type) && !linked.has(n.key);
  };
  const orphanRef = (n: ReaderNode) => ({
    ...ref(n),
    directory_service_type: typeof n.props.directory_service_type === 'string' ? n.props.directory_service_type : null,
    idp_unique_id: typeof n.props.idp_unique_id === 'string' ? n.props.idp_unique_id : null,
  });
  const orphanUsers = cyberUsers.filter(orphan).map(orphanRef).sort(byName);
  const orphanGroups = cyberGroups.filter(orphan).map(orphanRef).sort(byName);
  const notSynced = ['adproxy', 'fds']
    .filter((t) => used.has(t) && !synced.has(t))
    .map((t) => (t === 'fds' ? 'FDS (Entra ID)' : 'AdProxy (Active Directory)'));

  const count = (f: (d: DirectoryReport) => number) => directories.reduce((a, d) => a + f(d), 0);
  return {
    summary: {
      directories: directories.length,
      matched_users: count((d) => d.matched.filter((m) => m.cyberark.kind === 'CyberArkUser').length),
      matched_groups: count((d) => d.matched.filter((m) => m.cyberark.kind === 'CyberArkGroup').length),
      ambiguous: count((d) => d.ambiguous.length),
      directory_identities_without_cyberark: count((d) => d.without_cyberark.length),
      cyberark_orphan_users: orphanUsers.length,
      cyberark_orphan_groups: orphanGroups.length,
      disabled_with_access: count((d) => d.disabled_with_access.length),
      entra_guests: count((d) => d.guests.length),
    },
    directories,
    cyberark_orphans: { users: orphanUsers, groups: orphanGroups, directories_not_synced: notSynced },
  };
}

export type CsvRow = Record<string, string | number | boolean | null>;

/** Stable column order of the CSV form. */
export const CORRELATION_CSV_COLUMNS = [
  'section',
  'directory',
  'directory_identity_kind',
  'directory_identity',
  'directory_identity_id',
  'enabled',
  'cyberark_kind',
  'cyberark_identity',
  'cyberark_id',
  'rule',
  'key',
  'candidates',
  'safes',
] as const;

/** Flat rows: one per reported identity (summary counts come first, as `summary` rows). */
export function correlationReportRows(report: CorrelationReport): CsvRow[] {
  const rows: CsvRow[] = [];
  const row = (values: Partial<Record<(typeof CORRELATION_CSV_COLUMNS)[number], string | number | boolean | null>>) =>
    rows.push(Object.fromEntries(CORRELATION_CSV_COLUMNS.map((c) => [c, values[c] ?? null])));
  for (const [k, v] of Object.entries(report.summary))
    row({ section: 'summary', key: k, directory_identity: String(v) });
  for (const d of report.directories) {
    const dir = `${d.kind}:${d.name}`;
    for (const m of d.matched) {
      row({
        section: 'matched',
        directory: dir,
        directory_identity_kind: m.directory.kind,
        directory_identity: m.directory.name,
        directory_identity_id: m.directory.id,
        enabled: m.enabled,
        cyberark_kind: m.cyberark.kind,
        cyberark_identity: m.cyberark.name,
        cyberark_id: m.cyberark.id,
        rule: m.rule,
        key: m.key,
      });
    }
    for (const a of d.ambiguous) {
      row({
        section: 'ambiguous',
        directory: dir,
        directory_identity_kind: a.directory.kind,
        directory_identity: a.directory.name,
        directory_identity_id: a.directory.id,
        rule: a.rule,
        key: a.key,
        candidates: a.candidates.map((c) => c.name).join('; '),
      });
    }
    for (const w of d.without_cyberark) {
      row({
        section: 'directory_without_cyberark',
        directory: dir,
        directory_identity_kind: w.kind,
        directory_identity: w.name,
        directory_identity_id: w.id,
        enabled: w.enabled,
      });
    }
    for (const x of d.disabled_with_access) {
      row({
        section: 'disabled_with_access',
        directory: dir,
        directory_identity_kind: x.directory.kind,
        directory_identity: x.directory.name,
        directory_identity_id: x.directory.id,
        enabled: false,
        cyberark_kind: x.cyberark.kind,
        cyberark_identity: x.cyberark.name,
        cyberark_id: x.cyberark.id,
        safes: x.safes.map((s) => `${s.safe.name} (${s.permissions.join(',')})`).join('; '),
      });
    }
    for (const g of d.guests) {
      row({
        section: 'entra_guest',
        directory: dir,
        directory_identity_kind: g.kind,
        directory_identity: g.name,
        directory_identity_id: g.id,
        rule: g.matched ? 'matched' : 'unmatched',
      });
    }
  }
  for (const o of [...report.cyberark_orphans.users, ...report.cyberark_orphans.groups]) {
    row({
      section: 'cyberark_orphan',
      cyberark_kind: o.kind,
      cyberark_identity: o.name,
      cyberark_id: o.id,
      key: o.idp_unique_id,
      directory: o.directory_service_type,
    });
  }
  return rows;
}

/** The report as a CSV document (CLI `report correlation --format csv`, API `?format=csv`). */
export function correlationReportCsv(report: CorrelationReport): string {
  return csvDocument(
    CORRELATION_CSV_COLUMNS,
    correlationReportRows(report).map((r) => CORRELATION_CSV_COLUMNS.map((c) => r[c])),
  );
}
