/**
 * Privilege Cloud (ISPSS, bearer platform token) or self-hosted PAS (Auth/CyberArk/Logon session): client and
 * extract stages. Safes, Accounts and UserGroups follow the server's `nextLink` chain (relative to /PasswordVault/);
 * safe members carry no nextLink on real tenants and are paged by `offset` until `count` is reached. Either way the
 * later pages are predicted and requested ahead, but a prediction is only used when it is the page the server's own
 * answers lead to, so a server that caps page sizes is still followed correctly.
 */
import type { z } from 'zod';
import {
  type AuthProvider,
  HttpClient,
  type HttpClientOptions,
  pasSession,
  pcloudRetryableBody,
  SourceError,
  TaskGroup,
} from '../../http/index.js';
import type { ProgressListener } from '../source.js';
import { pageByOffset } from './offset-paging.js';
import {
  accountsPage,
  membersPage,
  type PrivilegeCloudRaw,
  type SafeRow,
  safesPage,
  userGroupsPage,
} from './schemas.js';

export const SOURCE = 'privilegecloud';
/** Default page sizes (`limit`): safes (maximum undocumented), members (a safe has at most 64), accounts (≤ 1000). */
export const PAGE_SIZES = { safes: 100, members: 100, accounts: 1000 } as const;

/** Privilege Cloud / PAS; the platform token of Identity is used unless PAS credentials are given. */
export interface PrivilegeCloudSettings {
  pcloudUrl: string;
  pas?: { username: string; password: string; method?: 'CyberArk' | 'LDAP' | 'RADIUS' | 'Windows' };
}

export interface ExtractOptions {
  /** Accounts per page (≤ 1000, the documented maximum). */
  accountsPageSize?: number;
  safesPageSize?: number;
  progress?: ProgressListener;
}

/** Host base without a trailing /PasswordVault, e.g. https://acme.privilegecloud.cyberark.cloud. */
export function pcloudBase(pcloudUrl: string): string {
  return pcloudUrl.replace(/\/+$/, '').replace(/\/PasswordVault$/i, '');
}

/** Self-hosted PAS: a Logon session whose raw token is the Authorization header; logged off by close(). */
export function pasAuth(pcloudUrl: string, credentials: NonNullable<PrivilegeCloudSettings['pas']>): AuthProvider {
  return pasSession({
    pvwaUrl: pcloudBase(pcloudUrl),
    username: credentials.username,
    password: credentials.password,
    source: SOURCE,
    ...(credentials.method ? { method: credentials.method } : {}),
  });
}

/** `auth` is the Identity platform token provider on ISPSS, or pasAuth() for self-hosted PAS. */
export function createPrivilegeCloudClient(
  pcloudUrl: string,
  auth: AuthProvider,
  http: Partial<HttpClientOptions> = {},
): HttpClient {
  return new HttpClient({
    ...http,
    source: SOURCE,
    baseUrl: `${pcloudBase(pcloudUrl)}/PasswordVault/`,
    auth,
    isRetryableBody: pcloudRetryableBody,
  });
}

interface Page<T> {
  value: T[];
  count?: number | null;
  nextLink?: string | null;
}

/** The `offset` query parameter of a link, when it has exactly one integer offset. */
function offsetOf(url: URL): number | undefined {
  const values = [...url.searchParams].filter(([k]) => k.toLowerCase() === 'offset').map(([, v]) => v);
  return values.length === 1 && /^\d+$/.test(values[0]!) ? Number(values[0]) : undefined;
}

/** The same link with another offset; everything else kept byte for byte as the server wrote it. */
function withOffset(url: URL, offset: number): URL {
  const next = new URL(url.href);
  next.search = url.search.replace(/([?&]offset=)\d+/i, `$1${offset}`);
  return next;
}

/** A link's identity for matching a predicted link with the server's: path, and query pairs in any order. */
function linkKey(url: URL): string {
  const pairs = [...url.searchParams].map(([k, v]) => `${k.toLowerCase()}=${v}`).sort();
  return `${url.origin}${url.pathname.toLowerCase()}?${pairs.join('&')}`;
}

/**
 * Fetches the first page and follows nextLink until it is absent (then, while `count` says items remain, by offset:
 * the older `{Safes, Total}` answers have no nextLink). The chain of links the server gives is what is
 * followed and checked; to avoid one round trip per page, the links it will give are predicted and requested ahead
 * (up to twice the client's concurrency): a link the same as the server's next link with the offset advanced by the
 * page just served, while the page's `count` says items remain there. A prediction is used only when the server's
 * nextLink turns out to be that very link (same path and query); otherwise the server's link is requested. Pages are
 * handed to `onPage` in order, so a caller can start per-item requests while later pages are still on their way.
 */
async function followNextLinks<T>(
  client: HttpClient,
  first: { path: string; query: Record<string, string | number | boolean> },
  schema: z.ZodType<Page<T>>,
  endpoint: string,
  linkBase: string,
  signal: AbortSignal,
  onPage?: (items: T[], done: number, total?: number) => void,
): Promise<T[]> {
  const rows: T[] = [];
  const window = Math.max(4, 2 * client.concurrency);
  const ahead = new Map<string, Promise<Page<T>>>();
  const get = (url: URL) => client.request({ method: 'GET', path: url.href, schema, endpoint, signal });
  try {
    let page = await client.request({ method: 'GET', path: first.path, query: first.query, schema, endpoint, signal });
    const seenLinks = new Set<string>();
    const seenFirstItems = new Set<string>();
    for (;;) {
      // A page that starts with the item an earlier page started with repeats it: the server ignores the paging.
      const firstItem = page.value.length > 0 ? JSON.stringify(page.value[0]) : undefined;
      if (firstItem !== undefined && seenFirstItems.has(firstItem)) {
        throw new SourceError({
          source: SOURCE,
          endpoint,
          kind: 'validation',
          detail: 'a page repeats an earlier page',
        });
      }
      if (firstItem !== undefined) seenFirstItems.add(firstItem);
      rows.push(...page.value);
      if (!page.nextLink) {
        const count = page.count ?? undefined;
        onPage?.(page.value, rows.length, count);
        if (count === undefined || rows.length >= count || page.value.length === 0) break;
        // No nextLink while `count` says more remain: older PAS answers ({Safes, Total}, CyberArk docs) page by
        // offset only. The list continues at offset = items read.
        const query = { ...first.query, offset: rows.length };
        page = await client.request({ method: 'GET', path: first.path, query, schema, endpoint, signal });
        continue;
      }
      // nextLink is relative to /PasswordVault/ (psPAS Get-NextLink).
      const url = client.resolveLink(page.nextLink, linkBase);
      if (seenLinks.has(url.href)) {
        throw new SourceError({
          source: SOURCE,
          endpoint,
          kind: 'validation',
          detail: 'nextLink repeats an earlier page',
        });
      }
      seenLinks.add(url.href);
      const offset = offsetOf(url);
      const stride = page.value.length;
      if (typeof page.count === 'number' && offset !== undefined && stride > 0) {
        for (let o = offset + stride, n = 1; o < page.count && n < window; o += stride, n++) {
          const predicted = withOffset(url, o);
          const key = linkKey(predicted);
          if (ahead.has(key) || seenLinks.has(predicted.href)) continue;
          const p = get(predicted);
          p.catch(() => {}); // reported when consumed
          ahead.set(key, p);
        }
      }
      onPage?.(page.value, rows.length, page.count ?? undefined);
      const key = linkKey(url);
      const predicted = ahead.get(key);
      ahead.delete(key);
      page = await (predicted ?? get(url));
    }
    if (typeof page.count === 'number' && rows.length < page.count) {
      throw new SourceError({
        source: SOURCE,
        endpoint,
        kind: 'validation',
        detail: `received ${rows.length} items but count is ${page.count} and the last page came back empty`,
      });
    }
  } finally {
    await Promise.allSettled(ahead.values());
  }
  return rows;
}

/**
 * Safes, Accounts and UserGroups are listed at once, under the client's one concurrency limit; each safe's members are
 * requested as soon as the page that lists the safe arrives. The first failure cancels the rest and is the error
 * thrown.
 */
export async function extractPrivilegeCloud(
  client: HttpClient,
  pcloudUrl: string,
  deployment: PrivilegeCloudRaw['deployment'],
  options: ExtractOptions = {},
): Promise<PrivilegeCloudRaw> {
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });
  const linkBase = `${pcloudBase(pcloudUrl)}/PasswordVault/`;
  const group = new TaskGroup();
  const { signal } = group;

  phase('safes');
  const members: PrivilegeCloudRaw['members'] = {};
  let safesSeen = 0;
  let safesDone = 0;
  const membersOf = (safe: SafeRow) =>
    group.spawn(async () => {
      // safeUrlId is already URL-encoded by the server: used verbatim (as recorded on Privilege Cloud).
      members[safe.safeName] = await pageByOffset(
        client,
        {
          path: `API/Safes/${safe.safeUrlId}/Members`,
          limit: PAGE_SIZES.members,
          query: { filter: 'includePredefinedUsers eq true' },
        },
        membersPage,
        'GET /PasswordVault/API/Safes/{safeUrlId}/Members',
        signal,
      );
      progress({ type: 'progress', source: SOURCE, phase: 'safe members', done: ++safesDone, total: safesSeen });
    });
  const safesTask = group.spawn(async () => {
    const safes = await followNextLinks(
      client,
      {
        path: 'API/Safes',
        query: { offset: 0, limit: options.safesPageSize ?? PAGE_SIZES.safes, extendedDetails: true },
      },
      safesPage,
      'GET /PasswordVault/API/Safes',
      linkBase,
      signal,
      (page, done, total) => {
        progress({ type: 'progress', source: SOURCE, phase: 'safes', done, ...(total ? { total } : {}) });
        if (page.length > 0 && safesSeen === 0) phase('safe members');
        for (const safe of page) {
          safesSeen++;
          membersOf(safe);
        }
      },
    );
    return safes;
  });

  phase('accounts');
  const limit = Math.min(options.accountsPageSize ?? PAGE_SIZES.accounts, 1000);
  const accountsTask = group.spawn(() =>
    followNextLinks(
      client,
      { path: 'API/Accounts', query: { offset: 0, limit } },
      accountsPage,
      'GET /PasswordVault/API/Accounts',
      linkBase,
      signal,
      (_page, done, total) =>
        progress({ type: 'progress', source: SOURCE, phase: 'accounts', done, ...(total ? { total } : {}) }),
    ),
  );

  phase('vault groups');
  const userGroupsTask = group.spawn(() =>
    followNextLinks(
      client,
      { path: 'API/UserGroups', query: { includeMembers: true } },
      userGroupsPage,
      'GET /PasswordVault/API/UserGroups',
      linkBase,
      signal,
    ),
  );

  await group.wait();
  return {
    pcloudUrl,
    deployment,
    safes: await safesTask,
    members,
    accounts: await accountsTask,
    userGroups: await userGroupsTask,
  };
}
