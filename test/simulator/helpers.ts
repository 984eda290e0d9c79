import { request } from 'undici';
import type { Simulator } from '../../src/simulator/index.js';
import { OAUTH } from './fixture.js';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: T;
}

export async function http<T = unknown>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult<T>> {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json: json as T };
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export async function platformToken(sim: Simulator): Promise<string> {
  const res = await http<{ access_token: string }>(`${sim.identityUrl}/oauth2/platformtoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret }),
  });
  if (res.status !== 200) throw new Error(`platformtoken failed: ${res.status} ${res.text}`);
  return res.json.access_token;
}

// biome-ignore lint/suspicious/noExplicitAny: test helper returning loosely typed API JSON
export type Json = any;

/** POST to an Identity endpoint with the bearer token and the native-client header. */
export function idPost(
  sim: Simulator,
  token: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return http<Json>(`${sim.identityUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-idap-native-client': 'true',
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** GET a Privilege Cloud path (relative to the host, e.g. /PasswordVault/API/Safes). */
export function pcGet(sim: Simulator, token: string, path: string, raw = false) {
  return http<Json>(`${sim.pcloudUrl}${path}`, {
    headers: { authorization: raw ? token : `Bearer ${token}` },
  });
}
