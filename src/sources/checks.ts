/** The steps of one source's connection test (its check.ts), run in order; later steps need the earlier ones. */
import { scrubSecrets } from '../http/index.js';
import type { SourceCheck, SourceCheckResult } from './source.js';

export class Checks {
  readonly list: SourceCheck[] = [];
  private failed = false;

  /** Runs a check unless a required earlier one failed. */
  async run<T>(name: string, fn: () => Promise<T>, requiresPrevious = true): Promise<T | undefined> {
    if (requiresPrevious && this.failed) {
      this.list.push({ name, ok: false, error: 'skipped: an earlier check failed' });
      return undefined;
    }
    try {
      const value = await fn();
      this.list.push({ name, ok: true });
      return value;
    } catch (error) {
      this.failed = true;
      this.list.push({ name, ok: false, error: scrubSecrets(error instanceof Error ? error.message : String(error)) });
      return undefined;
    }
  }

  skip(name: string, why: string) {
    this.list.push({ name, ok: true, error: `not checked: ${why}` });
  }

  get ok(): boolean {
    return this.list.every((c) => c.ok);
  }

  /** The answer of the test: ok when every check is. */
  result(): SourceCheckResult {
    return { ok: this.ok, checks: this.list };
  }
}
