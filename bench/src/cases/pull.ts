import type { LocalStore, Row } from '@equinox-sync/core';
import type { Statement } from 'better-sqlite3';
import type { SupabaseClient } from '@supabase/supabase-js';
import { SEED_COLUMNS, TABLES, tableOf } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice, type BenchDevice } from '../device.js';
import { compare, progress, type Variant } from '../measure.js';
import { row, speedRatio, type CaseReport } from '../report.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const plugin = TABLES.pull;
const table = tableOf(plugin);
const tenant = 'bench-pull';
/** Rows per raw page, as the engine's default pull page. */
const PAGE = 1000;

interface Prepared {
  readonly device: BenchDevice;
  readonly path: string;
}

async function freshDevice(cloud: BenchCloud, label: string): Promise<Prepared> {
  const path = scratchDb(cloud.scratch, label);
  const device = await openDevice({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token: await cloud.token(tenant) }, { path, plugin, tenant });
  return { device, path };
}

/** The raw loop's target: the same table in the same kind of file, its triggers dropped. */
function dropTriggers(store: LocalStore): void {
  const names = store.database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?`).pluck().all(table) as string[];
  for (const name of names) store.database.exec(`DROP TRIGGER "${name}"`);
}

/**
 * pull: the engine's initial sync of N rows (one run, default page size) against a raw
 * keyset-paginated select (`id > last order by id limit 1000`, as the same device, RLS
 * applying) written into better-sqlite3 in one transaction per page. The cloud is
 * seeded once; every repetition starts from an empty device file.
 */
export async function pullCase(options: { n: number; reps: number; cloud: BenchCloud }): Promise<CaseReport> {
  const { n, reps, cloud } = options;
  progress(`pull: seeding ${n.toLocaleString('en-US')} rows`);
  await cloud.seed(table, tenant, n);

  const engine: Variant<Prepared> = {
    name: 'engine initial sync (eq_pull)',
    prepare: () => freshDevice(cloud, 'pull'),
    async run({ device }) {
      const result = await device.engine.syncNow();
      if (result.error !== null || result.downloaded !== n) throw new Error(`engine pull: ${JSON.stringify(result)}`);
    },
    async cleanup({ device, path }) {
      await device.close();
      removeDb(path);
    },
  };
  const raw: Variant<Prepared & { client: SupabaseClient; insert: Statement<unknown[]> }> = {
    name: `raw keyset select (${PAGE.toLocaleString('en-US')}/page) + insert`,
    async prepare() {
      const prepared = await freshDevice(cloud, 'pull-raw');
      dropTriggers(prepared.device.store);
      const insert = prepared.device.store.database.prepare(
        `INSERT INTO ${table} (${SEED_COLUMNS.join(', ')}) VALUES (${SEED_COLUMNS.map(() => '?').join(', ')})`,
      );
      return { ...prepared, client: await cloud.client(tenant), insert };
    },
    async run({ device, client, insert }) {
      let last: string | null = null;
      let total = 0;
      for (;;) {
        let query = client.from(table).select('*').order('id').limit(PAGE);
        if (last !== null) query = query.gt('id', last);
        const { data, error } = await query;
        if (error) throw new Error(`raw select: ${error.message}`);
        const rows = data as Row[];
        device.store.transaction(() => {
          for (const r of rows) insert.run(...SEED_COLUMNS.map((column) => sqliteValue(r[column])));
        });
        total += rows.length;
        if (rows.length < PAGE) break;
        last = String(rows[rows.length - 1]?.id);
      }
      if (total !== n) throw new Error(`raw pull read ${total} rows, expected ${n}`);
    },
    async cleanup({ device, path }) {
      await device.close();
      removeDb(path);
    },
  };
  const [engineSamples, rawSamples] = await compare('pull', reps, [engine, raw] as Variant<never>[]);
  const engineRow = row({ case: 'pull', variant: engineSamples!.name, rows: n, medianMs: engineSamples!.median, samplesMs: engineSamples!.samples });
  const rawRow = row({ case: 'pull', variant: rawSamples!.name, rows: n, medianMs: rawSamples!.median, samplesMs: rawSamples!.samples });
  const ratio = speedRatio(engineRow, rawRow);
  return {
    rows: [{ ...engineRow, ratio: { value: ratio, against: 'raw select' } }, rawRow],
    targets: [{ case: 'pull', target: 'engine ≥ 0.8× raw paginated pull', measured: `${ratio.toFixed(3)}×`, met: ratio >= 0.8 }],
    notes: ['pull: the engine run includes its health probe and records every row Synced with its server_version; the raw loop only stores rows.'],
  };
}

function sqliteValue(value: unknown): string | number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as string | number | null;
}
