/**
 * Microsoft Graph sends fractional `Retry-After` values ("2.128", entra-ad.md §1.7). The generic FaultController
 * (../faults.ts) validates `retryAfter.seconds` as an integer, so this subclass accepts any finite number >= 0: it
 * stores a rule with the seconds rounded up (which passes the generic validation) and hands the original rule, with
 * the fractional value, to the fault plugin when the rule fires. Everything else is the generic controller.
 *
 * If ../faults.ts one day accepts fractional seconds itself, this class becomes a plain alias.
 */
import { FaultController, type FaultRule, type FaultRuleStatus, type Latency, type RouteMatcher } from '../faults.js';

function fractionalSeconds(rule: FaultRule): number | undefined {
  if (rule.kind !== 'status429' || !rule.retryAfter || !('seconds' in rule.retryAfter)) return undefined;
  const s = rule.retryAfter.seconds;
  if (typeof s !== 'number' || Number.isInteger(s)) return undefined;
  if (!Number.isFinite(s) || s < 0) throw new TypeError('retryAfter.seconds must be a finite number >= 0');
  return s;
}

/** A FaultController whose status429 rules may carry fractional `retryAfter.seconds` (sent as e.g. "2.128"). */
export class GraphFaultController extends FaultController {
  /** Stored (rounded) rule → the rule as given. */
  readonly #original = new WeakMap<FaultRule, FaultRule>();

  constructor(initial: readonly FaultRule[] = [], latency?: Latency | null) {
    // Not passed to super(): the base constructor would call add() before #original exists.
    super([], latency);
    for (const rule of initial) this.add(rule);
  }

  override add(rule: FaultRule): string {
    const seconds = fractionalSeconds(rule);
    if (seconds === undefined) return super.add(rule);
    const stored = { ...rule, retryAfter: { seconds: Math.ceil(seconds) } } as FaultRule;
    this.#original.set(stored, rule);
    return super.add(stored);
  }

  override list(): FaultRuleStatus[] {
    return super.list().map((s) => ({ ...s, rule: this.#original.get(s.rule) ?? s.rule }));
  }

  override status(id: string): FaultRuleStatus | undefined {
    const s = super.status(id);
    return s ? { ...s, rule: this.#original.get(s.rule) ?? s.rule } : undefined;
  }

  override *claim(request: Parameters<FaultController['claim']>[0], matcher?: RouteMatcher): Generator<FaultRule> {
    for (const rule of super.claim(request, matcher)) yield this.#original.get(rule) ?? rule;
  }
}
