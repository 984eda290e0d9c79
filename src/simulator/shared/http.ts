/** Reading requests: query parameters, bodies, headers and credentials, as every simulator server needs them. */
import type { FastifyRequest } from 'fastify';

export type Query = Record<string, string | undefined>;

/** Query parameters with lower-cased names (the first value wins when a name repeats). */
export function queryOf(request: FastifyRequest): Query {
  const out: Query = {};
  const q = request.query;
  if (q && typeof q === 'object') {
    for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
      const key = k.toLowerCase();
      if (key in out) continue;
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value === 'string') out[key] = value;
    }
  }
  return out;
}

/** The query parameters in their original order and spelling (for nextLink). */
export function rawQueryPairs(request: FastifyRequest): [string, string][] {
  const q = request.url.indexOf('?');
  if (q === -1) return [];
  return [...new URLSearchParams(request.url.slice(q + 1)).entries()];
}

/** A JSON body as a plain object (empty or non-object bodies give {}). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** The string fields of a form (or JSON) body; other values are left out. */
export function formFields(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(bodyOf(request))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Case-insensitive property lookup: tries the given spellings first, then any key equal ignoring case. */
export function pick(obj: Record<string, unknown>, ...names: string[]): unknown {
  for (const n of names) if (obj[n] !== undefined) return obj[n];
  const lower = new Set(names.map((n) => n.toLowerCase()));
  for (const [k, v] of Object.entries(obj)) if (lower.has(k.toLowerCase()) && v !== undefined) return v;
  return undefined;
}

export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `Authorization: Basic base64(id:secret)` → [id, secret]. */
export function parseBasic(header: string | undefined): [string, string] | undefined {
  const m = header?.match(/^\s*basic\s+(\S+)\s*$/i);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** `Authorization: Bearer <token>` → token. */
export function parseBearer(header: string | undefined): string | undefined {
  const m = header?.match(/^\s*bearer\s+(\S+)\s*$/i);
  return m?.[1];
}

/** The bearer token a request presents in its Authorization header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return parseBearer(headerValue(request, 'authorization'));
}

/** Basic credentials as RFC 6749 §2.3.1 sends them (form-urlencoded first), decoded; undefined if not decodable. */
export function formDecoded([id, secret]: [string, string]): [string, string] | undefined {
  try {
    return [decodeURIComponent(id), decodeURIComponent(secret)];
  } catch {
    return undefined;
  }
}

/** The status an error handler answers with: the error's own 4xx status, else 500. */
export function clientErrorStatus(error: Error & { statusCode?: number }): number {
  return error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
}

export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.trim().toLowerCase());
  return false;
}

/** Parses a non-negative integer parameter; undefined when absent, NaN when present but invalid. */
export function intParam(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isInteger(n) && n >= 0 ? n : Number.NaN;
}
