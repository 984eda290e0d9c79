/** Small HTTP helpers shared by the simulator servers. */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Fastify options both CyberArk servers use: case-insensitive paths, trailing slash ignored, no logging. */
export const ROUTER_OPTIONS = {
  caseSensitive: false,
  ignoreTrailingSlash: true,
  ignoreDuplicateSlashes: true,
  // Percent-encoded safe names (28 characters, up to 6 bytes each when encoded) must fit in one path parameter.
  maxParamLength: 1000,
} as const;

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/**
 * JSON bodies may be empty (clients POST "{}" or nothing with Content-Type: application/json); form bodies are parsed
 * into a flat record; anything else is parsed as JSON when it looks like JSON, else ignored.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = (text: string): unknown => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    try {
      return JSON.parse(trimmed);
    } catch {
      throw badRequest('request body is not valid JSON');
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
      try {
        done(null, parseJson(text));
      } catch (error) {
        done(error as Error, undefined);
      }
    } else done(null, text === '' ? undefined : text);
  });
}

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
