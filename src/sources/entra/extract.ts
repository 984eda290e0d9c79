/**
 * Microsoft Entra ID over Microsoft Graph v1.0: client and extract stages (docs/entra.md).
 *
 * Endpoint sequence: client-credentials token (authority) → GET /v1.0/users (all pages) → GET /v1.0/groups (all
 * pages) → per group GET /v1.0/groups/{id}/members?$select=id (all pages; in parallel, bounded by the client's
 * concurrency). Every page is followed through the server's `@odata.nextLink`, used as given and only when it is on
 * the configured Graph origin (the bearer token never leaves it); skiptokens are never parsed or built here.
 */
import type { z } from 'zod';
import {
  type AuthProvider,
  bearerClientCredentials,
  HttpClient,
  type HttpClientOptions,
  parseGraphError,
  SourceError,
} from '../../http/index.js';
import type { ProgressListener } from '../source.js';
import {
  type EntraRaw,
  GROUP_SELECT,
  groupsPage,
  MEMBER_SELECT,
  type MemberRow,
  membersPage,
  USER_SELECT,
  usersPage,
} from './schemas.js';

export const SOURCE = 'entra';
export const DEFAULT_AUTHORITY_URL = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';
/** Graph's largest page for users, groups and members (Graph docs: List users): fewest requests. */
export const MAX_PAGE_SIZE = 999;

export interface EntraSourceConfig {
  /** Directory (tenant) id, a GUID (a verified domain name is accepted by the token endpoint too). */
  tenantId: string;
  /** Application (client) id of the app registration. */
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com (national clouds and tests override it). */
  authorityUrl?: string;
  /** Default https://graph.microsoft.com (a trailing /v1.0 is ignored). */
  graphUrl?: string;
  /** Names the EntraTenant node; default the tenant id. */
  primaryDomain?: string;
}

export interface ExtractOptions {
  /** `$top` of every collection request, 1–999 (default 999). */
  pageSize?: number;
  progress?: ProgressListener;
  /** Cancels the extraction. */
  signal?: AbortSignal;
}

/** Graph base without trailing slashes or a trailing /v1.0, e.g. https://graph.microsoft.com. */
export function graphBase(graphUrl: string = DEFAULT_GRAPH_URL): string {
  return graphUrl
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/v1\.0$/i, '');
}

export function authorityBase(authorityUrl: string = DEFAULT_AUTHORITY_URL): string {
  return authorityUrl.trim().replace(/\/+$/, '');
}

function tenantOf(config: EntraSourceConfig): string {
  const tenant = config.tenantId?.trim() ?? '';
  if (tenant === '' || /[/?#\s]/.test(tenant)) {
    throw new SourceError({
      source: SOURCE,
      endpoint: 'tenantId',
      kind: 'config',
      detail: 'tenantId must be the directory (tenant) id, e.g. 8f0e1d2c-3b4a-4596-a7b8-c9d0e1f2a3b4',
    });
  }
  return tenant;
}

/** `${authorityUrl}/${tenantId}/oauth2/v2.0/token`. */
export function entraTokenUrl(config: EntraSourceConfig): string {
  return `${authorityBase(config.authorityUrl)}/${encodeURIComponent(tenantOf(config))}/oauth2/v2.0/token`;
}

/** `${graphUrl}/.default`: every application permission granted to the app for Graph (client credentials flow). */
export function entraScope(config: EntraSourceConfig): string {
  return `${graphBase(config.graphUrl)}/.default`;
}

/** Client-credentials bearer token from the Microsoft identity platform, cached and renewed. */
export function entraAuth(config: EntraSourceConfig): AuthProvider {
  return bearerClientCredentials({
    tokenUrl: entraTokenUrl(config),
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scope: entraScope(config),
    source: SOURCE,
  });
}

/** The Graph client: requests (and next links) only to the Graph origin; tokens only to the authority origin. */
export function createEntraClient(config: EntraSourceConfig, http: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    ...http,
    source: SOURCE,
    baseUrl: graphBase(config.graphUrl),
    auth: entraAuth(config),
    parseApiError: parseGraphError,
  });
}

const MAX_PAGES = 100_000;

interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string | null | undefined;
}

/** The next page's URL: the link as given, after the origin check; an error names the endpoint being paged. */
function nextUrl(client: HttpClient, link: string, current: string, endpoint: string): string {
  try {
    const resolved = client.resolveLink(link, current);
    return /^[a-z][a-z0-9+.-]*:/i.test(link) ? link : resolved.href;
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    throw new SourceError({
      source: SOURCE,
      endpoint,
      kind: error.kind,
      detail: `@odata.nextLink: ${error.detail}`,
      cause: error,
    });
  }
}

/** Fetches the first page and follows `@odata.nextLink` until it is absent. */
async function collect<T>(
  client: HttpClient,
  first: { path: string; query: Record<string, string | number> },
  schema: z.ZodType<Page<T>>,
  endpoint: string,
  signal: AbortSignal | undefined,
  onPage?: (done: number) => void,
): Promise<T[]> {
  const rows: T[] = [];
  const withSignal = signal ? { signal } : {};
  let current = first.path;
  let page = await client.request({
    method: 'GET',
    path: first.path,
    query: first.query,
    schema,
    endpoint,
    ...withSignal,
  });
  const seen = new Set<string>();
  for (let pages = 1; ; pages++) {
    rows.push(...page.value);
    onPage?.(rows.length);
    const link = page['@odata.nextLink'];
    if (!link) break;
    const url = nextUrl(client, link, current, endpoint);
    if (seen.has(url) || pages >= MAX_PAGES) {
      throw new SourceError({
        source: SOURCE,
        endpoint,
        kind: 'validation',
        detail: seen.has(url) ? '@odata.nextLink repeats an earlier page' : `more than ${MAX_PAGES} pages`,
      });
    }
    seen.add(url);
    current = url;
    page = await client.request({ method: 'GET', path: url, schema, endpoint, ...withSignal });
  }
  return rows;
}

function isVanishedGroup(error: unknown): boolean {
  return error instanceof SourceError && error.status === 404 && error.code === 'Request_ResourceNotFound';
}

export async function extractEntra(
  client: HttpClient,
  config: EntraSourceConfig,
  options: ExtractOptions = {},
): Promise<EntraRaw> {
  const tenantId = tenantOf(config).toLowerCase();
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new SourceError({
      source: SOURCE,
      endpoint: 'pageSize',
      kind: 'config',
      detail: `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${pageSize})`,
    });
  }
  const progress = options.progress ?? (() => {});
  const phase = (name: string) => progress({ type: 'phase', source: SOURCE, phase: name });
  const warnings: string[] = [];

  phase('users');
  const users = await collect(
    client,
    { path: '/v1.0/users', query: { $select: USER_SELECT.join(','), $top: pageSize } },
    usersPage,
    'GET /v1.0/users',
    options.signal,
    (done) => progress({ type: 'progress', source: SOURCE, phase: 'users', done }),
  );

  phase('groups');
  const groups = await collect(
    client,
    { path: '/v1.0/groups', query: { $select: GROUP_SELECT.join(','), $top: pageSize } },
    groupsPage,
    'GET /v1.0/groups',
    options.signal,
    (done) => progress({ type: 'progress', source: SOURCE, phase: 'groups', done }),
  );

  phase('group members');
  // The first failure cancels the member requests still queued or in flight.
  const cancel = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
  const members: Record<string, MemberRow[]> = {};
  const vanished = new Set<string>();
  let done = 0;
  await Promise.all(
    groups.map(async (group) => {
      try {
        members[group.id] = await collect(
          client,
          {
            path: `/v1.0/groups/${encodeURIComponent(group.id)}/members`,
            query: { $select: MEMBER_SELECT.join(','), $top: pageSize },
          },
          membersPage,
          'GET /v1.0/groups/{id}/members',
          signal,
        );
      } catch (error) {
        if (isVanishedGroup(error)) {
          // Deleted between the listing and this request: drop it, no reason to fail the sync.
          warnings.push(`group ${group.id} (${group.displayName ?? 'no name'}) was deleted while reading; skipped`);
          vanished.add(group.id);
        } else {
          cancel.abort();
          throw error;
        }
      }
      progress({ type: 'progress', source: SOURCE, phase: 'group members', done: ++done, total: groups.length });
    }),
  );

  return {
    tenantId,
    primaryDomain: config.primaryDomain?.trim() || null,
    graphUrl: graphBase(config.graphUrl),
    users,
    groups: vanished.size === 0 ? groups : groups.filter((g) => !vanished.has(g.id)),
    members,
    warnings,
  };
}
