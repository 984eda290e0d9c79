/**
 * SourceError: the one error type the HTTP layer throws. Its message always names the source, the endpoint and the
 * cause, e.g. "identity: POST /Redrock/query: response field Result.Results[3].Row.ID: expected string, received
 * number". Messages are scrubbed of registered secrets (client secrets, passwords, tokens) and of anything that
 * looks like a bearer token or a JWT, so an error can be logged or shown as is.
 */
import type { z } from 'zod';
import { scrubSecrets } from '../secrets.js';

export type SourceErrorKind = 'network' | 'timeout' | 'http' | 'auth' | 'validation' | 'api' | 'origin' | 'config';

export interface SourceErrorInit {
  source: string;
  endpoint: string;
  kind: SourceErrorKind;
  /** What went wrong, without the "source: endpoint: " prefix. */
  detail: string;
  status?: number;
  /** API error code from the body (PASWS027E, invalid_client, Request_ResourceNotFound, ...). */
  code?: string;
  /** Response field path for validation errors, e.g. "Result.Results[3].Row.ID". */
  field?: string;
  retryable?: boolean;
  /** Number of attempts made when the error was final. */
  attempts?: number;
  cause?: unknown;
}

export class SourceError extends Error {
  override readonly name = 'SourceError';
  readonly source: string;
  readonly endpoint: string;
  readonly kind: SourceErrorKind;
  readonly detail: string;
  readonly status?: number;
  readonly code?: string;
  readonly field?: string;
  readonly retryable: boolean;
  readonly attempts?: number;

  constructor(init: SourceErrorInit) {
    const detail = scrubSecrets(init.detail);
    super(
      `${init.source}: ${scrubSecrets(init.endpoint)}: ${detail}`,
      init.cause === undefined ? {} : { cause: init.cause },
    );
    this.source = init.source;
    this.endpoint = scrubSecrets(init.endpoint);
    this.kind = init.kind;
    this.detail = detail;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = scrubSecrets(init.code);
    if (init.field !== undefined) this.field = init.field;
    this.retryable = init.retryable ?? false;
    if (init.attempts !== undefined) this.attempts = init.attempts;
  }
}

export function isSourceError(e: unknown): e is SourceError {
  return e instanceof SourceError;
}

// ---------------------------------------------------------------------------------------------------------------
// zod issues → "field path: expected ..." text

/** Formats a zod path as `a.b[3].c` (keys that are not identifiers as `["odd key"]`). Empty path → "". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$@][\w$@-]*$/.test(seg)) {
      out += out === '' ? seg : `.${seg}`;
    } else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function issueText(issue: z.ZodError['issues'][number]): string {
  const msg = issue.message.replace(/^Invalid input:\s*/i, '');
  return msg === '' ? issue.code : msg;
}

/** Builds the 'validation' SourceError for a failed schema parse: names the first failing field and what was expected. */
export function validationError(
  source: string,
  endpoint: string,
  error: z.ZodError,
  extra: Partial<SourceErrorInit> = {},
): SourceError {
  const issues = error.issues;
  const first = issues[0];
  const field = first ? formatPath(first.path) : '';
  const what = first ? issueText(first) : 'invalid response';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
  const where = field === '' ? 'response body' : `response field ${field}`;
  return new SourceError({
    source,
    endpoint,
    kind: 'validation',
    detail: `${where}: ${what}${more}`,
    field,
    retryable: false,
    ...extra,
  });
}
