import { TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice, type BenchDevice } from '../device.js';
import { compare, progress, type Variant } from '../measure.js';
import { row, type CaseReport } from '../report.js';
import { removeDb, scratchDb } from '../scratch-files.js';
import { SCALE_TENANT, type ScaleRun } from './scale.js';

const SMALL = 10_000;
const small = { plugin: TABLES.noop, table: tableOf(TABLES.noop), tenant: 'bench-noop' };

interface Measured {
  requests: Record<string, number>;
}

function noopVariant(name: string, device: BenchDevice, measured: Measured): Variant<null> {
  return {
    name,
    prepare: () => {
      device.requests.reset();
      return null;
    },
    async run() {
      const result = await device.engine.syncNow();
      if (result.error !== null || result.uploaded + result.downloaded + result.conflicts + result.rejected !== 0) {
        throw new Error(`${name}: the run had work to do: ${JSON.stringify(result)}`);
      }
    },
    cleanup: () => {
      measured.requests = device.requests.byPath();
    },
  };
}

/**
 * noop: a sync run with nothing to upload or download, on a device holding 10,000
 * synced rows and on the scale case's device holding its 1M rows (one table each).
 * Requests are counted through the `fetch` given to supabase-js.
 */
export async function noopCase(options: { reps: number; cloud: BenchCloud; large: ScaleRun }): Promise<CaseReport> {
  const { reps, cloud, large } = options;
  progress(`noop: seeding ${SMALL.toLocaleString('en-US')} rows and syncing them to a device`);
  await cloud.seed(small.table, small.tenant, SMALL);
  const smallPath = scratchDb(cloud.scratch, 'noop');
  const target = (token: string) => ({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token });
  const smallDevice = await openDevice(target(await cloud.token(small.tenant)), { path: smallPath, plugin: small.plugin, tenant: small.tenant });
  const initial = await smallDevice.engine.syncNow();
  if (initial.downloaded !== SMALL) throw new Error(`noop: the initial sync brought ${initial.downloaded} rows`);
  const largeDevice = await openDevice(target(await cloud.token(SCALE_TENANT)), { path: large.path, plugin: TABLES.scale, tenant: SCALE_TENANT });
  try {
    const smallMeasured: Measured = { requests: {} };
    const largeMeasured: Measured = { requests: {} };
    const [smallSamples, largeSamples] = await compare('noop', reps, [
      noopVariant(`no-op run, ${SMALL.toLocaleString('en-US')} local rows`, smallDevice, smallMeasured),
      noopVariant(`no-op run, ${large.rows.toLocaleString('en-US')} local rows`, largeDevice, largeMeasured),
    ] as Variant<never>[]);
    const describe = (requests: Record<string, number>): string =>
      `${Object.values(requests).reduce((a, b) => a + b, 0)} requests (${Object.entries(requests).map(([path, count]) => `${path.replace(/^rpc\//, '')} ${count}`).join(', ')})`;
    const smallRow = row({ case: 'noop', variant: smallSamples!.name, rows: 0, medianMs: smallSamples!.median, samplesMs: smallSamples!.samples, note: describe(smallMeasured.requests), extra: smallMeasured.requests });
    const largeRow = row({ case: 'noop', variant: largeSamples!.name, rows: 0, medianMs: largeSamples!.median, samplesMs: largeSamples!.samples, note: describe(largeMeasured.requests), extra: largeMeasured.requests });
    const slowdown = largeRow.medianMs / smallRow.medianMs;
    const totalRequests = Object.values(largeMeasured.requests).reduce((sum, count) => sum + count, 0);
    return {
      rows: [smallRow, { ...largeRow, ratio: { value: slowdown, against: `the ${SMALL.toLocaleString('en-US')}-row time (≤ 2×)` } }],
      targets: [
        { case: 'noop', target: `no-op at ${large.rows.toLocaleString('en-US')} rows ≤ 2× its time at ${SMALL.toLocaleString('en-US')}`, measured: `${slowdown.toFixed(3)}× (${largeRow.medianMs.toFixed(1)} vs ${smallRow.medianMs.toFixed(1)} ms)`, met: slowdown <= 2 },
        { case: 'noop', target: 'one request per no-op sync, health included (eq_pull_many)', measured: describe(largeMeasured.requests), met: totalRequests === 1 },
      ],
      notes: [`noop: the ratio on the large run is a slowdown (time at ${large.rows.toLocaleString('en-US')} rows / time at ${SMALL.toLocaleString('en-US')}), lower is better.`],
    };
  } finally {
    await smallDevice.close();
    await largeDevice.close();
    removeDb(smallPath);
  }
}
