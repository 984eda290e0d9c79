/** Shared helpers of the Entra tests: raw HTTP against the Graph simulator, tokens, and extractor config. */
import { request } from 'undici';
import type { GraphSimulator } from '../../src/simulator/index.js';
import type { EntraSourceConfig } from '../../src/sources/entra/extract.js';
import { CLIENT, TENANT_ID } from './fixture.js';

/** Fast retries: the simulator's faults should not make tests wait for real backoff. */
export const FAST_HTTP = { backoff: { baseMs: 1, maxMs: 20 }, retryAfterCapMs: 2_000 } as const;

// biome-ignore lint/suspicious/noExplicitAny: test helper returning loosely typed API JSON
export type Json = any;

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Json;
}

export async function http(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export function tokenRequest(
  sim: GraphSimulator,
  fields: Record<string, string>,
  tenant: string = TENANT_ID,
  headers: Record<string, string> = {},
) {
  return http(`${sim.authorityUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export async function graphToken(sim: GraphSimulator, client: { clientId: string; clientSecret: string } = CLIENT) {
  const res = await tokenRequest(sim, {
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json.access_token as string;
}

/** GET a Graph path (e.g. /v1.0/users?$top=5) or an absolute URL with a bearer token. */
export function graphGet(sim: GraphSimulator, token: string | undefined, pathOrUrl: string, headers = {}) {
  const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${sim.graphUrl}${pathOrUrl}`;
  return http(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
}

/** Follows @odata.nextLink to the end; returns every page body. */
export async function allPages(sim: GraphSimulator, token: string, path: string): Promise<Json[]> {
  const pages: Json[] = [];
  let next: string | undefined = path;
  while (next) {
    const res = await graphGet(sim, token, next);
    if (res.status !== 200) throw new Error(`GET ${next}: ${res.status} ${res.text}`);
    pages.push(res.json);
    next = res.json['@odata.nextLink'];
  }
  return pages;
}

export function entraConfig(sim: GraphSimulator, overrides: Partial<EntraSourceConfig> = {}): EntraSourceConfig {
  return {
    tenantId: TENANT_ID,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    authorityUrl: sim.authorityUrl,
    graphUrl: sim.graphUrl,
    ...overrides,
  };
}

/** Sum of the counters whose key matches. */
export function countMatching(sim: GraphSimulator, pattern: RegExp): number {
  return Object.entries(sim.counters.snapshot())
    .filter(([k]) => pattern.test(k))
    .reduce((n, [, v]) => n + v, 0);
}
