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

/**
 * Every key path of a JSON value (`value[].creator.id`); the items of an array are merged. Below a path listed in
 * `opaque` (an object whose keys are data, not shape: an account's platformAccountProperties hold the properties its
 * platform defines) only the path itself is listed.
 */
export function keyPaths(json: unknown, opaque: readonly string[] = [], prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(json)) {
    for (const item of json) for (const p of keyPaths(item, opaque, `${prefix}[]`)) out.add(p);
  } else if (json !== null && typeof json === 'object') {
    for (const [k, v] of Object.entries(json)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      out.add(path);
      if (opaque.includes(path)) continue;
      for (const p of keyPaths(v, opaque, path)) out.add(p);
    }
  }
  return out;
}

/** The key paths of several answers (pages of one list, answers for several ids) together. */
export function unionKeyPaths(answers: readonly unknown[], opaque: readonly string[] = []): Set<string> {
  const out = new Set<string>();
  for (const a of answers) for (const p of keyPaths(a, opaque)) out.add(p);
  return out;
}

export const sorted = (s: Set<string>) => [...s].sort();

/** The key paths of `got` that `allowed` does not have (none when the simulator invents no key). */
export function extraKeys(got: Set<string>, allowed: Set<string>): string[] {
  return [...got].filter((p) => !allowed.has(p)).sort();
}
