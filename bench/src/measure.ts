import { performance } from 'node:perf_hooks';

/** One way of doing a case's work; `prepare` is not timed, `run` is. */
export interface Variant<P = unknown> {
  readonly name: string;
  prepare(rep: number): Promise<P> | P;
  run(prepared: P): Promise<void> | void;
  /** Untimed cleanup after each run. */
  cleanup?(prepared: P): Promise<void> | void;
}

/** CPU time in ms: of the cloud's processes, and of this process (the device's engine, or a raw loop's client). */
export interface CpuReading {
  readonly cloudMs: number;
  readonly hereMs: number;
  /** The cloud's CPU by process name (postgres, postgrest, gateway), where the meter can tell them apart. */
  readonly cloudByName?: Readonly<Record<string, number>>;
}

/** Reads the CPU counters a {@link CpuReading} is the difference of; null where they cannot be read. */
export type CpuMeter = () => CpuReading | null;

/** Timings of one variant, in ms, and with a meter the median CPU of a run. */
export interface Samples {
  readonly name: string;
  readonly samples: readonly number[];
  readonly median: number;
  readonly cpu?: CpuReading;
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
 * With `meter`, the CPU each run used is read around it (outside the timing) too.
 *
 * @example
 * const [engine, raw] = await compare('upload', 3, [engineVariant, rawVariant]);
 */
export async function compare(label: string, reps: number, variants: readonly Variant<never>[], meter?: CpuMeter): Promise<Samples[]> {
  const samples = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as CpuReading[]);
  for (let rep = 0; rep <= reps; rep += 1) {
    for (const [index, variant] of variants.entries()) {
      const v = variant as unknown as Variant<unknown>;
      const prepared = await v.prepare(rep);
      const before = meter?.() ?? null;
      const started = performance.now();
      await v.run(prepared);
      const elapsed = performance.now() - started;
      const after = meter?.() ?? null;
      await v.cleanup?.(prepared);
      const what = rep === 0 ? 'warm-up' : `rep ${rep}/${reps}`;
      progress(`${label}: ${variant.name} ${what}: ${formatMs(elapsed)}`);
      if (rep === 0) continue;
      samples[index]?.push(elapsed);
      if (before !== null && after !== null) cpu[index]?.push(cpuBetween(before, after));
    }
  }
  return variants.map((variant, index) => {
    const readings = cpu[index] ?? [];
    const measured = { name: variant.name, samples: samples[index] ?? [], median: median(samples[index] ?? []) };
    if (readings.length === 0) return measured;
    return { ...measured, cpu: medianReading(readings) };
  });
}

function cpuBetween(before: CpuReading, after: CpuReading): CpuReading {
  const reading = { cloudMs: after.cloudMs - before.cloudMs, hereMs: after.hereMs - before.hereMs };
  if (before.cloudByName === undefined || after.cloudByName === undefined) return reading;
  const byName: Record<string, number> = {};
  for (const [name, ms] of Object.entries(after.cloudByName)) byName[name] = ms - (before.cloudByName[name] ?? 0);
  return { ...reading, cloudByName: byName };
}

/** The median of each counter on its own (each process's too), over the runs of one variant. */
function medianReading(readings: readonly CpuReading[]): CpuReading {
  const names = new Set(readings.flatMap((r) => Object.keys(r.cloudByName ?? {})));
  const reading = { cloudMs: median(readings.map((r) => r.cloudMs)), hereMs: median(readings.map((r) => r.hereMs)) };
  if (names.size === 0) return reading;
  return { ...reading, cloudByName: Object.fromEntries([...names].map((name) => [name, median(readings.map((r) => r.cloudByName?.[name] ?? 0))])) };
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
