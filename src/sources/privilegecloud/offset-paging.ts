/**
 * Offset paging for the Privilege Cloud lists that send no `nextLink`. `GET /Safes/{safeUrlId}/Members` answers
 * `{value, count}` on real tenants (a recorded Privilege Cloud session): following nextLinks there would
 * take a full first page for the whole list. The pages are asked for by `offset` instead, the next offset being the
 * number of items read so far, until `count` (the total) is reached.
 */
import type { z } from 'zod';
import { type HttpClient, SourceError } from '../../http/index.js';

/** What an offset-paged answer must carry; `count` is the total number of items the list holds. */
interface OffsetPage<T> {
  value: T[];
  count?: number | null;
}

const SOURCE = 'privilegecloud';

/**
 * Reads every page of a list by `offset`/`limit` (the other query parameters are sent unchanged on every page, after
 * `offset` and `limit`). To avoid one round trip per page, once a page has given `count` the offsets still needed
 * are predicted and requested ahead (up to twice the client's concurrency): the next offset advanced by the size of
 * the page just served. The page the list continues with is always the one at offset = items read so far, so a
 * prediction is used only when its offset is that one; a server that serves fewer items than asked (a cap) is still
 * read correctly, at the cost of the unused predictions. Without `count`, a page shorter than `limit` is the last.
 * An empty page before `count` is reached is an error (the list changed or the server ignores `offset`).
 */
export async function pageByOffset<T>(
  client: HttpClient,
  first: { path: string; limit: number; query?: Record<string, string | number | boolean> },
  schema: z.ZodType<OffsetPage<T>>,
  endpoint: string,
  signal: AbortSignal,
): Promise<T[]> {
  const rows: T[] = [];
  const window = Math.max(4, 2 * client.concurrency);
  const ahead = new Map<number, Promise<OffsetPage<T>>>();
  const { path, limit } = first;
  const get = (offset: number) =>
    client.request({ method: 'GET', path, query: { offset, limit, ...first.query }, schema, endpoint, signal });
  const invalid = (detail: string) => new SourceError({ source: SOURCE, endpoint, kind: 'validation', detail });
  try {
    let offset = 0;
    let page = await get(offset);
    const seenFirstRows = new Set<string>();
    for (;;) {
      rows.push(...page.value);
      const stride = page.value.length;
      const next = offset + stride;
      const count = typeof page.count === 'number' ? page.count : undefined;
      if (count === undefined) {
        if (stride < limit) break;
        // Without a count only a repeated page tells a server that ignores `offset` from a long list.
        const firstRow = JSON.stringify(page.value[0]);
        if (seenFirstRows.has(firstRow)) throw invalid(`the page at offset ${offset} repeats an earlier page`);
        seenFirstRows.add(firstRow);
        offset = next;
        page = await get(offset);
        continue;
      }
      if (rows.length >= count) break;
      if (stride === 0) throw invalid(`received ${rows.length} items but count is ${count} and a page came back empty`);
      for (let o = next, n = 0; o < count && n < window; o += stride, n++) {
        if (ahead.has(o)) continue;
        const p = get(o);
        p.catch(() => {}); // reported when consumed
        ahead.set(o, p);
      }
      offset = next;
      const predicted = ahead.get(offset)!;
      ahead.delete(offset);
      page = await predicted;
    }
  } finally {
    await Promise.allSettled(ahead.values());
  }
  return rows;
}
