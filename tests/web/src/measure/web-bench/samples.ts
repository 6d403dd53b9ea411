import { percentile } from '../../../../../bench/dist/stats.js';

/** Timings of one measurement over several runs, in milliseconds. */
export interface Samples {
  readonly name: string;
  readonly values: readonly number[];
  /** What the figure is held against (from issue 11), e.g. "< 300 ms". */
  readonly target?: string;
  /** Anything else measured alongside, one short phrase each (bytes, long tasks, renderer). */
  readonly notes: readonly string[];
}

/** Nearest-rank median and p90 of `values`; NaN when there are none. */
export function summarize(values: readonly number[]): { median: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p90: percentile(sorted, 90) };
}
