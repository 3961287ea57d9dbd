import { masterAggregationSql } from '@equinox-sync/plugin-inventory';
import type { BenchCloud } from '../cloud-fixture.js';
import { formatMs } from '../measure.js';
import type { MixedOutcome, PhaseOutcome } from './fleet-protocol.js';
import { percentile, processTreeCpuSeconds, type FleetWorker } from './fleet-workers.js';

// The fleet case's phases and how their figures are combined and described.

/** One timed phase over every worker: operations per second, latencies, and the cloud's CPU seconds meanwhile. */
export interface Phase {
  readonly perSecond: number;
  readonly count: number;
  readonly elapsedMs: number;
  readonly latencies: number[];
  readonly cloudCpuSeconds: number | null;
  /** The cloud's CPU seconds by process name (gateway, postgres, postgrest). */
  readonly cloudCpuByName: Record<string, number>;
  /** CPU seconds the device workers used. */
  readonly deviceCpuSeconds: number;
  readonly failures: number;
  readonly firstFailure: string | null;
  readonly requests: Record<string, number>;
}

export interface MixedPhase extends Phase {
  readonly rowsPerSecond: number;
  readonly uploaded: number;
  readonly written: number;
  readonly rejected: number;
  readonly pending: number;
}

export function combine(outcomes: readonly PhaseOutcome[], cloudCpuSeconds: number | null, cloudCpuByName: Record<string, number>): Phase {
  const count = outcomes.reduce((sum, outcome) => sum + outcome.count, 0);
  // The workers ran side by side: the phase lasted as long as the slowest of them.
  const elapsedMs = Math.max(...outcomes.map((outcome) => outcome.elapsedMs));
  const requests: Record<string, number> = {};
  for (const outcome of outcomes) for (const [path, n] of Object.entries(outcome.requests)) requests[path] = (requests[path] ?? 0) + n;
  return {
    perSecond: (count * 1000) / elapsedMs,
    count,
    elapsedMs,
    latencies: outcomes.flatMap((outcome) => outcome.latencies),
    cloudCpuSeconds,
    cloudCpuByName,
    deviceCpuSeconds: outcomes.reduce((sum, outcome) => sum + outcome.cpuMs, 0) / 1000,
    failures: outcomes.reduce((sum, outcome) => sum + outcome.failures, 0),
    firstFailure: outcomes.find((outcome) => outcome.firstFailure !== null)?.firstFailure ?? null,
    requests,
  };
}

/** Runs `start` on every worker at once, reading the cloud's CPU time before and after. */
export async function phase<T extends PhaseOutcome>(cloud: BenchCloud, workers: readonly FleetWorker[], start: (worker: FleetWorker, index: number) => Promise<T>): Promise<{ phase: Phase; outcomes: T[] }> {
  const before = processTreeCpuSeconds(cloud.pid);
  const outcomes = await Promise.all(workers.map(start));
  const after = processTreeCpuSeconds(cloud.pid);
  const byName: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after?.byName ?? {})) byName[name] = seconds - (before?.byName[name] ?? 0);
  return { phase: combine(outcomes, before === null || after === null ? null : after.seconds - before.seconds, byName), outcomes };
}

export function mixedPhase(phaseResult: { phase: Phase; outcomes: MixedOutcome[] }): MixedPhase {
  const { phase: p, outcomes } = phaseResult;
  const uploaded = outcomes.reduce((sum, outcome) => sum + outcome.uploaded, 0);
  return {
    ...p,
    rowsPerSecond: (uploaded * 1000) / p.elapsedMs,
    uploaded,
    written: outcomes.reduce((sum, outcome) => sum + outcome.written, 0),
    rejected: outcomes.reduce((sum, outcome) => sum + outcome.rejected, 0),
    pending: outcomes.reduce((sum, outcome) => sum + outcome.pending, 0),
  };
}

/**
 * Switches the inventory's aggregation (tenants' totals and the master) off or on, as the
 * schema's owner, with the plugin's own switch: on again recounts the totals from the
 * movements, those written while it was off included.
 */
export async function setAggregation(cloud: BenchCloud, on: boolean): Promise<void> {
  await cloud.query(masterAggregationSql(on));
}

/**
 * The timed reps of a closed-loop phase as one: rows and syncs over their summed time,
 * latencies and CPU of all of them. With two reps a "median rep" is the faster one, the
 * most noise-prone pick; every row uploaded over all the time counted is the steadier rate.
 */
export function pooled(reps: readonly MixedPhase[]): MixedPhase {
  const sum = (key: (rep: MixedPhase) => number): number => reps.reduce((total, rep) => total + key(rep), 0);
  const elapsedMs = sum((rep) => rep.elapsedMs);
  const cloudCpuByName: Record<string, number> = {};
  for (const rep of reps) for (const [name, seconds] of Object.entries(rep.cloudCpuByName)) cloudCpuByName[name] = (cloudCpuByName[name] ?? 0) + seconds;
  const requests: Record<string, number> = {};
  for (const rep of reps) for (const [path, n] of Object.entries(rep.requests)) requests[path] = (requests[path] ?? 0) + n;
  const uploaded = sum((rep) => rep.uploaded);
  const count = sum((rep) => rep.count);
  return {
    perSecond: (count * 1000) / elapsedMs,
    count,
    elapsedMs,
    latencies: reps.flatMap((rep) => rep.latencies),
    cloudCpuSeconds: reps.some((rep) => rep.cloudCpuSeconds === null) ? null : sum((rep) => rep.cloudCpuSeconds ?? 0),
    cloudCpuByName,
    deviceCpuSeconds: sum((rep) => rep.deviceCpuSeconds),
    failures: sum((rep) => rep.failures),
    firstFailure: reps.find((rep) => rep.firstFailure !== null)?.firstFailure ?? null,
    requests,
    rowsPerSecond: (uploaded * 1000) / elapsedMs,
    uploaded,
    written: sum((rep) => rep.written),
    rejected: sum((rep) => rep.rejected),
    pending: reps[reps.length - 1]?.pending ?? 0,
  };
}

export function ms(value: number): string {
  return formatMs(value);
}

export function latencyNote(latencies: readonly number[]): string {
  return `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`;
}

/** Per 1,000 operations: the cloud's CPU seconds by process, and the devices'. */
export function cpuNote(p: Phase, what: string): string {
  const per = (seconds: number): string => ((seconds / Math.max(1, p.count)) * 1000).toFixed(2);
  const parts = Object.entries(p.cloudCpuByName).filter(([, seconds]) => seconds > 0).sort((a, b) => b[1] - a[1]).map(([name, seconds]) => `${name} ${per(seconds)}`);
  return `per 1,000 ${what}: cloud ${p.cloudCpuSeconds === null ? '?' : per(p.cloudCpuSeconds)} CPU s (${parts.join(', ')}), devices ${per(p.deviceCpuSeconds)} CPU s`;
}

/** Requests per operation by path, e.g. `eq_health 1.00, eq_push 2.10`. */
export function requestsNote(p: Phase, operations: number): string {
  return Object.entries(p.requests).map(([path, n]) => `${path.replace(/^rpc\//, '')} ${(n / Math.max(1, operations)).toFixed(2)}`).join(', ');
}

export function requestsPer(phaseResult: Phase): number {
  return Object.values(phaseResult.requests).reduce((a, b) => a + b, 0) / Math.max(1, phaseResult.count);
}

/** The rep whose throughput is the median of the reps (the upper middle of an even count). */
export function medianRep<T extends Phase>(reps: readonly T[], key: (rep: T) => number = (rep) => rep.perSecond): T {
  const sorted = [...reps].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor(sorted.length / 2)] as T;
}
