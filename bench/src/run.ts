/**
 * `npm run bench`: the engine against the raw limits measured in the same run
 * (DESIGN.md §7). Progress goes to stderr, the table to stdout, the figures to
 * bench/results/latest.json. See bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, UsageError, type BenchArgs } from './args.js';
import { detectCase } from './cases/detect.js';
import { fleetCase } from './cases/fleet.js';
import { liveCase } from './cases/live.js';
import { masterCase } from './cases/master-inventory.js';
import { noopCase } from './cases/noop.js';
import { pullCase } from './cases/pull.js';
import { runScaleSync, scaleReport, type ScaleRun } from './cases/scale.js';
import { uploadCase } from './cases/upload.js';
import { startBenchCloud, type BenchCloud } from './cloud-fixture.js';
import { formatMs, progress } from './measure.js';
import { formatTable, machine, type CaseReport } from './report.js';


async function main(args: BenchArgs): Promise<void> {
  const started = Date.now();
  const reports: CaseReport[] = [];
  const needsCloud = args.only.some((name) => name !== 'detect');
  const scratch = mkdtempSync(join(tmpdir(), 'equinox-bench-'));
  let cloud: BenchCloud | undefined;
  const stop = async (): Promise<void> => {
    const running = cloud;
    cloud = undefined;
    await running?.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    if (args.only.includes('detect')) {
      progress(`detect: ${args.n.toLocaleString('en-US')} rows`);
      reports.push(await detectCase({ n: args.n, reps: args.reps, scratch }));
    }
    if (needsCloud) {
      cloud = await startBenchCloud(scratch);
      if (args.only.includes('upload')) reports.push(await uploadCase({ n: args.n, reps: args.reps, cloud }));
      if (args.only.includes('pull')) reports.push(await pullCase({ n: args.n, reps: args.reps, cloud }));
      let large: ScaleRun | undefined;
      if (args.only.includes('scale') || args.only.includes('noop')) large = await runScaleSync(cloud, args.scaleRows, args.only.includes('scale') ? Math.min(args.reps, 3) : 0);
      if (args.only.includes('scale') && large) reports.push(scaleReport(large));
      if (args.only.includes('noop') && large) reports.push(await noopCase({ reps: args.reps, cloud, large }));
      if (args.only.includes('master')) reports.push(await masterCase({ reps: args.reps, cloud }));
      if (args.only.includes('live')) reports.push(await liveCase({ cloud }));
      if (args.only.includes('fleet')) reports.push(await fleetCase({ cloud, fleet: args.fleet }));
    }
  } finally {
    await stop();
  }
  const rows = reports.flatMap((report) => report.rows);
  const targets = reports.flatMap((report) => report.targets);
  const notes = reports.flatMap((report) => report.notes);
  const results = { date: new Date().toISOString(), machine: machine(), args, totalMs: Date.now() - started, rows, targets, notes };
  const out = resolve(args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows, targets)}\n${notes.map((note) => `- ${note}`).join('\n')}\n`);
  progress(`done in ${formatMs(Date.now() - started)}; results in ${out}`);
}

try {
  await main(parseArgs(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
