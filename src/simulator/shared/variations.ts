/**
 * Seeded variations of the simulators' answers, so that the tests meet what real tenants send and not one tidy shape
 * (issue 14): optional fields left out, ids that arrive as numbers or as strings. Whether one instance varies is a
 * pure function of the seed and the instance's names (endpoint, field, row key), so a run is reproducible and two
 * pages of one list agree.
 */

export class Variations {
  /** No variation: every optional field is sent, every id in the tenant file's form. */
  static readonly none = new Variations(false);

  /**
   * `seed` false turns every variation off; `rate` is the share of instances that vary (default one in four).
   */
  constructor(
    readonly seed: number | false,
    readonly rate = 0.25,
  ) {}

  /** Whether the instance named by `parts` takes its variant (FNV-1a over the seed and the parts). */
  varies(...parts: readonly (string | number)[]): boolean {
    return this.variesAt(this.rate, ...parts);
  }

  /** The same with its own rate, for a variation that costs the client a request each time (a rarer one). */
  variesAt(rate: number, ...parts: readonly (string | number)[]): boolean {
    if (this.seed === false) return false;
    let h = 0x811c9dc5 ^ this.seed;
    for (const part of parts) {
      const text = `${part}\u0000`;
      for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
      }
    }
    return (h >>> 0) / 0x1_0000_0000 < rate;
  }
}
