import { performance } from 'node:perf_hooks';

/** One way of doing a case's work; `prepare` is not timed, `run` is. */
export interface Variant<P = unknown> {
  readonly name: string;
  prepare(rep: number): Promise<P> | P;
  run(prepared: P): Promise<void> | void;
  /** Untimed cleanup after each run. */
  cleanup?(prepared: P): Promise<void> | void;
}

/** Timings of one variant, in ms. */
export interface Samples {
  readonly name: string;
  readonly samples: readonly number[];
  readonly median: number;
}

/** Writes a progress line to stderr, so stdout keeps only the table. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Runs every variant once as a warm-up, then `reps` times, the variants interleaved
 * within each repetition so that a slow moment of the shared machine hits them alike.
 *
 * @example
 * const [engine, raw] = await compare('upload', 3, [engineVariant, rawVariant]);
 */
export async function compare(label: string, reps: number, variants: readonly Variant<never>[]): Promise<Samples[]> {
  const samples = variants.map(() => [] as number[]);
  for (let rep = 0; rep <= reps; rep += 1) {
    for (const [index, variant] of variants.entries()) {
      const v = variant as unknown as Variant<unknown>;
      const prepared = await v.prepare(rep);
      const started = performance.now();
      await v.run(prepared);
      const elapsed = performance.now() - started;
      await v.cleanup?.(prepared);
      const what = rep === 0 ? 'warm-up' : `rep ${rep}/${reps}`;
      progress(`${label}: ${variant.name} ${what}: ${formatMs(elapsed)}`);
      if (rep > 0) samples[index]?.push(elapsed);
    }
  }
  return variants.map((variant, index) => ({ name: variant.name, samples: samples[index] ?? [], median: median(samples[index] ?? []) }));
}

/** Times one call. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
