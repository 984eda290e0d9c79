/** Human-readable output of the query commands: tables with one path per principal. */

import { renderPath } from '../queries/path-text.js';
import type {
  AccountAccessResult,
  PathsResult,
  PrincipalAccess,
  PrincipalPage,
  UserAccessResult,
  WhoCanResult,
} from '../queries/types.js';
import type { SyncRunRecord } from '../sync/types.js';

/** Pads every column but the last; cells are single-line. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const yesNo = (v: boolean | null | undefined) => (v === true ? 'yes' : v === false ? 'no' : '-');
const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : 'never');

function principalRows(principals: PrincipalAccess[], withPermissions: boolean): string[][] {
  return principals.map((p) => {
    const more = p.path_count > 1 ? ` (+${p.path_count - 1} more)` : '';
    const row = [
      p.type,
      p.name,
      p.type === 'CyberArkUser' ? yesNo(p.is_active) : '-',
      p.type === 'CyberArkUser' ? day(p.last_login_at) : '-',
    ];
    if (withPermissions) row.push(p.permissions.join(','));
    row.push(`${p.paths[0] ? renderPath(p.paths[0]) : '(no path)'}${more}`);
    return row;
  });
}

function countByType(principals: PrincipalAccess[]): string {
  const counts = new Map<string, number>();
  for (const p of principals) counts.set(p.type, (counts.get(p.type) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${n} ${t}`).join(', ') || 'nobody';
}

/** Who the answer holds: counts by type, or for a page, the count in all (the page holds only some). */
function headline(r: PrincipalPage & { principals: PrincipalAccess[] }): string {
  return r.limit === null ? countByType(r.principals) : `${r.total} principal${r.total === 1 ? '' : 's'} in all`;
}

/** For a page of a longer answer: which principals it shows and how to get the next ones. */
function pageLine(r: PrincipalPage & { principals: unknown[] }): string[] {
  if (r.limit === null) return [];
  const shown = r.principals.length;
  const range = shown === 0 ? 'none' : `${r.offset + 1}-${r.offset + shown}`;
  const next = r.offset + shown < r.total ? ` (next page: --offset ${r.offset + shown} --limit ${r.limit})` : '';
  return [`showing principals ${range} of ${r.total}${next}`];
}

export function renderWhoCan(r: WhoCanResult): string {
  const lines = [`Who can ${r.permission_display_name} (${r.permission}) in safe "${r.safe.name}": ${headline(r)}`, ''];
  if (r.principals.length) {
    lines.push(table(['TYPE', 'PRINCIPAL', 'ACTIVE', 'LAST LOGIN', 'PATH'], principalRows(r.principals, false)));
  }
  lines.push(...pageLine(r));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function renderAccountAccess(r: AccountAccessResult): string {
  const lines = [`Account "${r.account.name}" (${r.account.native_id}) in safe "${r.safe.name}": ${headline(r)}`, ''];
  if (r.principals.length) {
    lines.push(
      table(['TYPE', 'PRINCIPAL', 'ACTIVE', 'LAST LOGIN', 'PERMISSIONS', 'PATH'], principalRows(r.principals, true)),
    );
  }
  lines.push(...pageLine(r));
  return lines.join('\n');
}

export function renderUserAccess(r: UserAccessResult): string {
  const u = r.user;
  const lines = [
    `User ${u.login_name ?? u.name} (${u.display_name ?? '-'}), ${u.identity_type ?? '-'}, active: ${yesNo(u.is_active)}, last login: ${day(u.last_login_at)}`,
  ];
  for (const d of u.directory_identities ?? []) {
    lines.push(`  is ${d.kind} ${d.name} (enabled: ${yesNo(d.enabled)}, matched by ${d.match_rule ?? '-'})`);
  }
  lines.push('', `Safes (${r.safes.length}):`);
  if (r.safes.length) {
    lines.push(
      table(
        ['SAFE', 'PERMISSIONS', 'PATH'],
        r.safes.map((s) => [
          s.safe.name,
          s.permissions.join(','),
          `${s.paths[0] ? renderPath(s.paths[0]) : ''}${s.path_count > 1 ? ` (+${s.path_count - 1} more)` : ''}`,
        ]),
      ),
    );
  }
  lines.push('', `Roles (${r.roles.length}):`);
  if (r.roles.length) {
    lines.push(
      table(
        ['ROLE', 'HOW', 'PATH'],
        r.roles.map((role) => [role.name, role.how, renderPath(role.path)]),
      ),
    );
  }
  lines.push('', `Applications (${r.applications.length}):`);
  if (r.applications.length) {
    lines.push(
      table(
        ['APPLICATION', 'GRANTS', 'PATH'],
        r.applications.map((a) => [a.application.name, a.grants.join(','), a.paths[0] ? renderPath(a.paths[0]) : '']),
      ),
    );
  }
  return lines.join('\n');
}

export function renderPaths(r: PathsResult): string {
  const lines = [
    `Paths from ${r.from.name} to safe "${r.safe.name}" (max depth ${r.max_depth}): ${r.paths.length}${r.truncated ? ' (truncated)' : ''}`,
    '',
  ];
  if (r.paths.length) {
    lines.push(
      table(
        ['HOPS', 'PERMISSIONS', 'PATH'],
        r.paths.map((p) => [
          String(p.path.length - 1),
          p.expired ? `(expired) ${p.permissions.join(',')}` : p.permissions.join(','),
          renderPath(p.path),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

/** `arkgraph runs`: one row per run, newest first, under a header. */
export function renderRuns(runs: readonly SyncRunRecord[]): string {
  const seconds = (r: SyncRunRecord) =>
    r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : '-';
  return table(
    ['RUN', 'STATUS', 'STARTED', 'DURATION', 'SOURCES', 'ERRORS'],
    runs.map((r) => [
      r.id,
      r.partialSources.length ? `${r.status} (${r.partialSources.join(', ')})` : r.status,
      r.startedAt,
      seconds(r),
      r.sources.join(', ') || '-',
      r.errors.map((e) => `${e.source}: ${e.message}`).join('; ') || '-',
    ]),
  );
}
