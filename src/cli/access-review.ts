/**
 * `arkgraph export access-review`: the access-review export of GET /api/v1/exports/access-review, written to stdout or
 * a file. The options are the route's query (src/api/routes/shared.ts accessReviewQuery), the document is the one
 * the API streams (src/api/access-review/ openAccessReview): same scopes, columns, flags, CSV rules and JSON.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { openAccessReview } from '../api/access-review/export.js';
import { accessReviewQuery } from '../api/routes/shared.js';
import type { QueryEngine } from '../queries/engine.js';
import { viaApiSchema } from './options.js';

export interface ExportOptions {
  scope: string;
  format?: string;
  inactiveDays?: string;
  out?: string;
}

export async function exportAccessReviewCommand(
  queries: QueryEngine,
  opts: ExportOptions,
  io: { out: (t: string) => void; stdout?: NodeJS.WritableStream },
): Promise<void> {
  const query = viaApiSchema(accessReviewQuery, {
    scope: opts.scope,
    format: opts.format,
    inactiveDays: opts.inactiveDays,
  });
  // JSON unless told otherwise, as the API answers a client that does not ask for text/csv.
  const format = query.format ?? 'json';
  // Unknown scopes and names fail here, before a file is created or a byte written.
  const review = await openAccessReview(queries, { scope: query.scope, format, inactiveDays: query.inactiveDays });
  if (!opts.out) {
    const stdout = io.stdout ?? process.stdout;
    try {
      // stdout stays open (end: false); the stream waits for it to drain between chunks.
      await pipeline(review.stream, stdout, { end: false });
    } catch (error) {
      // The reader went away (`| head`): stop quietly, as other command-line tools do.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    }
    return;
  }
  const file = createWriteStream(opts.out, { mode: 0o640 });
  try {
    await pipeline(review.stream, file);
  } catch (error) {
    // An export that failed midway is not left behind looking like a complete one.
    await rm(opts.out, { force: true });
    throw error;
  }
  io.out(`wrote ${opts.out}: ${review.rows()} rows, ${file.bytesWritten} bytes (${format}, scope ${query.scope})`);
}
