/**
 * Reading one complete response: the status, the error body, Retry-After, the JSON and the schema decide between a
 * value and a SourceError (retryable or not, or "unauthorized" for the client's one re-authentication). No I/O:
 * HttpClient sends the request and acts on the outcome.
 */
import { STATUS_CODES } from 'node:http';
import { SourceError, type SourceErrorInit, validationError } from './errors.js';
import type { HttpClientOptions, HttpRequest } from './types.js';

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Parses Retry-After: seconds (integer or fractional, e.g. "2.128") or an HTTP-date. Returns milliseconds (>= 0) or
 * undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number.parseFloat(v) * 1000);
  if (!/[A-Za-z]{3}/.test(v)) return undefined; // an HTTP-date names its month: "Wed, 21 Oct 2015 07:28:00 GMT"
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** A complete response, not yet interpreted. */
export interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The Authorization value sent (to invalidate exactly that credential on a 401). */
  authorization: string | undefined;
}

export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: SourceError; retryAfterMs?: number; unauthorized?: { authorization?: string } };

/** The client settings that decide how a response reads. */
export interface ResponseRules {
  source: string;
  parseApiError: NonNullable<HttpClientOptions['parseApiError']>;
  isRetryableBody: HttpClientOptions['isRetryableBody'];
  retryAfterCapMs: number;
}

export function oneLine(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function err(rules: ResponseRules, endpoint: string, init: Omit<SourceErrorInit, 'source' | 'endpoint'>): SourceError {
  return new SourceError({ source: rules.source, endpoint, ...init });
}

function parseErrorBody(
  rules: ResponseRules,
  status: number,
  contentType: string,
  text: string,
): { code?: string; detail: string } {
  let body: unknown = text;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  let parsed: { code?: string; message: string } | undefined;
  try {
    parsed = rules.parseApiError(status, body);
  } catch {
    parsed = undefined;
  }
  const head = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (parsed) {
    const msg = oneLine(parsed.message, 300);
    const detail =
      parsed.code && parsed.code !== msg ? `${head}: ${parsed.code}${msg ? `: ${msg}` : ''}` : `${head}: ${msg}`;
    return parsed.code ? { code: parsed.code, detail } : { detail };
  }
  if (typeof body === 'string' && body.trim() !== '' && !/html/i.test(contentType)) {
    return { detail: `${head}: ${oneLine(body)}` };
  }
  return { detail: head };
}

/** The outcome of a complete response to `req`. */
export function interpretResponse<T>(
  rules: ResponseRules,
  req: HttpRequest<T>,
  endpoint: string,
  { status, headers, text, authorization }: Received,
): Outcome<T> {
  const contentType = headerValue(headers['content-type']) ?? '';
  if (status >= 200 && status < 300) return interpretSuccess(rules, req, endpoint, status, contentType, text);

  const { code, detail } = parseErrorBody(rules, status, contentType, text);
  const withCode = code === undefined ? {} : { code };
  if (status === 401) {
    const error = err(rules, endpoint, { kind: 'auth', status, detail, ...withCode });
    return { ok: false, error, unauthorized: authorization === undefined ? {} : { authorization } };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      error: err(rules, endpoint, { kind: 'http', status, detail: `${detail} (redirects are not followed)` }),
    };
  }
  let bodyRetryable = false;
  if (rules.isRetryableBody && text.trim() !== '') {
    try {
      bodyRetryable = rules.isRetryableBody(JSON.parse(text));
    } catch {
      bodyRetryable = false;
    }
  }
  const retryable = RETRYABLE_STATUS.has(status) || bodyRetryable;
  const error = err(rules, endpoint, { kind: 'http', status, detail, retryable, ...withCode });
  if (!retryable) return { ok: false, error };
  const retryAfter = parseRetryAfter(headers['retry-after']);
  if (retryAfter === undefined) return { ok: false, error };
  return { ok: false, error, retryAfterMs: Math.min(retryAfter, rules.retryAfterCapMs) };
}

function interpretSuccess<T>(
  rules: ResponseRules,
  req: HttpRequest<T>,
  endpoint: string,
  status: number,
  contentType: string,
  text: string,
): Outcome<T> {
  let body: unknown;
  if (req.expectText) {
    body = text;
  } else if (text.trim() === '') {
    body = undefined;
  } else {
    try {
      body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // .NET servers may send a BOM
    } catch {
      // Never echo the parser's message: V8 quotes the input, which may hold a token.
      const looksJson = /^\s*[[{"]/.test(text) || contentType === '' || /json/i.test(contentType);
      const detail = looksJson
        ? `response is not valid JSON (${text.length} characters; truncated transfer?)`
        : `expected a JSON response, received ${oneLine(contentType, 80)}`;
      return { ok: false, error: err(rules, endpoint, { kind: 'validation', status, detail, retryable: looksJson }) };
    }
    if (rules.isRetryableBody?.(body)) {
      const parsed = parseErrorBody(rules, status, contentType, text);
      return {
        ok: false,
        error: err(rules, endpoint, {
          kind: 'api',
          status,
          detail: `transient error in the response body: ${parsed.detail}`,
          retryable: true,
          ...(parsed.code === undefined ? {} : { code: parsed.code }),
        }),
      };
    }
  }
  const result = req.schema.safeParse(body);
  if (!result.success) return { ok: false, error: validationError(rules.source, endpoint, result.error, { status }) };
  return { ok: true, value: result.data };
}
