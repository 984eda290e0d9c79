/**
 * Identity's page-numbered listings: Redrock queries and UserMgmt/DirectoryServiceQuery (PageNumber / PageSize,
 * FullCount), with the pages still needed requested ahead once the total is known.
 */
import { z } from 'zod';
import {
  type HttpClient,
  identityEnvelope,
  type RedrockResult,
  redrockResult,
  SourceError,
  unwrapIdentity,
} from '../../http/index.js';
import { SOURCE } from './client.js';

const REDROCK = 'POST /Redrock/query';
const MAX_PAGES = 100_000;
/** Default rows per Redrock page. */
export const REDROCK_PAGE_SIZE = 1000;
/** Rows per UserMgmt/DirectoryServiceQuery page (at least the Redrock page size). */
export const DSQ_PAGE_SIZE = 10_000;

/** One page of a page-numbered listing: its rows and the total the server reports (FullCount), if any. */
interface NumberedPage<R> {
  rows: R[];
  total: number | undefined;
}

/**
 * Pages a listing by PageNumber / PageSize (Redrock, DirectoryServiceQuery). Once a page has told the total
 * (FullCount), the pages still needed are requested together — up to twice the client's concurrency ahead of the
 * page being consumed — instead of one after the other; pages are still consumed in order, by the same rules as a
 * sequential loop:
 * - stop at an empty page, when the rows reach the total, or (total unknown, or `adaptToCap` false) at a short page;
 * - `adaptToCap`: a short page while the total says more remain is a server-side cap: the page size is lowered to
 *   what the server serves so page numbers stay aligned (a page size that does not divide the rows so far → error).
 * A page requested ahead under a page size that later changed is not used (and is awaited, so nothing outlives the
 * call). A listing that ends with fewer rows than the last total reported fails: a completed sync never holds fewer
 * rows than the server said it has.
 */
async function pagesByNumber<R>(
  client: HttpClient,
  fetchPage: (page: number, size: number) => Promise<NumberedPage<R>>,
  pageSize: number,
  opts: { endpoint: string; adaptToCap: boolean; onPage?: (rows: R[], done: number, total?: number) => void },
): Promise<R[]> {
  const rows: R[] = [];
  const ahead = new Map<string, Promise<NumberedPage<R>>>();
  const window = Math.max(4, 2 * client.concurrency);
  const take = (page: number, size: number): Promise<NumberedPage<R>> => {
    const key = `${page}/${size}`;
    const p = ahead.get(key);
    if (!p) return fetchPage(page, size);
    ahead.delete(key);
    return p;
  };
  let size = pageSize;
  let reported: number | undefined;
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { rows: got, total } = await take(page, size);
      if (total !== undefined) reported = total;
      rows.push(...got);
      if (got.length === 0) {
        opts.onPage?.(got, rows.length, total);
        break;
      }
      if (total !== undefined && rows.length >= total) {
        opts.onPage?.(got, rows.length, total);
        break;
      }
      if (got.length < size) {
        if (total === undefined || !opts.adaptToCap) {
          opts.onPage?.(got, rows.length, total);
          break;
        }
        if (rows.length % got.length !== 0) {
          throw new SourceError({
            source: SOURCE,
            endpoint: opts.endpoint,
            kind: 'validation',
            detail: `page ${page} returned ${got.length} rows of ${size} requested while FullCount is ${total}; cannot page reliably`,
          });
        }
        size = got.length;
        page = rows.length / size;
      }
      if (total !== undefined) {
        // Request the next pages before handing this one on, so they queue ahead of the fan-out it starts.
        const last = Math.min(Math.ceil(total / size), MAX_PAGES, page + window);
        for (let next = page + 1; next <= last; next++) {
          const key = `${next}/${size}`;
          if (ahead.has(key)) continue;
          const p = fetchPage(next, size);
          p.catch(() => {}); // reported when consumed
          ahead.set(key, p);
        }
      }
      opts.onPage?.(got, rows.length, total);
    }
  } finally {
    await Promise.allSettled(ahead.values());
  }
  if (reported !== undefined && rows.length < reported) {
    throw new SourceError({
      source: SOURCE,
      endpoint: opts.endpoint,
      kind: 'validation',
      detail: `received ${rows.length} rows but FullCount is ${reported}`,
    });
  }
  return rows;
}

/**
 * The rows of a one-request Redrock-style answer (GetRoleMembers, which ignores paging; GetAssignedAdministrativeRights;
 * GetDirectoryServices): fewer rows than its FullCount means the server cut the answer, and no page parameter can
 * fetch the rest, so the source fails instead of holding a role with members missing.
 */
export function wholeResult<R>(result: RedrockResult<R>, endpoint: string): R[] {
  const rows = result.Results.map((r) => r.Row);
  if (typeof result.FullCount === 'number' && rows.length < result.FullCount) {
    throw new SourceError({
      source: SOURCE,
      endpoint,
      kind: 'validation',
      detail: `received ${rows.length} rows but FullCount is ${result.FullCount}, in an answer that cannot be paged`,
    });
  }
  return rows;
}

/** Runs a Redrock script page by page (pagesByNumber); the row count must end equal to FullCount when reported. */
export async function redrockAll<R>(
  client: HttpClient,
  table: string,
  script: string,
  row: z.ZodType<R>,
  pageSize: number,
  signal: AbortSignal,
  onPage?: (rows: R[], done: number, total?: number) => void,
): Promise<R[]> {
  const schema = identityEnvelope(redrockResult(row));
  const endpoint = `${REDROCK} (${table})`;
  return pagesByNumber(
    client,
    async (page, size) => {
      const env = await client.request({
        method: 'POST',
        path: '/Redrock/query',
        endpoint: REDROCK,
        json: { Script: script, Args: { PageNumber: page, PageSize: size, Limit: 1_000_000, Caching: -1 } },
        schema,
        signal,
      });
      const result: RedrockResult<R> = unwrapIdentity(env, SOURCE, endpoint);
      return {
        rows: result.Results.map((r) => r.Row),
        total: typeof result.FullCount === 'number' ? result.FullCount : undefined,
      };
    },
    pageSize,
    { endpoint, adaptToCap: true, ...(onPage ? { onPage } : {}) },
  );
}

/** The UserMgmt/DirectoryServiceQuery answer for one entity type: its sub-result under `key`. */
export const dsqEnvelope = <R>(key: 'User' | 'Group' | 'roles', row: z.ZodType<R>) =>
  identityEnvelope(
    z.looseObject({ [key]: redrockResult(row).nullish() }) as unknown as z.ZodType<
      Record<string, RedrockResult<R> | null | undefined>
    >,
  );

/**
 * UserMgmt/DirectoryServiceQuery for one entity type (users, groups or roles), paged like Redrock: a page shorter
 * than asked while FullCount says more remain is a server-side cap, and paging continues at the size served.
 */
export async function directoryQuery<R>(
  client: HttpClient,
  directoryServices: string[],
  key: 'User' | 'Group' | 'roles',
  row: z.ZodType<R>,
  pageSize: number,
  signal: AbortSignal,
): Promise<R[]> {
  const filterKey = key === 'User' ? 'user' : key === 'Group' ? 'group' : 'roles';
  const endpoint = 'POST /UserMgmt/DirectoryServiceQuery';
  return pagesByNumber(
    client,
    async (page, size) => {
      const env = await client.request({
        method: 'POST',
        path: '/UserMgmt/DirectoryServiceQuery',
        endpoint,
        json: {
          directoryServices,
          [filterKey]: '{}',
          Args: { PageNumber: page, PageSize: size, Limit: 1_000_000, SortBy: '', Caching: -1 },
        },
        schema: dsqEnvelope(key, row),
        signal,
      });
      const result = unwrapIdentity(env, SOURCE, endpoint)[key];
      if (!result) return { rows: [], total: undefined };
      return {
        rows: result.Results.map((r) => r.Row),
        total: typeof result.FullCount === 'number' ? result.FullCount : undefined,
      };
    },
    pageSize,
    { endpoint: `${endpoint} (${key})`, adaptToCap: true },
  );
}
