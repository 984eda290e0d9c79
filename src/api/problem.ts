/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with `type`, `title`,
 * `status`, `detail` and `instance` (the request path), plus `request_id` and, where they apply, `suggestions`
 * (404 with close matches), `validPermissions` (unknown permission) or `errors` (validation issues).
 * Messages never carry a stack trace, and every detail is scrubbed of registered secrets.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { UnknownPermissionError } from '../graph/permissions.js';
import { isSourceError, scrubSecrets } from '../http/index.js';
import { AmbiguousNameError, NotFoundError } from '../queries/types.js';
import { isStoreFailure, StoreError } from '../store/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The problem types this API returns; `type` is `urn:arkgraph:problem:<slug>` (docs/api.md lists them). */
export const PROBLEM_TYPES = {
  'bad-request': 'Bad request',
  'validation-failed': 'Request validation failed',
  'unknown-permission': 'Unknown permission',
  'ambiguous-name': 'Ambiguous name',
  unauthorized: 'Authentication required',
  forbidden: 'Insufficient role',
  'not-found': 'Not found',
  'not-acceptable': 'Not acceptable',
  'payload-too-large': 'Payload too large',
  'uri-too-long': 'URI too long',
  'unsupported-media-type': 'Unsupported media type',
  'sync-running': 'A sync is already running',
  'sync-not-configured': 'No source is configured',
  'rate-limited': 'Too many requests',
  'store-unavailable': 'Store unavailable',
  'source-failed': 'A source failed',
  'not-implemented': 'Not implemented',
  internal: 'Internal server error',
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id?: string;
  suggestions?: string[];
  validPermissions?: { key: string; displayName: string }[];
  candidates?: string[];
  errors?: { path: string; message: string }[];
  running_id?: string;
}

/** An error that carries its problem (thrown by handlers and hooks). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: ProblemSlug,
    detail: string,
    readonly extra: Partial<Problem> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

export function problemType(slug: ProblemSlug): string {
  return `urn:arkgraph:problem:${slug}`;
}

/** The request path without the query string (the query may be long; it never carries credentials). */
function instanceOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  return path.length > 512 ? `${path.slice(0, 512)}…` : path;
}

export function buildProblem(
  request: FastifyRequest,
  status: number,
  slug: ProblemSlug,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(slug),
    title: PROBLEM_TYPES[slug],
    status,
    detail: scrubSecrets(detail),
    instance: instanceOf(request),
    request_id: request.id,
    ...extra,
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  slug: ProblemSlug,
  detail: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): FastifyReply {
  const body = buildProblem(request, status, slug, detail, extra);
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  // Serialized here: problem bodies bypass the route's response schema (they are documented separately).
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

const STATUS_SLUGS: Record<number, ProblemSlug> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  406: 'not-acceptable',
  409: 'sync-running',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  501: 'not-implemented',
  503: 'store-unavailable',
};

/** Fastify's own errors (FST_…) carry their status; some are RangeErrors (body too large). */
function isFastifyError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('FST_');
}

/** A thrown value mapped to the parts of its problem answer (sendProblem's arguments). */
export interface MappedProblem {
  status: number;
  slug: ProblemSlug;
  detail: string;
  extra: Partial<Problem>;
  headers: Record<string, string>;
}

function mapped(
  status: number,
  slug: ProblemSlug,
  detail: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): MappedProblem {
  return { status, slug, detail, extra, headers };
}

/** Maps any thrown value to a problem. Unknown errors become a 500 whose detail says nothing about internals. */
export function problemFor(error: unknown): MappedProblem {
  if (error instanceof ApiProblem) return mapped(error.status, error.slug, error.message, error.extra, error.headers);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: `${(error as { validationContext?: string }).validationContext ?? ''}${v.instancePath.replace(/\//g, '.')}`.replace(
        /\.$/,
        '',
      ),
      message: v.message ?? 'invalid',
    }));
    return mapped(400, 'validation-failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  if (error instanceof UnknownPermissionError) {
    return mapped(400, 'unknown-permission', error.message, {
      suggestions: error.suggestions,
      validPermissions: error.validPermissions,
    });
  }
  if (error instanceof NotFoundError)
    return mapped(404, 'not-found', error.message, { suggestions: error.suggestions });
  if (error instanceof AmbiguousNameError) {
    return mapped(400, 'ambiguous-name', error.message, { candidates: error.candidates });
  }
  if (error instanceof RangeError && !isFastifyError(error)) return mapped(400, 'bad-request', error.message);
  // A system error (EACCES, EISDIR, ECONNREFUSED …) can only come from the store in a query route.
  if (isStoreFailure(error, { systemErrors: true })) {
    return mapped(
      503,
      'store-unavailable',
      error instanceof StoreError && error.reason === 'no-graph'
        ? 'no graph yet: run a sync first (POST /api/v1/sync or arkgraph sync)'
        : 'the graph store is unreachable or unreadable',
      {},
      { 'retry-after': '30' },
    );
  }
  if (isSourceError(error)) return mapped(502, 'source-failed', error.message);
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const slug = STATUS_SLUGS[e.statusCode] ?? 'bad-request';
    // Fastify's own 4xx (body parsing, content type, size limits): their messages are safe and short.
    return mapped(e.statusCode, slug, fastifyDetail(e));
  }
  return mapped(500, 'internal', 'internal error; see the server log for this request id');
}

function fastifyDetail(e: { code?: string; message?: string; statusCode?: number }): string {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body cannot be empty when content-type is application/json';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'malformed request body';
    case 'FST_ERR_BAD_URL':
      return 'the URL is not valid (bad percent-encoding)';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path parameter is too long';
    default:
      return (e.message ?? 'bad request').slice(0, 300);
  }
}
