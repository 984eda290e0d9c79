import { normalisePath } from './route-match.js';

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
