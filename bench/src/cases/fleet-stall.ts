import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { dataRow, SEED_COLUMNS, seedSelectSql, TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice, type BenchDevice } from '../device.js';
import { progress } from '../measure.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const plugin = TABLES.stall;
const table = tableOf(plugin);
const TENANT_A = 'fleet-stall-a';
const TENANT_B = 'fleet-stall-b';
/** A sample that has not seen its row after this long is cut off (and counts as this long). */
const GIVE_UP_MS = 30_000;

/** Latencies of tenant B's pulls, in ms: each from the moment B's writer has pushed a row until B's other device holds it. */
export interface StallSamples {
  readonly without: number[];
  readonly during: number[];
  /** How long tenant A's transaction was open, in ms. */
  readonly heldMs: number;
}

/** B's writer pushes one row; B's reader syncs until it holds it. Returns the wait. */
async function sample(writer: BenchDevice, reader: BenchDevice): Promise<number> {
  const row = writer.store.forPlugin(plugin.name).insert(table, dataRow(Math.floor(Math.random() * 1e9)));
  const pushed = await writer.engine.syncNow();
  if (pushed.error !== null || pushed.uploaded !== 1) throw new Error(`fleet stall: B's writer did not push its row: ${JSON.stringify(pushed)}`);
  const lookup = reader.store.database.prepare(`SELECT 1 FROM ${table} WHERE id = ?`);
  const started = performance.now();
  for (;;) {
    const result = await reader.engine.syncNow();
    if (result.error !== null) throw new Error(`fleet stall: B's reader failed: ${result.error}`);
    if (lookup.get(row.id) !== undefined) return performance.now() - started;
    if (performance.now() - started > GIVE_UP_MS) return GIVE_UP_MS;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Tenant B's pull latency without, then while, tenant A holds a write transaction open
 * for `holdSeconds`: a pg connection acting as A's device (role `authenticated`, A's
 * claims, row-level security on) inserts a row of the same synced table and waits
 * before committing. B samples back to back from the moment A's insert is in; every
 * sample started while A's transaction is open counts.
 */
export async function measureStall(cloud: BenchCloud, holdSeconds: number, baselineSamples: number): Promise<StallSamples> {
  const target = async (tenant: string, device: string) => ({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token: await cloud.tokenWith({ tenant_id: tenant, device_id: device }) });
  const writerPath = scratchDb(cloud.scratch, 'stall-writer');
  const readerPath = scratchDb(cloud.scratch, 'stall-reader');
  const writer = await openDevice(await target(TENANT_B, 'stall-b-1'), { path: writerPath, plugin, tenant: TENANT_B, deviceId: 'stall-b-1' });
  const reader = await openDevice(await target(TENANT_B, 'stall-b-2'), { path: readerPath, plugin, tenant: TENANT_B, deviceId: 'stall-b-2' });
  const holder = new pg.Client({ connectionString: cloud.cloud.pgUrl });
  await holder.connect();
  try {
    for (const device of [writer, reader]) await device.engine.syncNow();
    await sample(writer, reader); // warm-up
    const without: number[] = [];
    for (let i = 0; i < baselineSamples; i += 1) without.push(await sample(writer, reader));
    progress(`fleet: tenant B's pull without an open transaction: ${without.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    await holder.query('begin');
    await holder.query('set local role authenticated');
    await holder.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', tenant_id: TENANT_A, device_id: 'stall-a-1' })]);
    await holder.query(`insert into public.${table} (${SEED_COLUMNS.join(', ')}) ${seedSelectSql(TENANT_A)} from generate_series(1, 1) as g`);
    const opened = performance.now();
    progress(`fleet: tenant A holds a write transaction on ${table} open for ${holdSeconds} s`);
    // A's commit comes on its own timer: a pull that waits for it must not hold it back.
    let open = true;
    let heldMs = 0;
    const committed = new Promise((resolve) => setTimeout(resolve, holdSeconds * 1000)).then(async () => {
      await holder.query('commit');
      heldMs = performance.now() - opened;
      open = false;
    });
    const during: number[] = [];
    while (open) during.push(await sample(writer, reader));
    await committed;
    progress(`fleet: tenant B's pull while A's transaction was open (${(heldMs / 1000).toFixed(1)} s): ${during.length} samples, worst ${Math.max(...during).toFixed(0)} ms`);
    return { without, during, heldMs };
  } finally {
    await holder.query('rollback').catch(() => undefined);
    await holder.end().catch(() => undefined);
    await writer.close();
    await reader.close();
    removeDb(writerPath);
    removeDb(readerPath);
  }
}
