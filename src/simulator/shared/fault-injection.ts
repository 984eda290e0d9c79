/**
 * The fault-injection plugin for Fastify-based API simulators (CyberArk Identity, Privilege Cloud, Microsoft Graph):
 * counts every request, adds latency and applies the rules the controller (./fault-rules.ts) hands out. Nothing here
 * knows about a particular API: the host server supplies the error-body shape and a callback that expires the
 * presented token.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestCounters } from './counters.js';
import type { FaultController, FaultKind, Latency } from './fault-rules.js';
import { defaultRouteMatcher, type RequestInfo, type RouteMatcher } from './route-match.js';

/** Effects a handler has to honour itself (the plugin cannot apply them generically). */
export interface FaultEffects {
  /** Serve at most this many rows per page (Redrock PageSize, PCloud limit, Graph $top ...). */
  pageSizeCap: number | undefined;
  /** Fields dropped from every object of the response (done by the plugin in preSerialization). */
  missingFields: string[];
  /** The body is replaced by invalid JSON with status 200 (done by the plugin in onSend). */
  malformedJson: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    faultEffects: FaultEffects;
  }
}

const TERMINAL: ReadonlySet<FaultKind> = new Set(['status429', 'status5xx', 'dropConnection']);

/** The body of an injected 429/5xx response, in the shape the simulated API uses for its errors. */
export type ErrorBody = (status: number, message: string, request: FastifyRequest) => unknown;

export interface FaultInjectionOptions {
  controller: FaultController;
  counters?: RequestCounters;
  /** Decides whether a rule's match applies to a request (default {@link defaultRouteMatcher}). */
  routeMatcher?: RouteMatcher;
  /** Body for injected 429/5xx responses (default `{ message }`). */
  errorBody?: ErrorBody;
  /** Called for an `expireToken` fault: expire whatever credential the request presents. */
  expireToken?: (request: FastifyRequest) => void;
}

const STATUS_TEXT: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function delayOf(l: Latency): number {
  return l.fixedMs + (l.jitterMs ? Math.random() * l.jitterMs : 0);
}

/** Removes `fields` from every object nested in `value` (copying; the input is left alone). */
export function dropFields(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => dropFields(v, fields));
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!fields.has(k)) out[k] = dropFields(v, fields);
    }
    return out;
  }
  return value;
}

/** A prefix of the body that is guaranteed not to parse as JSON. */
export function truncateJson(text: string): string {
  const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  try {
    JSON.parse(cut);
  } catch {
    return cut;
  }
  return `${cut}{"truncated":`;
}

async function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  options: FaultInjectionOptions,
): Promise<FastifyReply> {
  const message = STATUS_TEXT[status] ?? 'Error';
  const body = options.errorBody ? options.errorBody(status, message, request) : { message };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Fault-injection plugin. Register it on the root instance before the routes; it is not encapsulated (its hooks apply
 * to the whole server, 404s included).
 */
const faultInjectionPlugin: FastifyPluginAsync<FaultInjectionOptions> = async (app, options) => {
  const matcher = options.routeMatcher ?? defaultRouteMatcher;
  app.decorateRequest('faultEffects', null as unknown as FaultEffects);

  app.addHook('onRequest', async (request, reply) => {
    const info: RequestInfo = { method: request.method, path: request.url.split('?', 1)[0] ?? '/' };
    options.counters?.hit(info.method, info.path);
    const effects: FaultEffects = { pageSizeCap: undefined, missingFields: [], malformedJson: false };
    request.faultEffects = effects;
    const latency = options.controller.latency;
    if (latency) await sleep(delayOf(latency));
    for (const rule of options.controller.claim(info, matcher)) {
      switch (rule.kind) {
        case 'latency':
          await sleep(delayOf(rule));
          break;
        case 'status429':
          if (rule.retryAfter) {
            reply.header(
              'retry-after',
              'seconds' in rule.retryAfter ? String(rule.retryAfter.seconds) : rule.retryAfter.httpDate.toUTCString(),
            );
          }
          return sendError(reply, request, 429, options);
        case 'status5xx':
          return sendError(reply, request, rule.status ?? 500, options);
        case 'dropConnection':
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        case 'expireToken':
          options.expireToken?.(request);
          break;
        case 'pageSizeCap':
          effects.pageSizeCap = Math.min(effects.pageSizeCap ?? Number.POSITIVE_INFINITY, rule.max);
          break;
        case 'missingField':
          effects.missingFields.push(rule.field);
          break;
        case 'malformedJson':
          effects.malformedJson = true;
          break;
      }
      if (TERMINAL.has(rule.kind)) break;
    }
  });

  app.addHook('preSerialization', async (request, _reply, payload) => {
    const fields = request.faultEffects?.missingFields;
    if (!fields || fields.length === 0) return payload;
    return dropFields(payload, new Set(fields));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.faultEffects?.malformedJson) return payload;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '{"value":[{"';
    reply.code(200).type('application/json; charset=utf-8');
    return truncateJson(text);
  });
};

// Equivalent of fastify-plugin: do not encapsulate, so the hooks reach every route of the server.
(faultInjectionPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const faultInjection = faultInjectionPlugin;

/** The page size a handler should serve: the requested size, capped by a pageSizeCap fault. */
export function cappedPageSize(request: FastifyRequest, requested: number): number {
  const cap = request.faultEffects?.pageSizeCap;
  return cap === undefined ? requested : Math.min(requested, cap);
}
