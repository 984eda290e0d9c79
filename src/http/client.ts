/**
 * HttpClient: the shared HTTP layer every extractor (Identity, Privilege Cloud, PAS, later Entra/Graph) calls.
 *
 * One client per source. It joins paths onto the base URL, adds auth, bounds concurrency, times out, retries what is
 * transient, validates every response with zod and turns every failure into a SourceError that names the source and
 * the endpoint. Semantics (also in README.md in this folder):
 *
 * - Retried, up to maxAttempts in total: 429, 500, 502, 503, 504, network errors (reset, socket closed, ...),
 *   timeouts, malformed JSON in a 2xx (usually a truncated transfer), and bodies for which isRetryableBody() is true.
 *   Retry-After (integer or fractional seconds, or an HTTP-date) is honoured on any retried status, capped at
 *   retryAfterCapMs; otherwise exponential backoff with full jitter. POSTs are retried too: every call this layer
 *   makes is a read (Identity reads are POSTs).
 * - ECONNREFUSED / ENOTFOUND on the FIRST attempt fail at once (almost always a wrong URL or port: five backoffs would
 *   only delay the message); a refused connection on a later attempt (service restarting after a 503 or a reset) is
 *   retried.
 * - Never retried: 400, 403, 404 and every other status not listed above, redirects (never followed), validation
 *   failures of well-formed JSON.
 * - 401: when the request carried auth, the provider is invalidated and the request is sent once more at once (this
 *   does not use up a retry); a second 401 — or a 401 without auth — is a SourceError kind 'auth'.
 * - Cancellation: a request whose `signal` is aborted fails as kind 'network' "request cancelled" — before it is sent
 *   when it was still queued for a slot, at once when it was waiting out a backoff or Retry-After — and is not retried.
 * - Origins: every URL, relative or absolute, is checked against allowedOrigins before anything is sent (tokens
 *   included); a URL elsewhere is kind 'origin' and nothing is sent. Base URL and allowed origins must be https
 *   unless loopback (kind 'config').
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';
import { defaultApiErrorParser } from './api-errors.js';
import { SourceError, type SourceErrorInit } from './errors.js';
import { classifyFailure } from './failure.js';
import { interpretResponse, type Outcome, type Received, type ResponseRules } from './response.js';
import type { AuthProvider, HttpClientOptions, HttpRequest, RequestEvent } from './types.js';
import { endpointLabel, isAbsoluteUrl, joinUrl, parseServiceUrl } from './url.js';

let sharedAgent: Agent | undefined;

/** The largest response body read by default (HttpClientOptions.maxResponseBytes). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The process-wide keep-alive Agent used when no dispatcher is injected. */
export function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 15_000 } });
  return sharedAgent;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function encodeQueryPart(s: string): string {
  return encodeURIComponent(s).replace(/%(24|2C|3A|2F|40)/gi, (m) => decodeURIComponent(m));
}

export class HttpClient {
  readonly source: string;
  readonly baseUrl: URL;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly auth: AuthProvider | undefined;
  private readonly options: HttpClientOptions;
  private readonly limit: LimitFunction;
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly rules: ResponseRules;
  private readonly defaultHeaders: Record<string, string>;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.source = options.source;
    this.baseUrl = parseServiceUrl(options.baseUrl, options.source, 'baseUrl');
    const origins = (options.allowedOrigins ?? [this.baseUrl.origin]).map(
      (o) => parseServiceUrl(o, options.source, 'allowedOrigins').origin,
    );
    this.allowedOrigins = new Set(origins);
    this.auth = options.auth;
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new SourceError({
        source: this.source,
        endpoint: 'concurrency',
        kind: 'config',
        detail: `concurrency must be a positive integer (got ${concurrency})`,
      });
    }
    this.limit = pLimit(concurrency);
    this.dispatcher = options.dispatcher ?? defaultDispatcher();
    this.sleep = options.sleep ?? realSleep;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffBaseMs = options.backoff?.baseMs ?? 250;
    this.backoffMaxMs = options.backoff?.maxMs ?? 10_000;
    this.rules = {
      source: this.source,
      parseApiError: options.parseApiError ?? defaultApiErrorParser,
      isRetryableBody: options.isRetryableBody,
      retryAfterCapMs: options.retryAfterCapMs ?? 60_000,
    };
    this.defaultHeaders = { accept: 'application/json', 'user-agent': 'arkgraph' };
    for (const [k, v] of Object.entries(options.headers ?? {})) this.defaultHeaders[k.toLowerCase()] = v;
  }

  /**
   * A client for another base URL (e.g. a token endpoint) that shares this client's transport settings — dispatcher,
   * sleep, timeouts, retries, stats hook — but not its auth, headers, allowed origins or concurrency limiter.
   */
  derive(overrides: Partial<HttpClientOptions> & Pick<HttpClientOptions, 'baseUrl'>): HttpClient {
    const o = this.options;
    const inherited: HttpClientOptions = {
      source: this.source,
      baseUrl: overrides.baseUrl,
      dispatcher: this.dispatcher,
    };
    if (o.timeoutMs !== undefined) inherited.timeoutMs = o.timeoutMs;
    if (o.maxResponseBytes !== undefined) inherited.maxResponseBytes = o.maxResponseBytes;
    if (o.maxAttempts !== undefined) inherited.maxAttempts = o.maxAttempts;
    if (o.backoff !== undefined) inherited.backoff = o.backoff;
    if (o.retryAfterCapMs !== undefined) inherited.retryAfterCapMs = o.retryAfterCapMs;
    if (o.onRequest !== undefined) inherited.onRequest = o.onRequest;
    if (o.sleep !== undefined) inherited.sleep = o.sleep;
    return new HttpClient({ ...inherited, ...overrides });
  }

  /**
   * Resolves a (possibly relative) next-page link against `base` (absolute, or relative to baseUrl like a request
   * path) and enforces the allowed origins: a link elsewhere is a SourceError kind 'origin'.
   * PCloud: resolveLink(page.nextLink, '/PasswordVault/'); Graph: resolveLink(page['@odata.nextLink'], currentUrl).
   */
  resolveLink(link: string, base: string): URL {
    const baseUrl = isAbsoluteUrl(base) ? new URL(base, this.baseUrl) : joinUrl(this.baseUrl, base);
    let url: URL;
    try {
      url = new URL(link, baseUrl);
    } catch {
      throw new SourceError({
        source: this.source,
        endpoint: 'nextLink',
        kind: 'validation',
        detail: 'next-page link is not a valid URL',
      });
    }
    this.assertAllowed(url, 'nextLink');
    return url;
  }

  async request<T>(req: HttpRequest<T>): Promise<T> {
    const endpoint = req.endpoint ?? endpointLabel(req.method, req.path);
    const url = this.buildUrl(req, endpoint);
    const useAuth = req.auth !== false && this.auth !== undefined;
    let attempt = 0;
    let failures = 0;
    let reauthenticated = false;
    for (;;) {
      this.throwIfCancelled(req, endpoint, attempt);
      attempt++;
      const n = attempt;
      // The slot is held while the request is in flight, not while its body is parsed and validated.
      const sent = await this.limit(() => this.attempt(req, url, endpoint, n, useAuth));
      const outcome = 'ok' in sent ? sent : interpretResponse(this.rules, req, endpoint, sent);
      if (outcome.ok) return outcome.value;
      const { error } = outcome;
      if (outcome.unauthorized) {
        if (useAuth && this.auth && !reauthenticated) {
          reauthenticated = true;
          this.auth.invalidate(outcome.unauthorized.authorization);
          continue;
        }
        throw this.final(error, attempt, useAuth ? 'rejected again after renewing the credentials' : undefined);
      }
      if (!error.retryable) throw this.final(error, attempt);
      failures++;
      if (failures >= this.maxAttempts) throw this.final(error, attempt);
      const delay = outcome.retryAfterMs ?? this.backoffDelay(failures);
      await this.pause(delay, req.signal);
    }
  }

  /** Max requests in flight for this client (its concurrency limit). */
  get concurrency(): number {
    return this.limit.concurrency;
  }

  // -------------------------------------------------------------------------------------------------------------

  private err(endpoint: string, init: Omit<SourceErrorInit, 'source' | 'endpoint'>): SourceError {
    return new SourceError({ source: this.source, endpoint, ...init });
  }

  private final(error: SourceError, attempts: number, note?: string): SourceError {
    if (attempts <= 1 && note === undefined && !error.retryable) return error;
    const parts = [error.detail];
    if (note) parts.push(`(${note})`);
    const count = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (error.retryable) parts.push(`(gave up after ${count})`);
    else if (attempts > 1) parts.push(`(after ${count})`);
    const init: SourceErrorInit = {
      source: error.source,
      endpoint: error.endpoint,
      kind: error.kind,
      detail: parts.join(' '),
      retryable: error.retryable,
      attempts,
      cause: error,
    };
    if (error.status !== undefined) init.status = error.status;
    if (error.code !== undefined) init.code = error.code;
    if (error.field !== undefined) init.field = error.field;
    return new SourceError(init);
  }

  private backoffDelay(failures: number): number {
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (failures - 1));
    return Math.floor(Math.random() * ceiling);
  }

  /** Sleeps `ms` (backoff or Retry-After), or less when `signal` is aborted meanwhile. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.sleep(ms);
    if (signal.aborted) return;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.sleep(ms), aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private throwIfCancelled(req: HttpRequest<unknown>, endpoint: string, attempts: number): void {
    if (req.signal?.aborted) {
      throw this.err(endpoint, { kind: 'network', detail: 'request cancelled', attempts });
    }
  }

  private buildUrl(req: HttpRequest<unknown>, endpoint: string): URL {
    let url: URL;
    try {
      url = joinUrl(this.baseUrl, req.path);
    } catch {
      throw this.err(endpoint, { kind: 'config', detail: 'request path is not a valid URL' });
    }
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined) continue;
      const pair = `${encodeQueryPart(k)}=${encodeQueryPart(String(v))}`;
      url.search = url.search === '' || url.search === '?' ? pair : `${url.search.slice(1)}&${pair}`;
    }
    this.assertAllowed(url, endpoint);
    return url;
  }

  private assertAllowed(url: URL, endpoint: string): void {
    if (url.username !== '' || url.password !== '' || !this.allowedOrigins.has(url.origin)) {
      throw this.err(endpoint, {
        kind: 'origin',
        detail: `refusing to send a request to ${url.origin}: not an allowed origin (${[...this.allowedOrigins].join(', ')})`,
      });
    }
  }

  private buildHeaders(req: HttpRequest<unknown>): { headers: Record<string, string>; body?: string } {
    const headers: Record<string, string> = { ...this.defaultHeaders };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    if (req.expectText) headers.accept = req.headers?.accept ?? req.headers?.Accept ?? '*/*';
    if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return { headers, body: new URLSearchParams(req.form).toString() };
    }
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      return { headers, body: JSON.stringify(req.json) };
    }
    return { headers };
  }

  /** Sends one attempt and reads the whole response (interpreted by the caller, outside the concurrency slot). */
  private async attempt(
    req: HttpRequest<unknown>,
    url: URL,
    endpoint: string,
    attempt: number,
    useAuth: boolean,
  ): Promise<Received | Outcome<never>> {
    this.assertAllowed(url, endpoint);
    // Cancelled while queued for a slot: no token, nothing sent.
    if (req.signal?.aborted)
      return { ok: false, error: this.err(endpoint, { kind: 'network', detail: 'request cancelled' }) };
    const { headers, body } = this.buildHeaders(req);
    let authorization: string | undefined;
    if (useAuth && this.auth) {
      authorization = await this.auth.authorization(this);
      headers.authorization = authorization;
    }
    const started = performance.now();
    let status: number | undefined;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
    try {
      const res = await undiciRequest(url, {
        dispatcher: this.dispatcher,
        method: req.method,
        headers,
        body: body ?? null,
        signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = res.statusCode;
      const text = await this.readBody(res, endpoint);
      return { status: res.statusCode, headers: res.headers, text, authorization };
    } catch (e) {
      if (e instanceof SourceError) throw e;
      const failed = { source: this.source, endpoint, host: this.baseUrl.host, timeoutMs: this.timeoutMs, attempt };
      return { ok: false, error: classifyFailure(e, { ...failed, cancelled: req.signal?.aborted === true, timedOut }) };
    } finally {
      clearTimeout(timer);
      if (this.options.onRequest) {
        const event: RequestEvent = { method: req.method, endpoint, attempt, ms: performance.now() - started };
        if (status !== undefined) event.status = status;
        try {
          this.options.onRequest(event);
        } catch {
          // stats hooks must not break requests
        }
      }
    }
  }

  /**
   * The body as text, refused past maxResponseBytes (by Content-Length before reading, else while reading): a
   * 1 GB answer must fail the source naming the endpoint, not exhaust the process's memory.
   */
  private async readBody(res: Dispatcher.ResponseData, endpoint: string): Promise<string> {
    const tooLarge = (size: string) =>
      new SourceError({
        source: this.source,
        endpoint,
        kind: 'validation',
        status: res.statusCode,
        detail: `response body of ${size} exceeds the ${this.maxResponseBytes} bytes allowed (maxResponseBytes)`,
      });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw tooLarge(`${declared} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > this.maxResponseBytes) {
        res.body.destroy();
        throw tooLarge(`more than ${this.maxResponseBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  }
}
