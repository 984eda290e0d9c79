/** `arkgraph report correlation`: the identity-correlation report as JSON (default) or CSV, to stdout or a file. */
import { writeFile } from 'node:fs/promises';
import { correlationReportCsv } from '../queries/correlation-report.js';
import type { QueryEngine } from '../queries/engine.js';

export async function correlationReportCommand(
  queries: QueryEngine,
  opts: { format: 'json' | 'csv'; out?: string },
  io: { out: (t: string) => void },
): Promise<void> {
  const report = await queries.correlationReport();
  let text: string;
  if (opts.format === 'csv') {
    text = correlationReportCsv(report);
  } else {
    text = `${JSON.stringify(report, null, 2)}\n`;
  }
  if (opts.out) {
    await writeFile(opts.out, text, { mode: 0o640 });
    const s = report.summary;
    io.out(
      `wrote ${opts.out}: ${s.matched_users} matched users, ${s.matched_groups} matched groups, ${s.ambiguous} ambiguous, ${s.cyberark_orphan_users} orphan users, ${s.disabled_with_access} disabled with access`,
    );
  } else {
    io.out(opts.format === 'csv' ? text.replace(/\r\n$/, '') : text.trimEnd());
  }
}
