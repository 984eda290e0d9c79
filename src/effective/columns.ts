/** Typed-array building blocks of the compact effective set: growable integer columns and an integer-pair map. */
const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/**
 * A growable column of 32-bit integers in fixed-size chunks: growing never copies, and the memory allocated is the
 * memory used (a doubling array allocates twice the final size, and on a large heap every 64 MiB of new typed-array
 * memory costs a full garbage collection).
 */
export class IntColumn {
  private chunks: Int32Array[] = [];
  private current: Int32Array | undefined;
  length = 0;

  static int32(): IntColumn {
    return new IntColumn();
  }

  /** A column holding `values` (viewed, not copied). */
  static of(values: Int32Array): IntColumn {
    const c = new IntColumn();
    for (let start = 0; start < values.length; start += CHUNK_SIZE) {
      c.chunks.push(values.subarray(start, Math.min(values.length, start + CHUNK_SIZE)));
    }
    c.length = values.length;
    return c;
  }

  push(value: number): void {
    const offset = this.length & CHUNK_MASK;
    if (offset === 0) {
      this.current = new Int32Array(CHUNK_SIZE);
      this.chunks.push(this.current);
    }
    this.current![offset] = value;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  /** Gives back the unused end of the last chunk (call once nothing more is pushed). */
  trim(): this {
    const last = this.chunks.length - 1;
    const used = this.length - last * CHUNK_SIZE;
    if (last >= 0 && this.chunks[last]!.length !== used) {
      this.chunks[last] = this.chunks[last]!.slice(0, used);
      this.current = undefined;
    }
    return this;
  }
}

/**
 * A hash map from a pair of 32-bit integers to a non-negative integer, open addressing over typed arrays: a lookup
 * allocates nothing (a Map keyed by `a * 2^24 + b` boxes every key beyond 2^31 and made the garbage collector a third
 * of the computation on large tenants).
 */
export class PairMap {
  private a: Int32Array;
  private b: Int32Array;
  private v: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 12) {
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.v = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.v[i] !== -1 && (this.a[i] !== a || this.b[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    return this.v[this.slot(a | 0, b | 0)]!;
  }

  set(a: number, b: number, value: number): void {
    const i = this.slot(a | 0, b | 0);
    if (this.v[i] === -1) {
      this.a[i] = a;
      this.b[i] = b;
      this.count++;
    }
    this.v[i] = value;
    if (this.count * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { a, b, v } = this;
    const capacity = v.length * 2;
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.v = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === -1) continue;
      const j = this.slot(a[i]!, b[i]!);
      this.a[j] = a[i]!;
      this.b[j] = b[i]!;
      this.v[j] = v[i]!;
    }
  }
}
