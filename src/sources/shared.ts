/** The objects sources share for one sync or one connection test (SourceContext.shared), closed together at its end. */
import type { Closable } from './source.js';

export class SharedObjects {
  private readonly objects = new Map<string, Closable>();

  /** The object under `key`, made by `make` the first time. An arrow, so it can be handed out as ctx.shared. */
  readonly get = <T extends Closable>(key: string, make: () => T): T => {
    const existing = this.objects.get(key);
    if (existing) return existing as T;
    const made = make();
    this.objects.set(key, made);
    return made;
  };

  /** Closes every object, in the order they were made; a failure to close one does not stop the others. */
  async close(): Promise<void> {
    const all = [...this.objects.values()];
    this.objects.clear();
    await Promise.allSettled(all.map(async (o) => o.close?.()));
  }
}
