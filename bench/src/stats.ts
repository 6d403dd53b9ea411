/** Latency percentiles of one measurement, in milliseconds. */
export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // The epsilon keeps 99.9% of 1000 at rank 999 despite floating point.
  const rank = Math.ceil((p / 100) * sorted.length - 1e-9);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

/** Summarizes latencies given in microseconds as milliseconds. */
export function summarizeUs(valuesUs: readonly number[]): LatencySummary {
  const sorted = [...valuesUs].sort((a, b) => a - b);
  const ms = (us: number) => us / 1000;
  return {
    samples: sorted.length,
    p50: ms(percentile(sorted, 50)),
    p99: ms(percentile(sorted, 99)),
    p999: ms(percentile(sorted, 99.9)),
    max: ms(sorted[sorted.length - 1] ?? Number.NaN),
  };
}
