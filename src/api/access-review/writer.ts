/**
 * The two forms of the access-review export, written as the rows arrive in chunks of about 64 KiB: CSV (UTF-8 with a
 * BOM, CRLF, RFC 4180 quoting, formula injection neutralised by src/csv.ts) and a JSON array of row objects; and the
 * byte stream of those chunks that the API route and `arkgraph export access-review` both send.
 */
import { Readable } from 'node:stream';
import { CSV_BOM, CSV_EOL, type CsvValue, csvLine } from '../../csv.js';
import type { DirectoryIdentity } from '../../queries/types.js';
import { type AccessReviewRow, EXPORT_COLUMNS } from './columns.js';

export type ExportFormat = 'csv' | 'json';

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

/**
 * The export as a byte stream that produces on demand: the next chunk is made only when the consumer asks for it
 * (Readable calls read() again once its buffer is below one chunk, i.e. once the socket or file has drained), and
 * never in the same turn of the event loop as the previous one. The embedded store answers every read without I/O,
 * so while a socket keeps accepting bytes (a fast client, loopback) a producer that only awaits promises never gives
 * the event loop a turn: an export of the whole estate then held /health and every other request for its whole
 * length (issue 15). The setImmediate before each chunk lets pending I/O in between.
 */
export function exportStream(rows: AsyncGenerator<AccessReviewRow>, format: ExportFormat): Readable {
  const chunks = format === 'csv' ? csvChunks(rows) : jsonChunks(rows);
  const stream: Readable = new Readable({
    highWaterMark: CHUNK,
    read() {
      setImmediate(pull);
    },
    destroy(error, callback) {
      // A download that ends early (client gone, write error) stops the store reads: the generators return.
      chunks.return(undefined).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  function pull(): void {
    chunks.next().then(
      (r) => {
        if (stream.destroyed) return;
        if (r.done) stream.push(null);
        else if (r.value.length === 0) setImmediate(pull);
        else stream.push(r.value);
      },
      (error: unknown) => stream.destroy(error as Error),
    );
  }
  return stream;
}
