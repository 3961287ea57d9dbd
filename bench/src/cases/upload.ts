import { DEFAULT_SYNC_OPTIONS, HybridLogicalClock, newRecordId, type Row } from '@equinox-sync/core';
import type { SupabaseClient } from '@supabase/supabase-js';
import { dataRow, TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice, type BenchDevice } from '../device.js';
import { compare, type Variant } from '../measure.js';
import { row, speedRatio, type CaseReport } from '../report.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const plugin = TABLES.upload;
const table = tableOf(plugin);
/** Rows per raw upsert request. */
const RAW_BATCH = 1000;

/** Rows shaped exactly as the engine sends them: system columns, then the declared ones. */
function cloudRows(tenant: string, count: number): Row[] {
  const clock = new HybridLogicalClock({ deviceId: 'bench-raw' });
  return Array.from({ length: count }, (_, i) => ({ id: newRecordId(), tenant_id: tenant, updated_at: clock.tick(), deleted: false, ...dataRow(i) }));
}

async function upsert(client: SupabaseClient, rows: readonly Row[]): Promise<void> {
  // The cloud's key is (tenant_id, id): ids are unique per tenant only.
  const { error } = await client.from(table).upsert(rows as Row[], { onConflict: 'tenant_id,id' });
  if (error) throw new Error(`raw upsert into ${table} failed: ${error.message}`);
}

/**
 * upload: the engine uploading N queued rows (one sync run, default batch size, the
 * table upload-only so the run does not pull them back) against raw supabase-js
 * `.upsert()` of rows of the same shape, 1,000 per request, and against one request per
 * record, timed on a subset and extrapolated. Every repetition writes new rows for a
 * new tenant, so each is a first upload.
 */
export async function uploadCase(options: { n: number; reps: number; cloud: BenchCloud }): Promise<CaseReport> {
  const { n, reps, cloud } = options;
  const subset = Math.min(n, 500);
  let round = 0;
  const tenant = (label: string): string => `bench-upload-${label}-${(round += 1)}`;

  const engine = (batchSize: number): Variant<{ device: BenchDevice; path: string }> => ({
    name: batchSize === DEFAULT_SYNC_OPTIONS.batchSize ? 'engine upload (eq_push)' : `engine upload, batchSize ${batchSize} (not the default)`,
    async prepare() {
      const who = tenant('engine');
      const path = scratchDb(cloud.scratch, 'upload');
      const target = { url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token: await cloud.token(who) };
      const device = await openDevice(target, { path, plugin, tenant: who, sync: { batchSize } });
      const scoped = device.store.forPlugin(plugin.name);
      device.store.transaction(() => {
        for (let i = 0; i < n; i += 1) scoped.insert(table, dataRow(i));
      });
      return { device, path };
    },
    async run({ device }) {
      const result = await device.engine.syncNow();
      if (result.error !== null || result.uploaded !== n) throw new Error(`engine upload: ${JSON.stringify(result)}`);
    },
    async cleanup({ device, path }) {
      await device.close();
      removeDb(path);
    },
  });
  const bulk: Variant<{ client: SupabaseClient; rows: Row[] }> = {
    name: `raw upsert (${RAW_BATCH.toLocaleString('en-US')} rows/request)`,
    async prepare() {
      const who = tenant('bulk');
      return { client: await cloud.client(who), rows: cloudRows(who, n) };
    },
    async run({ client, rows }) {
      for (let first = 0; first < rows.length; first += RAW_BATCH) await upsert(client, rows.slice(first, first + RAW_BATCH));
    },
  };
  const single: Variant<{ client: SupabaseClient; rows: Row[] }> = {
    name: `raw upsert, one request per record`,
    async prepare() {
      const who = tenant('single');
      return { client: await cloud.client(who), rows: cloudRows(who, subset) };
    },
    async run({ client, rows }) {
      for (const one of rows) await upsert(client, [one]);
    },
  };
  const variants = [engine(DEFAULT_SYNC_OPTIONS.batchSize), bulk, single, engine(RAW_BATCH)];
  const [engineSamples, bulkSamples, singleSamples, engineLargeSamples] = await compare('upload', reps, variants as Variant<never>[]);
  const engineRow = row({ case: 'upload', variant: engineSamples!.name, rows: n, medianMs: engineSamples!.median, samplesMs: engineSamples!.samples });
  const bulkRow = row({ case: 'upload', variant: bulkSamples!.name, rows: n, medianMs: bulkSamples!.median, samplesMs: bulkSamples!.samples });
  const measuredSingle = row({ case: 'upload', variant: singleSamples!.name, rows: subset, medianMs: singleSamples!.median, samplesMs: singleSamples!.samples });
  const singleRow = {
    ...measuredSingle,
    rows: n,
    medianMs: (measuredSingle.medianMs * n) / subset,
    note: `extrapolated from ${subset.toLocaleString('en-US')} rows`,
  };
  const engineLargeRow = row({ case: 'upload', variant: engineLargeSamples!.name, rows: n, medianMs: engineLargeSamples!.median, samplesMs: engineLargeSamples!.samples });
  const vsBulk = speedRatio(engineRow, bulkRow);
  const vsSingle = speedRatio(engineRow, measuredSingle);
  return {
    rows: [
      { ...engineRow, ratio: { value: vsBulk, against: 'raw upsert' }, note: `${vsSingle.toFixed(0)}× one-per-record` },
      bulkRow,
      singleRow,
      {
        ...engineLargeRow,
        ratio: { value: speedRatio(engineLargeRow, bulkRow), against: 'raw upsert' },
        note: `${speedRatio(engineLargeRow, measuredSingle).toFixed(0)}× one-per-record; for reference, not a target`,
      },
    ],
    targets: [
      { case: 'upload', target: 'engine ≥ 0.8× raw bulk upsert', measured: `${vsBulk.toFixed(3)}×`, met: vsBulk >= 0.8 },
      { case: 'upload', target: 'engine ≥ 50× one request per record', measured: `${vsSingle.toFixed(1)}×`, met: vsSingle >= 50 },
    ],
    notes: [
      `upload: the engine's run includes its health probe, reading the outbox, the pushes (batch size ${DEFAULT_SYNC_OPTIONS.batchSize}, three in flight) and the acks; ` +
        `one-request-per-record timed on ${subset} rows and extrapolated to ${n}.`,
    ],
  };
}
