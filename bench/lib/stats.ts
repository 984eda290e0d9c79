/** Percentiles, memory sampling and timing helpers. */

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summary(values: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

export const MiB = 2 ** 20;

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface MemoryPeak {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
}

/**
 * Samples process.memoryUsage() every `intervalMs` (RSS and heap) until stop(). A synchronous computation blocks the
 * timer, so callers that run long synchronous work call sample() themselves from inside it (or use a worker).
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  readonly baseline: NodeJS.MemoryUsage;

  constructor(private readonly intervalMs = 100) {
    this.baseline = process.memoryUsage();
    this.sample();
  }

  start(): this {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peak.rss) this.peak.rss = m.rss;
    if (m.heapUsed > this.peak.heapUsed) this.peak.heapUsed = m.heapUsed;
    if (m.external > this.peak.external) this.peak.external = m.external;
    if (m.arrayBuffers > this.peak.arrayBuffers) this.peak.arrayBuffers = m.arrayBuffers;
  }

  stop(): MemoryPeak {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return {
      rssMiB: round(this.peak.rss / MiB),
      heapUsedMiB: round(this.peak.heapUsed / MiB),
      externalMiB: round(this.peak.external / MiB),
      arrayBuffersMiB: round(this.peak.arrayBuffers / MiB),
    };
  }
}

/** Peak RSS of this process over its whole life (getrusage maxrss), in MiB. */
export function maxRssMiB(): number {
  return round((process.resourceUsage().maxRSS * 1024) / MiB);
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
