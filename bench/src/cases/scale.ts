import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { formatMs, median, progress } from '../measure.js';
import { row, type CaseReport } from '../report.js';
import type { ScaleJob, ScaleOutcome } from '../scale-child.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const table = tableOf(TABLES.scale);
export const SCALE_TENANT = 'bench-scale';
const RSS_LIMIT_MIB = 250;

/** The device file the last initial sync left (the no-op case's large device), and how each sync went. */
export interface ScaleRun {
  readonly path: string;
  readonly rows: number;
  /** The timed runs, after the warm-up. */
  readonly outcomes: readonly ScaleOutcome[];
}

/**
 * Seeds `rows` rows in the cloud, then runs initial syncs of them, each in a child
 * process (so its peak RSS is the sync's own) into an empty file: a warm-up, then `reps`
 * timed runs. The file of the last one is the no-op case's large device.
 */
export async function runScaleSync(cloud: BenchCloud, rows: number, reps: number): Promise<ScaleRun> {
  progress(`scale: seeding ${rows.toLocaleString('en-US')} rows in the cloud`);
  await cloud.seed(table, SCALE_TENANT, rows);
  const token = await cloud.token(SCALE_TENANT);
  const outcomes: ScaleOutcome[] = [];
  let path = '';
  for (let rep = 0; rep <= reps; rep += 1) {
    if (path !== '') removeDb(path);
    path = scratchDb(cloud.scratch, 'scale');
    const what = rep === 0 ? 'warm-up' : `rep ${rep}/${reps}`;
    progress(`scale: initial sync of ${rows.toLocaleString('en-US')} rows in a child process (${what})`);
    const outcome = await runChild({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token, path, tenant: SCALE_TENANT });
    if (outcome.error !== null || outcome.downloaded !== rows || outcome.localRows !== rows) {
      throw new Error(`scale: the initial sync did not bring every row: ${JSON.stringify(outcome)}`);
    }
    progress(`scale: ${what}: ${formatMs(outcome.durationMs)}, peak RSS ${(outcome.maxRssKiB / 1024).toFixed(0)} MiB`);
    if (rep > 0) outcomes.push(outcome);
  }
  return { path, rows, outcomes };
}

function runChild(job: ScaleJob): Promise<ScaleOutcome> {
  const script = fileURLToPath(new URL('../scale-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, EQUINOX_BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`the scale child exited with ${code}`));
      else resolve(JSON.parse(last) as ScaleOutcome);
    });
  });
}

export function scaleReport(run: ScaleRun): CaseReport {
  const durations = run.outcomes.map((outcome) => outcome.durationMs);
  // The largest peak of the runs: the target is a ceiling.
  const peakKiB = Math.max(...run.outcomes.map((outcome) => outcome.maxRssKiB));
  const peakMiB = peakKiB / 1024;
  const requests = run.outcomes[run.outcomes.length - 1]?.requests ?? 0;
  const medianMs = median(durations);
  return {
    rows: [
      row({
        case: 'scale',
        variant: 'engine initial sync, child process',
        rows: run.rows,
        medianMs,
        samplesMs: durations,
        note: `peak RSS ${peakMiB.toFixed(0)} MiB (highest of ${durations.length} runs), ${requests} requests`,
        extra: { maxRssKiB: peakKiB, requests },
      }),
    ],
    targets: [
      {
        case: 'scale',
        target: `${run.rows.toLocaleString('en-US')}-row initial sync, peak RSS < ${RSS_LIMIT_MIB} MB`,
        measured: `${peakMiB.toFixed(0)} MiB, ${(medianMs / 1000).toFixed(1)} s`,
        met: peakKiB * 1024 < RSS_LIMIT_MIB * 1e6,
      },
    ],
    notes: ['scale: peak RSS is the whole child process (Node itself included), from process.resourceUsage().maxRSS at the end of the run.'],
  };
}
