/**
 * The fault schedule: rule types, their validation, and the runtime-editable controller that decides which rules
 * apply to a request. Applying them (status codes, dropped connections, truncated bodies ...) is ./fault-injection.ts.
 *
 * A rule matches requests by method and path; `skip` lets the first N matching requests through, `times` bounds how
 * many matching requests the fault is applied to. Faults are evaluated in the order they were added; a terminal fault
 * (status429, status5xx, dropConnection) stops the evaluation of later rules for that request.
 */
import { defaultRouteMatcher, type FaultMatch, type RequestInfo, type RouteMatcher } from './route-match.js';

export interface Latency {
  fixedMs: number;
  jitterMs?: number;
}

export type RetryAfter = { seconds: number } | { httpDate: Date };

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
      // Fractional seconds are allowed: Microsoft Graph sends values such as "2.128" (Graph docs: throttling).
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
