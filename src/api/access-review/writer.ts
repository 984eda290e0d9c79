/**
 * The two forms of the access-review export, written as the rows arrive in chunks of about 64 KiB: CSV (UTF-8 with a
 * BOM, CRLF, RFC 4180 quoting, formula injection neutralised by src/csv.ts) and a JSON array of row objects.
 */
import { CSV_BOM, CSV_EOL, type CsvValue, csvLine } from '../../csv.js';
import type { DirectoryIdentity } from '../../queries/types.js';
import { type AccessReviewRow, EXPORT_COLUMNS } from './columns.js';

function directoryText(ids: DirectoryIdentity[]): string {
  return ids
    .map(
      (d) => `${d.kind}:${d.name} (${d.enabled === true ? 'enabled' : d.enabled === false ? 'disabled' : 'unknown'})`,
    )
    .join('; ');
}

/** The CSV cells of a row, in EXPORT_COLUMNS order. Lists are joined with "; ". */
export function csvValues(row: AccessReviewRow): CsvValue[] {
  return EXPORT_COLUMNS.map((c): CsvValue => {
    switch (c) {
      case 'directory_identities':
        return directoryText(row.directory_identities);
      case 'permissions':
      case 'reviewer_candidates':
      case 'flags':
        return row[c].join('; ');
      case 'grant_path_json':
        return JSON.stringify(row.grant_path_json);
      default:
        return row[c];
    }
  });
}

const CHUNK = 64 * 1024;

/** CSV: BOM, header, rows; chunks of about 64 KiB. */
export async function* csvChunks(rows: AsyncIterable<AccessReviewRow>): AsyncGenerator<Buffer> {
  let buffer = `${CSV_BOM}${csvLine(EXPORT_COLUMNS)}${CSV_EOL}`;
  for await (const row of rows) {
    buffer += `${csvLine(csvValues(row))}${CSV_EOL}`;
    if (buffer.length >= CHUNK) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  yield Buffer.from(buffer, 'utf8');
}

/** JSON: an array of row objects (keys in column order), written as it goes. */
export async function* jsonChunks(rows: AsyncIterable<AccessReviewRow>): AsyncGenerator<Buffer> {
  let buffer = '[';
  let first = true;
  for await (const row of rows) {
    const ordered: Record<string, unknown> = {};
    for (const c of EXPORT_COLUMNS) ordered[c] = row[c];
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify(ordered)}`;
    first = false;
    if (buffer.length >= CHUNK) {
      yield Buffer.from(buffer, 'utf8');
      buffer = '';
    }
  }
  yield Buffer.from(`${buffer}${first ? ']' : '\n]'}\n`, 'utf8');
}
