import { definePlugin, type PluginDefinition, type Row, type TableDefinition } from '@equinox-sync/core';
import { POSTGRES_TYPES, PRIVATE_SCHEMA } from '@equinox-sync/core/server';

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

/** The upload case's plain table: the upload table's declared columns, without sync. */
export const PLAIN_UPLOAD_TABLE = 'bench_upload_plain';

/**
 * A plain cloud table of `plugin`'s first table's declared columns plus `id` and
 * `tenant_id` as the key: what an app without sync would upsert into. No `updated_at`,
 * `deleted`, `server_version` or `txid`, no triggers, no index but the key. Row-level
 * security as a device meets it: grants to `authenticated` and a tenant policy on the
 * token's tenant claim, the same expression the engine's tables use (a device token
 * writes it through PostgREST). Run as the schema's owner; idempotent.
 */
export function plainTableSql(plugin: PluginDefinition, name: string): string {
  const declared = (plugin.tables[0] as TableDefinition).columns.map((column) => {
    const type = POSTGRES_TYPES[column.type];
    const parts = [`"${column.name}"`, type];
    if (!column.nullable) parts.push('not null');
    if (column.default !== undefined && column.default !== null) parts.push(`default '${String(column.default).replace(/'/g, "''")}'::${type}`);
    return `  ${parts.join(' ')}`;
  });
  const tenant = `tenant_id = (select ${PRIVATE_SCHEMA}.jwt_tenant())`;
  return `drop table if exists public.${name};
create table public.${name} (
  id text not null,
  tenant_id text not null,
${declared.join(',\n')},
  primary key (tenant_id, id)
);
alter table public.${name} enable row level security;
revoke all on table public.${name} from public, anon, authenticated;
grant select, insert, update on table public.${name} to authenticated;
create policy plain_select on public.${name} for select to authenticated using (${tenant});
create policy plain_insert on public.${name} for insert to authenticated with check (${tenant});
create policy plain_update on public.${name} for update to authenticated using (${tenant}) with check (${tenant});`;
}

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
