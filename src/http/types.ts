/**
 * The HTTP layer's contracts, with no code: the options of a client, a request, the per-attempt stats event, and the
 * auth provider interface. They share one module so that the client (client.ts) and the providers (auth.ts) both
 * depend on it and neither on the other.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';

export interface RequestEvent {
  method: string;
  endpoint: string;
  /** HTTP status, absent when no response arrived (network error, timeout). */
  status?: number;
  /** 1-based attempt number of this request. */
  attempt: number;
  /** Duration of this attempt in milliseconds, from sending (auth obtained) to the last byte of the body. */
  ms: number;
}

export interface HttpClientOptions {
  /** 'identity' | 'privilegecloud' | 'entra' …: the first word of every error message. */
  source: string;
  /** Requests are relative to it; https required unless the host is loopback (127.0.0.0/8, ::1, localhost). */
  baseUrl: string;
  /** Origins requests (and so tokens) may go to; default [origin of baseUrl]. */
  allowedOrigins?: string[];
  /** Adds Authorization; invalidated and retried ONCE on 401. */
  auth?: AuthProvider;
  /** Sent on every request, e.g. { 'X-IDAP-NATIVE-CLIENT': 'true' } for Identity. */
  headers?: Record<string, string>;
  /** Max requests in flight for this client, default 8. */
  concurrency?: number;
  /** Per attempt (headers + body), default 30_000. */
  timeoutMs?: number;
  /**
   * Largest response body read, default 64 MiB (DEFAULT_MAX_RESPONSE_BYTES): the extractors' pages hold at most a
   * few MiB, so a larger body is a broken or hostile server, refused before it is buffered whole.
   */
  maxResponseBytes?: number;
  /** Attempts for retryable failures (429, 5xx, network errors, timeouts), default 5. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter, defaults 250 / 10_000 ms. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Cap on an honoured Retry-After, default 60_000 ms. */
  retryAfterCapMs?: number;
  /** Per-source error body parser (default: Graph, then CyberArk shapes). */
  parseApiError?: (status: number, body: unknown) => { code?: string; message: string } | undefined;
  /** Bodies that mean "transient, try again", e.g. pcloudRetryableBody (ITADM111E / SRAPIE0006). */
  isRetryableBody?: (body: unknown) => boolean;
  /** Injectable; default a shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Stats hook, called once per attempt. Exceptions thrown by it are ignored. */
  onRequest?: (e: RequestEvent) => void;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest<T> {
  method: 'GET' | 'POST';
  /** Relative path (appended to baseUrl's path) OR an absolute URL on an allowed origin. */
  path: string;
  query?: Query;
  /** JSON body. */
  json?: unknown;
  /** x-www-form-urlencoded body. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Label for messages and stats, e.g. 'POST /Redrock/query' (default: method + path without query). */
  endpoint?: string;
  /** The response is validated; failure → SourceError kind 'validation' with the field path. */
  schema: z.ZodType<T>;
  /** Send the client's auth (default true). */
  auth?: boolean;
  /** Validate the raw response text instead of parsed JSON. */
  expectText?: boolean;
  /** Cancels the request (no further attempts); the rejection is a SourceError kind 'network'. */
  signal?: AbortSignal;
}

/** Adds Authorization to a client's requests: caches the credential, renews it, drops it on a 401 (auth.ts has the providers). */
export interface AuthProvider {
  /** The Authorization header value, e.g. "Bearer eyJ…" (or a raw PVWA session token). */
  authorization(client: AuthClient): Promise<string>;
  /**
   * Drops the cached credential. Given the rejected Authorization value, a credential that was renewed meanwhile
   * (by a concurrent request) is kept.
   */
  invalidate(rejected?: string): void;
  /** Releases server-side state (PVWA logoff). Best effort: never throws. */
  close?(): Promise<void>;
}

/**
 * What an AuthProvider needs from the client it serves: the source name for messages, and a client for the token
 * endpoint that shares the caller's transport (HttpClient.derive). HttpClient is one.
 */
export interface AuthClient {
  readonly source: string;
  derive(overrides: Partial<HttpClientOptions> & Pick<HttpClientOptions, 'baseUrl'>): TokenClient;
}

/** A client that sends token requests (and PVWA logoffs); what AuthClient.derive returns. */
export interface TokenClient {
  readonly source: string;
  request<T>(req: HttpRequest<T>): Promise<T>;
}
