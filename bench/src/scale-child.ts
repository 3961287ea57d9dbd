/**
 * The scale case's device, in its own process so its peak RSS is its own: one initial
 * sync of the seeded table into an empty file. Reads its job from the environment,
 * writes progress to stderr and one JSON line with the outcome to stdout.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TABLES } from './bench-tables.js';
import { openDevice } from './device.js';

export interface ScaleJob {
  readonly url: string;
  readonly anonKey: string;
  readonly token: string;
  readonly path: string;
  readonly tenant: string;
}

export interface ScaleOutcome {
  readonly durationMs: number;
  readonly downloaded: number;
  readonly error: string | null;
  readonly localRows: number;
  readonly requests: number;
  /** `process.resourceUsage().maxRSS`, in KiB. */
  readonly maxRssKiB: number;
  /** VmHWM from /proc/self/status, in KiB (Linux only). */
  readonly vmHwmKiB: number | null;
}

function vmHwm(): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] scale child: ${message}\n`);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.EQUINOX_BENCH_JOB ?? '') as ScaleJob;
  const device = await openDevice({ url: job.url, anonKey: job.anonKey, token: job.token }, { path: job.path, plugin: TABLES.scale, tenant: job.tenant });
  let nextReport = 100_000;
  const subscription = device.engine.status$.subscribe((status) => {
    if (status.progress?.phase === 'pull' && status.progress.done >= nextReport) {
      nextReport += 100_000;
      log(`${status.progress.done.toLocaleString('en-US')} rows pulled, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
    }
  });
  const started = performance.now();
  const result = await device.engine.syncNow();
  const durationMs = performance.now() - started;
  subscription.unsubscribe();
  const localRows = device.store.database.prepare(`SELECT count(*) FROM ${TABLES.scale.tables[0]?.name}`).pluck().get() as number;
  const outcome: ScaleOutcome = {
    durationMs,
    downloaded: result.downloaded,
    error: result.error,
    localRows,
    requests: device.requests.total(),
    maxRssKiB: process.resourceUsage().maxRSS,
    vmHwmKiB: vmHwm(),
  };
  await device.close();
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scale child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
