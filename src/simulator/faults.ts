/**
 * Generic fault injection and request counting for Fastify-based API simulators (CyberArk Identity, Privilege Cloud,
 * and later Microsoft Graph). Nothing here knows about CyberArk: the host server supplies the error-body shape and a
 * callback that expires the presented token.
 *
 * A rule matches requests by method and path; `skip` lets the first N matching requests through, `times` bounds how
 * many matching requests the fault is applied to. Faults are evaluated in the order they were added; a terminal fault
 * (status429, status5xx, dropConnection) stops the evaluation of later rules for that request.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface Latency {
  fixedMs: number;
  jitterMs?: number;
}

export type RetryAfter = { seconds: number } | { httpDate: Date };

export interface FaultMatch {
  method?: string;
  /**
   * A string is matched case-insensitively against the path without the query string (trailing slash ignored): with a
   * `*` it is a glob anchored at both ends (`*` = any characters, `/` included); without one it is a path prefix on
   * segment boundaries (`/redrock/query` matches `/Redrock/Query/` but not `/redrock/queryx`). The raw path and its
   * percent-decoded form are both tried. A RegExp is tested against the raw path as received.
   */
  path: string | RegExp;
}

export type FaultEffect =
  | { kind: 'latency'; fixedMs: number; jitterMs?: number }
  | { kind: 'status429'; retryAfter?: RetryAfter }
  | { kind: 'status5xx'; status?: 500 | 502 | 503 | 504 }
  | { kind: 'malformedJson' }
  | { kind: 'dropConnection' }
  | { kind: 'expireToken' }
  | { kind: 'pageSizeCap'; max: number }
  | { kind: 'missingField'; field: string };

export type FaultKind = FaultEffect['kind'];

export type FaultRule = {
  match: FaultMatch;
  /** Apply to this many matching requests, then stop (default: unlimited). */
  times?: number;
  /** Let this many matching requests through first. */
  skip?: number;
} & FaultEffect;

export interface FaultRuleStatus {
  id: string;
  rule: FaultRule;
  /** Matching requests seen (skipped ones included). */
  matched: number;
  /** Matching requests the fault was applied to. */
  applied: number;
}

/** What a request looks like to a route matcher. */
export interface RequestInfo {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
}

export type RouteMatcher = (match: FaultMatch, request: RequestInfo) => boolean;

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

function isNonNegativeInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function validateRule(rule: FaultRule): void {
  if (!rule || typeof rule !== 'object' || !rule.match) throw new TypeError('fault rule needs a match');
  const { path } = rule.match;
  if (!(path instanceof RegExp) && (typeof path !== 'string' || path.length === 0)) {
    throw new TypeError('fault rule match.path must be a non-empty string or a RegExp');
  }
  if (rule.times !== undefined && !isNonNegativeInt(rule.times))
    throw new TypeError('fault rule times must be an integer >= 0');
  if (rule.skip !== undefined && !isNonNegativeInt(rule.skip))
    throw new TypeError('fault rule skip must be an integer >= 0');
  switch (rule.kind) {
    case 'latency':
      validateLatency(rule);
      break;
    case 'status429': {
      // Fractional seconds are allowed: Microsoft Graph sends values such as "2.128" (entra-ad.md §1.7).
      const seconds = rule.retryAfter && 'seconds' in rule.retryAfter ? rule.retryAfter.seconds : 0;
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new TypeError('retryAfter.seconds must be a finite number >= 0');
      }
      if (rule.retryAfter && 'httpDate' in rule.retryAfter && !(rule.retryAfter.httpDate instanceof Date)) {
        throw new TypeError('retryAfter.httpDate must be a Date');
      }
      break;
    }
    case 'status5xx':
      if (rule.status !== undefined && ![500, 502, 503, 504].includes(rule.status)) {
        throw new TypeError('status5xx status must be 500, 502, 503 or 504');
      }
      break;
    case 'pageSizeCap':
      if (!Number.isInteger(rule.max) || rule.max < 1) throw new TypeError('pageSizeCap max must be an integer >= 1');
      break;
    case 'missingField':
      if (typeof rule.field !== 'string' || rule.field === '') throw new TypeError('missingField needs a field name');
      break;
    case 'malformedJson':
    case 'dropConnection':
    case 'expireToken':
      break;
    default:
      throw new TypeError(`unknown fault kind "${(rule as { kind: unknown }).kind}"`);
  }
}

function validateLatency(l: Latency): void {
  if (typeof l.fixedMs !== 'number' || !(l.fixedMs >= 0)) throw new TypeError('latency fixedMs must be a number >= 0');
  if (l.jitterMs !== undefined && (typeof l.jitterMs !== 'number' || !(l.jitterMs >= 0))) {
    throw new TypeError('latency jitterMs must be a number >= 0');
  }
}

/** Runtime-editable fault rules plus a global latency. One controller may serve several servers. */
export class FaultController {
  #rules: FaultRuleStatus[] = [];
  #latency: Latency | null = null;
  #nextId = 1;

  constructor(initial: readonly FaultRule[] = [], latency?: Latency | null) {
    for (const rule of initial) this.add(rule);
    if (latency) this.setLatency(latency);
  }

  /** Adds a rule at the end of the list; returns its id (for remove() and status()). */
  add(rule: FaultRule): string {
    validateRule(rule);
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ id, rule, matched: 0, applied: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
  }

  list(): FaultRuleStatus[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  status(id: string): FaultRuleStatus | undefined {
    const found = this.#rules.find((r) => r.id === id);
    return found ? { ...found } : undefined;
  }

  /** Latency added to every request (before any rule); null removes it. */
  setLatency(latency: Latency | null): void {
    if (latency) validateLatency(latency);
    this.#latency = latency ? { ...latency } : null;
  }

  get latency(): Latency | null {
    return this.#latency;
  }

  /**
   * Yields, in order, the rules that apply to this request, claiming each one (counting it as applied) only when the
   * caller asks for it, so that a terminal fault leaves the later rules untouched.
   */
  *claim(request: RequestInfo, matcher: RouteMatcher = defaultRouteMatcher): Generator<FaultRule> {
    for (const state of [...this.#rules]) {
      if (!matcher(state.rule.match, request)) continue;
      state.matched++;
      if (state.matched <= (state.rule.skip ?? 0)) continue;
      if (state.rule.times !== undefined && state.applied >= state.rule.times) continue;
      state.applied++;
      yield state.rule;
    }
  }
}

/** Path without query string and without a trailing slash (the root stays `/`). */
export function normalisePath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path || '/';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const globCache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re;
}

function matchesPathString(pattern: string, path: string): boolean {
  const p = normalisePath(path).toLowerCase();
  const pat = pattern.toLowerCase();
  if (pat.includes('*')) return globRegExp(pat).test(p);
  const prefix = normalisePath(pat);
  if (prefix === '/') return true;
  return p === prefix || p.startsWith(`${prefix}/`);
}

/** The default matcher: see {@link FaultMatch}. */
export const defaultRouteMatcher: RouteMatcher = (match, request) => {
  if (match.method && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.path instanceof RegExp) {
    match.path.lastIndex = 0;
    return match.path.test(request.path);
  }
  return matchesPathString(match.path, request.path) || matchesPathString(match.path, safeDecode(request.path));
};

/** Per-route request counts keyed `'<METHOD> <lower-cased path without query or trailing slash>'`. */
export class RequestCounters {
  #counts = new Map<string, number>();

  static key(method: string, path: string): string {
    return `${method.toUpperCase()} ${normalisePath(path).toLowerCase()}`;
  }

  /** Records one request. */
  hit(method: string, path: string): void {
    const key = RequestCounters.key(method, path);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Count for `'POST /redrock/query'` (method and path are normalised, so any casing works). */
  get(key: string): number {
    const space = key.indexOf(' ');
    const normalised = space === -1 ? key : RequestCounters.key(key.slice(0, space), key.slice(space + 1).trim());
    return this.#counts.get(normalised) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }

  reset(): void {
    this.#counts.clear();
  }
}

export interface FaultInjectionOptions {
  controller: FaultController;
  counters?: RequestCounters;
  /** Decides whether a rule's match applies to a request (default {@link defaultRouteMatcher}). */
  routeMatcher?: RouteMatcher;
  /** Body for injected 429/5xx responses (default `{ message }`). */
  errorBody?: (status: number, message: string, request: FastifyRequest) => unknown;
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
