/**
 * An attempt that got no complete response (cancelled, timed out, refused, TLS, reset …) as a SourceError: which
 * kinds are retried, and the message that points at the likely cause.
 */
import { SourceError, type SourceErrorInit } from './errors.js';

/** What the message of a failed attempt needs to know about the client and the attempt. */
export interface FailedAttempt {
  source: string;
  endpoint: string;
  /** The base URL's host, named when the connection was refused or the host not found. */
  host: string;
  timeoutMs: number;
  /** 1-based. */
  attempt: number;
  /** The request's own signal was aborted (the caller cancelled). */
  cancelled: boolean;
  /** The per-attempt timer fired. */
  timedOut: boolean;
}

function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && typeof cur === 'object' && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function classifyFailure(e: unknown, a: FailedAttempt): SourceError {
  const err = (init: Omit<SourceErrorInit, 'source' | 'endpoint'>) =>
    new SourceError({ source: a.source, endpoint: a.endpoint, ...init });
  const code = networkCode(e);
  if (a.cancelled && !a.timedOut) {
    return err({ kind: 'network', detail: 'request cancelled', cause: e });
  }
  if (
    a.timedOut ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return err({
      kind: 'timeout',
      detail: `no complete response within ${a.timeoutMs} ms`,
      retryable: true,
      cause: e,
    });
  }
  const base = { kind: 'network' as const, cause: e };
  if (code === 'UND_ERR_INVALID_ARG') {
    return err({ kind: 'config', detail: `invalid request: ${errorMessage(e)}`, cause: e });
  }
  if ((code === 'ECONNREFUSED' || code === 'ENOTFOUND') && a.attempt === 1) {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : 'host not found';
    return err({
      ...base,
      code,
      detail: `${what} (${a.host}); not retried on a first attempt — check the URL`,
    });
  }
  if (code !== undefined && (/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED/.test(code) || code === 'ENOTFOUND')) {
    return err({ ...base, code, detail: `network error: ${code}: ${errorMessage(e)}` });
  }
  return err({
    ...base,
    ...(code === undefined ? {} : { code }),
    detail: `network error: ${code ? `${code}: ` : ''}${errorMessage(e)}`,
    retryable: true,
  });
}
