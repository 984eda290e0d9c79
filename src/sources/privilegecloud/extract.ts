/**
 * Privilege Cloud (ISPSS, bearer platform token) or self-hosted PAS (Auth/CyberArk/Logon session): client and
 * extract stages. Paging always follows the server's `nextLink` (relative to /PasswordVault/); offsets are never
 * computed here, so a server that caps page sizes is followed correctly.
 */
import type { z } from 'zod';
import {
  type AuthProvider,
  HttpClient,
  type HttpClientOptions,
  pasSession,
  pcloudRetryableBody,
  SourceError,
} from '../../http/index.js';
import type { ProgressListener } from '../types.js';
import { accountsPage, membersPage, type PrivilegeCloudRaw, safesPage, userGroupsPage } from './schemas.js';

export const SOURCE = 'privilegecloud';

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
export function pasAuth(
  pcloudUrl: string,
  credentials: { username: string; password: string; method?: 'CyberArk' | 'LDAP' | 'RADIUS' | 'Windows' },
): AuthProvider {
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

/** Fetches the first page and follows nextLink until it is absent. */
async function followNextLinks<T>(
  client: HttpClient,
  first: { path: string; query: Record<string, string | number | boolean> },
  schema: z.ZodType<Page<T>>,
  endpoint: string,
  linkBase: string,
  onPage?: (done: number, total?: number) => void,
): Promise<T[]> {
  const rows: T[] = [];
  let page = await client.request({ method: 'GET', path: first.path, query: first.query, schema, endpoint });
  const seenLinks = new Set<string>();
  for (;;) {
    rows.push(...page.value);
    onPage?.(rows.length, page.count ?? undefined);
    if (!page.nextLink) break;
    // nextLink is relative to /PasswordVault/ (reference §7.1).
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
    page = await client.request({ method: 'GET', path: url.href, schema, endpoint });
  }
  if (typeof page.count === 'number' && rows.length < page.count) {
    throw new SourceError({
      source: SOURCE,
      endpoint,
      kind: 'validation',
      detail: `received ${rows.length} items but count is ${page.count} and there is no nextLink`,
    });
  }
  return rows;
}

export async function extractPrivilegeCloud(
  client: HttpClient,
  pcloudUrl: string,
  deployment: PrivilegeCloudRaw['deployment'],
  options: ExtractOptions = {},
): Promise<PrivilegeCloudRaw> {
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });
  const linkBase = `${pcloudBase(pcloudUrl)}/PasswordVault/`;

  phase('safes');
  const safes = await followNextLinks(
    client,
    { path: 'API/Safes', query: { offset: 0, limit: options.safesPageSize ?? 100, extendedDetails: true } },
    safesPage,
    'GET /PasswordVault/API/Safes',
    linkBase,
    (done, total) => progress({ type: 'progress', source: SOURCE, phase: 'safes', done, ...(total ? { total } : {}) }),
  );

  phase('safe members');
  const members: PrivilegeCloudRaw['members'] = {};
  let safesDone = 0;
  await Promise.all(
    safes.map(async (safe) => {
      // safeUrlId is already URL-encoded by the server: used verbatim (reference §7.1).
      members[safe.safeName] = await followNextLinks(
        client,
        {
          path: `API/Safes/${safe.safeUrlId}/Members`,
          query: { offset: 0, limit: 100, filter: 'includePredefinedUsers eq true' },
        },
        membersPage,
        'GET /PasswordVault/API/Safes/{safeUrlId}/Members',
        linkBase,
      );
      progress({ type: 'progress', source: SOURCE, phase: 'safe members', done: ++safesDone, total: safes.length });
    }),
  );

  phase('accounts');
  const limit = Math.min(options.accountsPageSize ?? 1000, 1000);
  const accounts = await followNextLinks(
    client,
    { path: 'API/Accounts', query: { offset: 0, limit } },
    accountsPage,
    'GET /PasswordVault/API/Accounts',
    linkBase,
    (done, total) =>
      progress({ type: 'progress', source: SOURCE, phase: 'accounts', done, ...(total ? { total } : {}) }),
  );

  phase('vault groups');
  const userGroups = await followNextLinks(
    client,
    { path: 'API/UserGroups', query: { includeMembers: true } },
    userGroupsPage,
    'GET /PasswordVault/API/UserGroups',
    linkBase,
  );

  return { pcloudUrl, deployment, safes, members, accounts, userGroups };
}
