import { definePlugin, type PluginDefinition, type Row } from '@equinox-sync/core';

/** The columns of every bench table: a typical back-office row of about 150 bytes. */
const COLUMNS = {
  sku: { type: 'text', nullable: false },
  name: { type: 'text' },
  qty: { type: 'integer', nullable: false, default: 0 },
  price: { type: 'real' },
  active: { type: 'boolean', nullable: false, default: true },
  note: { type: 'text' },
} as const;

/** Names of the declared columns, in declaration order. */
export const DATA_COLUMNS = Object.keys(COLUMNS);

/**
 * One plugin (and one table) per case, so a device opened for one case syncs only its
 * own table: a run of another case never adds requests or rows to it.
 */
function benchPlugin(table: string, direction: 'both' | 'upload-only'): PluginDefinition {
  return definePlugin({
    name: table,
    version: '1.0.0',
    tables: [{ name: table, columns: COLUMNS, strategy: 'LastWriteWins', direction }],
  });
}

export const TABLES = {
  detect: benchPlugin('bench_detect', 'both'),
  // Upload-only: the run that uploads does not pull the rows back, so it times the upload alone.
  upload: benchPlugin('bench_upload', 'upload-only'),
  pull: benchPlugin('bench_pull', 'both'),
  noop: benchPlugin('bench_noop', 'both'),
  scale: benchPlugin('bench_scale', 'both'),
  live: benchPlugin('bench_live', 'both'),
  // The fleet case's stalled-transaction table: tenant A holds a write open on it, tenant B pulls it.
  stall: benchPlugin('bench_fleet_stall', 'both'),
} as const;

export function tableOf(plugin: PluginDefinition): string {
  return (plugin.tables[0] as { name: string }).name;
}

/** The declared columns of row `i`: the same values whichever loop writes them. */
export function dataRow(i: number): Row {
  return {
    sku: `SKU-${String(i).padStart(8, '0')}`,
    name: `Bench item number ${i}`,
    qty: i % 100,
    price: (i % 1000) / 10 + 0.99,
    active: i % 2 === 0,
    note: 'a bench row with a short note',
  };
}

/**
 * The same rows as SQL over `generate_series(first, last) as g`, for seeding the cloud as
 * the superuser (the cloud's stamp trigger still gives every row its server_version and
 * txid). Ids are Postgres 18's `uuidv7()`, updated_at an HLC of device "seed".
 */
export function seedSelectSql(tenant: string): string {
  const wall = Date.now();
  return `select uuidv7()::text, '${tenant.replace(/'/g, "''")}', lpad((${wall} + g / 1000)::text, 13, '0') || '-' || lpad((g % 1000)::text, 6, '0') || '-seed',
         false, 'SKU-' || lpad(g::text, 8, '0'), 'Bench item number ' || g, g % 100, (g % 1000) / 10.0 + 0.99, g % 2 = 0,
         'a bench row with a short note'`;
}

export const SEED_COLUMNS = ['id', 'tenant_id', 'updated_at', 'deleted', ...DATA_COLUMNS];
