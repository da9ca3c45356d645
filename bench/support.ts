/**
 * Shared by the benchmarks: one JSON line per figure, and the databases to run on.
 */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** The limit the value is compared with (a target, or a remote system's rate limit). */
  ceiling?: number;
  /** How `ceiling` reads: `max` (value must stay below) or `min` (value must reach it). */
  target?: 'max' | 'min';
  note?: string;
}

export function report(f: Figure): void {
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

export const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
