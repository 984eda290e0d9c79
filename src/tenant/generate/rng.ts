/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) for the tenant generator. No Math.random anywhere: the same
 * seed always yields the same sequence, on every platform (only 32-bit integer arithmetic is used).
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

function hex16(n: number): string {
  return HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/**
 * Returns `text` flattened: V8 builds concatenations as rope ("cons") strings, and a retained rope costs several
 * heap objects that every GC copies. Reading one character flattens it in place, which made generating the large
 * tenant about twice as fast. Semantically the identity function.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** FNV-1a over a string: turns a stream label into 32 bits. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any safe integer; `stream` names an independent sub-sequence (one per generator section). */
  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const state = { s: (lo ^ Math.imul(hi, 0x27d4eb2d) ^ fnv1a(stream)) | 0 };
    this.a = splitmix32(state);
    this.b = splitmix32(state);
    this.c = splitmix32(state);
    this.d = splitmix32(state);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent generator for a named section, so that sections do not shift each other's sequences. */
  static stream(seed: number, name: string): Rng {
    return new Rng(seed, name);
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** Lower-case random UUID (version 4 layout). */
  guid(): string {
    const a = this.uint32();
    const b = this.uint32();
    const c = this.uint32();
    const d = this.uint32();
    return flat(
      `${hex32(a)}-${hex16(b >>> 16)}-${hex16((b & 0x0fff) | 0x4000)}-${hex16(((c >>> 16) & 0x3fff) | 0x8000)}-${hex16(c & 0xffff)}${hex32(d)}`,
    );
  }

  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += HEX[this.uint32() & 255]!;
    return flat(out);
  }
}

/** A weighted choice table, precomputed once and sampled in O(log n). */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.values = entries.map((e) => e[0]);
    let sum = 0;
    this.cumulative = entries.map((e) => {
      sum += e[1];
      return sum;
    });
    this.total = sum;
    if (!(sum > 0)) throw new RangeError('weights must sum to a positive number');
  }

  sample(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }
}

/** Distributes `total` over `n` slots with random sizes in [min, cap], summing exactly to `total`. */
export function distribute(
  rng: Rng,
  total: number,
  caps: readonly number[],
  weight: () => number,
  min: number,
): number[] {
  const n = caps.length;
  const weights = caps.map(() => weight());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w, i) => Math.max(min, Math.min(caps[i]!, Math.floor((total * w) / sum))));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  let i = rng.int(n);
  let stuck = 0;
  while (diff !== 0) {
    if (diff > 0 && counts[i]! < caps[i]!) {
      counts[i]!++;
      diff--;
      stuck = 0;
    } else if (diff < 0 && counts[i]! > min) {
      counts[i]!--;
      diff++;
      stuck = 0;
    } else if (++stuck > n) throw new RangeError(`cannot distribute ${total} over ${n} slots`);
    i = (i + 1) % n;
  }
  return counts;
}
