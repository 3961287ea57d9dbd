import { DEFAULT_SYNC_OPTIONS, HybridLogicalClock, newRecordId, SupabaseRemote, type Row } from '@equinox-sync/core';
import type { SupabaseClient } from '@supabase/supabase-js';
import { applySql } from '@equinox-sync/local-cloud';
import { dataRow, PLAIN_UPLOAD_TABLE, plainTableSql, TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice, type BenchDevice } from '../device.js';
import { compare, type CpuMeter, type Samples, type Variant } from '../measure.js';
import { processTreeCpuSeconds } from './fleet-workers.js';
import { row, speedRatio, type CaseReport } from '../report.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const plugin = TABLES.upload;
const table = tableOf(plugin);
/** Rows per raw upsert request. */
const RAW_BATCH = 1000;
/** Pushes the engine keeps in flight (core's upload stage): the plain-table limit gets as many requests at once. */
const PUSHES_IN_FLIGHT = 3;

/** Rows shaped exactly as the engine sends them: system columns, then the declared ones. */
function cloudRows(tenant: string, count: number): Row[] {
  const clock = new HybridLogicalClock({ deviceId: 'bench-raw' });
  return Array.from({ length: count }, (_, i) => ({ id: newRecordId(), tenant_id: tenant, updated_at: clock.tick(), deleted: false, ...dataRow(i) }));
}

/** The same declared values with only a key: what an app without sync would send. */
function plainRows(tenant: string, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: newRecordId(), tenant_id: tenant, ...dataRow(i) }));
}

async function upsert(client: SupabaseClient, rows: readonly Row[], into: string = table): Promise<void> {
  // The cloud's key is (tenant_id, id): ids are unique per tenant only.
  const { error } = await client.from(into).upsert(rows as Row[], { onConflict: 'tenant_id,id' });
  if (error) throw new Error(`raw upsert into ${into} failed: ${error.message}`);
}

/** Sends `rows` in batches of `batch` through `send`, `lanes` requests in flight, each lane taking the next batch. */
async function inFlight(rows: readonly Row[], batch: number, lanes: number, send: (batch: Row[]) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < rows.length) {
      const first = next;
      next += batch;
      await send(rows.slice(first, first + batch));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

async function upsertInFlight(client: SupabaseClient, rows: readonly Row[], batch: number, lanes: number, into: string): Promise<void> {
  await inFlight(rows, batch, lanes, (slice) => upsert(client, slice, into));
}

/**
 * upload: the engine uploading N queued rows (one sync run, default batch size, the
 * table upload-only so the run does not pull them back) against the plain-table limit
 * (the same values upserted into a table without sync, batches of the engine's size,
 * as many requests in flight as the engine), raw supabase-js `.upsert()` of rows of the
 * engine's shape into its own table, 1,000 per request, and one request per record,
 * timed on a subset and extrapolated. Every repetition writes new rows for a
 * new tenant, so each is a first upload.
 */
export async function uploadCase(options: { n: number; reps: number; cloud: BenchCloud }): Promise<CaseReport> {
  const { n, reps, cloud } = options;
  // The plain-table limit's table, made afresh each run as the owner (applySql also has PostgREST reload its schema).
  await applySql(cloud.cloud, plainTableSql(plugin, PLAIN_UPLOAD_TABLE));
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
      // Queued as the upload finds rows written a while before: the capture log already
      // folded (the detect case times the fold on its own).
      if (device.store.pendingUploads() !== n) throw new Error('engine upload: the rows are not queued');
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
  const plainBatch = DEFAULT_SYNC_OPTIONS.batchSize;
  const plain: Variant<{ client: SupabaseClient; rows: Row[] }> = {
    name: `plain-table upsert (${plainBatch} rows/request, ${PUSHES_IN_FLIGHT} in flight)`,
    async prepare() {
      const who = tenant('plain');
      return { client: await cloud.client(who), rows: plainRows(who, n) };
    },
    async run({ client, rows }) {
      await upsertInFlight(client, rows, plainBatch, PUSHES_IN_FLIGHT, PLAIN_UPLOAD_TABLE);
    },
  };
  // The engine's own table (sync columns, stamp trigger, pull index) at the plain limit's concurrency: splits the gap
  // to the plain table into what the synced table costs and what the engine adds.
  const syncedInFlight: Variant<{ client: SupabaseClient; rows: Row[] }> = {
    name: `raw upsert into the synced table (${plainBatch} rows/request, ${PUSHES_IN_FLIGHT} in flight)`,
    async prepare() {
      const who = tenant('synced');
      return { client: await cloud.client(who), rows: cloudRows(who, n) };
    },
    async run({ client, rows }) {
      await upsertInFlight(client, rows, plainBatch, PUSHES_IN_FLIGHT, table);
    },
  };
  // The engine's pushes without the device: eq_push called by the engine's own remote with rows built beforehand,
  // no outbox read and no acks. Splits the gap to the plain table into the cloud's part and the device's.
  const protocolOnly: Variant<{ remote: SupabaseRemote; rows: Row[] }> = {
    name: `eq_push from a bare client (${plainBatch} rows/request, ${PUSHES_IN_FLIGHT} in flight, no device store)`,
    async prepare() {
      const who = tenant('protocol');
      const remote = new SupabaseRemote({ url: cloud.cloud.url, key: cloud.cloud.anonKey, accessToken: await cloud.token(who) }, { timeoutMs: 120_000 });
      return { remote, rows: cloudRows(who, n) };
    },
    async run({ remote, rows }) {
      await inFlight(rows, plainBatch, PUSHES_IN_FLIGHT, async (slice) => {
        const outcomes = await remote.push(table, slice.map((one) => ({ row: one, base_version: null })));
        if (outcomes.some((outcome) => outcome.status !== 'applied')) throw new Error(`eq_push from a bare client: ${JSON.stringify(outcomes.find((o) => o.status !== 'applied'))}`);
      });
    },
  };
  const variants = [engine(DEFAULT_SYNC_OPTIONS.batchSize), plain, bulk, single, engine(RAW_BATCH), syncedInFlight, protocolOnly];
  // The CPU each run takes, the cloud's and this process's (the engine, or the raw loop's client):
  // on a two-core machine they share the cores, where a real device and cloud never do.
  const meter: CpuMeter = () => {
    const tree = processTreeCpuSeconds(cloud.pid);
    if (tree === null) return null;
    const here = process.cpuUsage();
    const byName = Object.fromEntries(Object.entries(tree.byName).map(([name, seconds]) => [name, seconds * 1000]));
    return { cloudMs: tree.seconds * 1000, hereMs: (here.user + here.system) / 1000, cloudByName: byName };
  };
  const [engineSamples, plainSamples, bulkSamples, singleSamples, engineLargeSamples, syncedSamples, protocolSamples] = await compare('upload', reps, variants as Variant<never>[], meter);
  const perRows = (ms: number): string => ((ms * 1000) / n).toFixed(1);
  const perThousand = (samples: Samples | undefined, who: string): string => {
    if (samples?.cpu === undefined) return '';
    const parts = Object.entries(samples.cpu.cloudByName ?? {})
      .filter(([, ms]) => ms > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([name, ms]) => `${name} ${perRows(ms)}`);
    return `; CPU per 1,000 rows: cloud ${perRows(samples.cpu.cloudMs)} ms${parts.length === 0 ? '' : ` (${parts.join(', ')})`}, ${who} ${perRows(samples.cpu.hereMs)} ms`;
  };
  const cloudCpuRatio = engineSamples?.cpu !== undefined && plainSamples?.cpu !== undefined ? plainSamples.cpu.cloudMs / engineSamples.cpu.cloudMs : undefined;
  const syncedRow = row({ case: 'upload', variant: syncedSamples!.name, rows: n, medianMs: syncedSamples!.median, samplesMs: syncedSamples!.samples });
  const plainRow = row({
    case: 'upload',
    variant: plainSamples!.name,
    rows: n,
    medianMs: plainSamples!.median,
    samplesMs: plainSamples!.samples,
    note: `no sync columns, triggers or engine indexes; tenant RLS${perThousand(plainSamples, 'client')}`,
  });
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
  const vsPlain = speedRatio(engineRow, plainRow);
  const vsBulk = speedRatio(engineRow, bulkRow);
  const vsSingle = speedRatio(engineRow, measuredSingle);
  const syncedVsPlain = speedRatio(syncedRow, plainRow);
  const protocolRow = row({ case: 'upload', variant: protocolSamples!.name, rows: n, medianMs: protocolSamples!.median, samplesMs: protocolSamples!.samples });
  const protocolVsPlain = speedRatio(protocolRow, plainRow);
  return {
    rows: [
      {
        ...engineRow,
        ratio: { value: vsPlain, against: 'plain-table upsert' },
        note: `${vsBulk.toFixed(2)}× raw upsert; ${vsSingle.toFixed(0)}× one-per-record${perThousand(engineSamples, 'device')}`,
      },
      plainRow,
      bulkRow,
      singleRow,
      {
        ...engineLargeRow,
        ratio: { value: speedRatio(engineLargeRow, bulkRow), against: 'raw upsert' },
        note: `${speedRatio(engineLargeRow, measuredSingle).toFixed(0)}× one-per-record; for reference, not a target`,
      },
      {
        ...syncedRow,
        ratio: { value: syncedVsPlain, against: 'plain-table upsert' },
        note: `the engine's table and rows, upserted by PostgREST itself without the engine${perThousand(syncedSamples, 'client')}`,
      },
      {
        ...protocolRow,
        ratio: { value: protocolVsPlain, against: 'plain-table upsert' },
        note: `the engine's pushes, rows built beforehand: the cloud's part of the gap${perThousand(protocolSamples, 'client')}`,
      },
    ],
    targets: [
      { case: 'upload', target: `engine ≥ 0.8× plain-table upsert, ${PUSHES_IN_FLIGHT} in flight`, measured: `${vsPlain.toFixed(3)}×`, met: vsPlain >= 0.8 },
      { case: 'upload', target: 'engine ≥ 0.8× raw bulk upsert', measured: `${vsBulk.toFixed(3)}×`, met: vsBulk >= 0.8 },
      { case: 'upload', target: 'engine ≥ 50× one request per record', measured: `${vsSingle.toFixed(1)}×`, met: vsSingle >= 50 },
    ],
    notes: [
      `upload: the engine's run includes its health probe, reading the outbox, the pushes (batch size ${DEFAULT_SYNC_OPTIONS.batchSize}, three in flight) and the acks; ` +
        `one-request-per-record timed on ${subset} rows and extrapolated to ${n}. ` +
        `The plain-table limit: the same declared values with id and tenant_id only, into ${PLAIN_UPLOAD_TABLE} (no sync columns, triggers or engine indexes; the tenant policy), ` +
        `supabase-js .upsert() in batches of ${plainBatch}, ${PUSHES_IN_FLIGHT} requests in flight, the device's token. ` +
        `The synced table itself, written the same way without the engine, ran at ${syncedVsPlain.toFixed(2)}× of the plain table (its sync columns, stamp trigger and pull index); ` +
        `the engine's pushes sent by a bare client (no outbox read, no acks) at ${protocolVsPlain.toFixed(2)}×. ` +
        (cloudCpuRatio === undefined
          ? ''
          : `The cloud's CPU per row uploaded by the engine was ${(1 / cloudCpuRatio).toFixed(2)}× the plain table's (a ${cloudCpuRatio.toFixed(2)}× ratio where the cloud alone is the limit); ` +
            'here the device shares the two cores with the cloud, where a real till and its cloud never do (bench/README.md, Why a target is missed).'),
    ],
  };
}
