/**
 * OData plumbing of the Graph simulator: error bodies, query options ($select, $top, $count, $skiptoken), opaque
 * skiptokens and next links (Graph docs: paging, errors).
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerValue, rawQueryPairs } from '../shared/http.js';
import type { PropertySet } from './resources.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Graph request-id (also sent as the request-id header and in error bodies). */
    graphRequestId: string;
    /** client-request-id from the request, else the request id. */
    graphClientRequestId: string;
  }
}

/** An error Graph answers with `{error:{code, message, innerError}}`. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `2025-01-01T00:00:00` (Graph's innerError.date has no fraction and no zone). */
function graphDate(d = new Date()): string {
  return d.toISOString().slice(0, 19);
}

/** The Graph error body (Graph docs: errors); 429 carries the documented extra innerError fields. */
export function graphErrorBody(request: FastifyRequest, status: number, code: string, message: string): unknown {
  const innerError: Record<string, string> = {
    date: graphDate(),
    'request-id': request.graphRequestId,
    'client-request-id': request.graphClientRequestId,
  };
  if (status === 429) {
    Object.assign(innerError, { code: '429', message: 'Please retry after', status: '429' });
  }
  return { error: { code, message, innerError } };
}

export function sendGraphError(reply: FastifyReply, error: GraphError): FastifyReply {
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(graphErrorBody(reply.request, error.status, error.code, error.message));
}

/** Installs request-id / client-request-id (call before the fault plugin so injected errors carry them). */
export function installRequestIds(app: FastifyInstance): void {
  app.decorateRequest('graphRequestId', '');
  app.decorateRequest('graphClientRequestId', '');
  app.addHook('onRequest', async (request, reply) => {
    request.graphRequestId = randomUUID();
    const client = headerValue(request, 'client-request-id');
    request.graphClientRequestId = client && /^[\w.-]{1,100}$/.test(client) ? client : request.graphRequestId;
    reply.header('request-id', request.graphRequestId);
    reply.header('client-request-id', request.graphClientRequestId);
  });
}

export const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

// ---------------------------------------------------------------------------------------------------------------
// Query options

/** Query parameters by lower-cased name without the optional `$` (v1.0 accepts `$top` and `top`). */
export interface QueryOptions {
  /** name → value, e.g. 'select' → 'id,displayName'. */
  values: Map<string, string>;
  /** Names as received, in order, with their values (for next links). */
  pairs: [string, string][];
}

const SUPPORTED = new Set(['select', 'top', 'skiptoken', 'count']);
const KNOWN_ODATA = new Set(['filter', 'orderby', 'search', 'expand', 'skip', 'format', 'apply', 'deltatoken']);

export function readQueryOptions(request: FastifyRequest): QueryOptions {
  const pairs = rawQueryPairs(request);
  const values = new Map<string, string>();
  for (const [k, v] of pairs) {
    const name = k.toLowerCase().replace(/^\$/, '');
    if (!k.startsWith('$') && !SUPPORTED.has(name) && !KNOWN_ODATA.has(name)) continue; // not an OData option
    if (values.has(name)) {
      throw new GraphError(400, 'Request_BadRequest', `Query option '$${name}' was specified more than once.`);
    }
    values.set(name, v);
  }
  for (const name of values.keys()) {
    if (name === 'skip') throw new GraphError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
    if (!SUPPORTED.has(name)) {
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Query option '$${name}' is not supported by the arkgraph Graph simulator.`,
      );
    }
  }
  return { values, pairs };
}

/** `$top`: 1–999, default 100 (Graph docs: List users). */
export function readTop(options: QueryOptions): number {
  const raw = options.values.get('top');
  if (raw === undefined) return 100;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 999) {
    throw new GraphError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`,
    );
  }
  return n;
}

/**
 * `$select` as canonical property names (case-insensitive input, order kept, duplicates dropped); undefined without
 * `$select`. Unknown names: an error for `strict` types (users), silently ignored otherwise (groups, as
 * msgraph-sdk-dotnet#804 reports).
 */
export function readSelect(
  options: QueryOptions,
  properties: PropertySet,
  typeName: string,
  strict: boolean,
): string[] | undefined {
  const raw = options.values.get('select');
  if (raw === undefined) return undefined;
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (name === '*') {
      for (const n of properties.names) if (!out.includes(n)) out.push(n);
      continue;
    }
    const canonical = properties.canonical(name);
    if (canonical === undefined) {
      if (strict) {
        throw new GraphError(
          400,
          'BadRequest',
          `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${typeName}'.`,
        );
      }
      continue;
    }
    if (!out.includes(canonical)) out.push(canonical);
  }
  if (out.length === 0 && strict) {
    throw new GraphError(400, 'BadRequest', "Parsing OData Select and Expand failed: '$select' is empty.");
  }
  return out;
}

/** `$count=true` needs `ConsistencyLevel: eventual` (Graph docs: advanced queries). */
export function readCount(options: QueryOptions, request: FastifyRequest): boolean {
  const raw = options.values.get('count');
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() !== 'true') {
    throw new GraphError(400, 'Request_BadRequest', `Invalid value '${raw}' for the $count query option.`);
  }
  if ((headerValue(request, 'consistencylevel') ?? '').toLowerCase() !== 'eventual') {
    throw new GraphError(
      400,
      'Request_BadRequest',
      "$count is not currently supported without the 'ConsistencyLevel: eventual' header.",
    );
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Skiptokens: AES-256-GCM over {collection, offset}, so a token cannot be guessed, edited or moved to another
// collection.

export class SkipTokens {
  readonly #key = randomBytes(32);

  encode(collection: string, offset: number): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const plain = Buffer.from(JSON.stringify({ c: collection, o: offset }), 'utf8');
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `RFNwdAIA${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The offset encoded for `collection`; a GraphError for anything else. */
  decode(token: string, collection: string): number {
    const expired = new GraphError(
      400,
      'Directory_ExpiredPageToken',
      'The specified page token value has expired and can no longer be included in your request.',
    );
    if (!token.startsWith('RFNwdAIA')) throw expired;
    try {
      const raw = Buffer.from(token.slice(8), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const state = JSON.parse(plain) as { c?: unknown; o?: unknown };
      if (state.c !== collection || typeof state.o !== 'number' || !Number.isInteger(state.o) || state.o < 0) {
        throw expired;
      }
      return state.o;
    } catch {
      throw expired;
    }
  }
}

/** Query value encoding as Graph writes next links: `$`, `,`, `(`, `)`, `'`, `:` and `/` stay readable. */
function encodeQueryValue(s: string): string {
  return encodeURIComponent(s).replace(/%(24|2C|28|29|27|3A|2F)/gi, (m) => decodeURIComponent(m));
}

/** The request's own query with `$skiptoken` replaced: an absolute next link on `origin`. */
export function nextLinkOf(origin: string, path: string, options: QueryOptions, skiptoken: string): string {
  const pairs = options.pairs.filter(([k]) => k.toLowerCase().replace(/^\$/, '') !== 'skiptoken');
  pairs.push(['$skiptoken', skiptoken]);
  return `${origin}${path}?${pairs.map(([k, v]) => `${encodeQueryValue(k)}=${encodeQueryValue(v)}`).join('&')}`;
}
