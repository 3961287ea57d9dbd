import { performance } from 'node:perf_hooks';
import { definePlugin, SupabaseRemote, type ColumnDeclaration, type PluginDefinition, type SyncRunResult } from '@equinox-sync/core';
import { createHost } from '@equinox-sync/host';
import { fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import type { BenchCloud } from '../cloud-fixture.js';
import { openDevice } from '../device.js';
import { progress } from '../measure.js';
import { removeDb, scratchDb } from '../scratch-files.js';

/** The shop chain whose tills have issued the invoices a new till must not download. */
export const CHAIN_TENANT = 'fleet-chain';
const INVOICES = 'invoices';
/** The same table declared tenant-wide (no pull scope): what every till pulled before scopes. */
export const WIDE_TABLE = 'bench_fleet_invoices';

const invoices = fiscalPlugin.tables.find((table) => table.name === INVOICES);
if (invoices === undefined) throw new Error('the fiscal plugin declares no invoices table');

/**
 * The fiscal invoices table under another name, every column, index and rule of it but
 * its pull scope: a device pulls all of its tenant's rows of it.
 */
export const WIDE_PLUGIN: PluginDefinition = definePlugin({
  name: 'bench_fleet_wide',
  version: '1.0.0',
  tables: [
    {
      name: WIDE_TABLE,
      columns: Object.fromEntries(
        invoices.columns.map((column) => {
          const declared: ColumnDeclaration = { type: column.type, nullable: column.nullable, ...(column.default === undefined || column.default === null ? {} : { default: column.default }) };
          return [column.name, declared];
        }),
      ),
      indexes: invoices.indexes.map((index) => ({ columns: [...index.columns], unique: index.unique })),
      strategy: invoices.strategy,
      appendOnly: invoices.appendOnly,
      orderingKey: [...invoices.orderingKey],
    },
  ],
});

/** Whether the cloud's invoices declaration carries a pull scope in this build (the figure says which build ran). */
export const INVOICES_SCOPE: string = invoices.pullScope === undefined ? 'none' : `${invoices.pullScope.column} = claim ${invoices.pullScope.claim}`;

const COLUMNS = [
  'id', 'tenant_id', 'updated_at', 'deleted', 'issuer_tax_id', 'installation_id', 'series', 'number', 'invoice_type', 'issue_date',
  'tax_total', 'gross_total', 'currency', 'record_kind', 'chain_index', 'prev_hash', 'hash', 'preimage', 'generated_at',
];

/** Till `t`'s invoices 1..n as SQL: valid-looking links (hash of the link before as prev_hash), not real huellas or signatures. */
function invoicesSql(table: string, tills: number, perTill: number): string {
  const wall = Date.now();
  const hash = (till: string, n: string): string => `upper(encode(sha256(convert_to('${CHAIN_TENANT}/' || ${till} || '/' || ${n}, 'UTF8')), 'hex'))`;
  return `insert into public.${table} (${COLUMNS.join(', ')})
    select uuidv7()::text, '${CHAIN_TENANT}', lpad((${wall} + g.n / 1000)::text, 13, '0') || '-' || lpad((g.n % 1000)::text, 6, '0') || '-seed', false,
           'B00000001', 'chain-till-' || t.t, 'T' || t.t || '-', g.n, 'F2', '2026-01-15', '1.05', '6.05', 'EUR', 'issue', g.n,
           case when g.n = 1 then '' else ${hash('t.t', '(g.n - 1)')} end, ${hash('t.t', 'g.n')},
           'IDEmisorFactura=B00000001&NumSerieFactura=T' || t.t || '-' || g.n, '2026-01-15T10:00:00+01:00'
      from generate_series(1, ${tills}) as t(t) cross join generate_series(1, ${perTill}) as g(n)`;
}

/**
 * Seeds `tills` × `perTill` invoices of the chain tenant in the fiscal invoices table
 * and the same rows in the tenant-wide copy, as the superuser. The fiscal chain guard
 * (huella, signature and link checks) is switched off for the seeding and on again: a
 * real huella and Ed25519 signature per row through the fiscal API would take minutes.
 * The engine's own triggers (server_version stamps) stay on, so every row pulls as any
 * other.
 */
export async function seedChain(cloud: BenchCloud, tills: number, perTill: number): Promise<void> {
  const guards = await cloud.query<{ tgname: string }>(
    `select tgname from pg_trigger where tgrelid = 'public.${INVOICES}'::regclass and not tgisinternal and tgname not like '\\_eq\\_%'`,
  );
  const names = guards.map((guard) => `"${guard.tgname}"`);
  progress(`fleet: seeding ${(tills * perTill).toLocaleString('en-US')} invoices (${tills} tills × ${perTill.toLocaleString('en-US')}), guard triggers off: ${names.join(', ') || 'none'}`);
  for (const name of names) await cloud.query(`alter table public.${INVOICES} disable trigger ${name}`);
  try {
    await cloud.query(invoicesSql(INVOICES, tills, perTill));
  } finally {
    for (const name of names) await cloud.query(`alter table public.${INVOICES} enable trigger ${name}`);
  }
  await cloud.query(invoicesSql(WIDE_TABLE, tills, perTill));
  await cloud.query(`vacuum analyze public.${INVOICES}`);
  await cloud.query(`vacuum analyze public.${WIDE_TABLE}`);
}

/** One initial sync into an empty file: rows it pulled (and set aside), how long it took. */
export interface InitialSync {
  readonly label: string;
  readonly ms: number;
  readonly downloaded: number;
  readonly quarantined: number;
  readonly error: string | null;
}

function outcome(label: string, ms: number, result: SyncRunResult): InitialSync {
  return { label, ms, downloaded: result.downloaded, quarantined: result.quarantined, error: result.error };
}

/**
 * A till of the chain tenant on a new file, as the host builds it (fiscal and inventory),
 * syncing once: `deviceId` new (no invoices of its own) or one of the seeded tills
 * (restored onto a new machine: it needs its own chain back).
 */
export async function tillInitialSync(cloud: BenchCloud, deviceId: string, label: string): Promise<InitialSync> {
  const path = scratchDb(cloud.scratch, `chain-${deviceId}`);
  const token = await cloud.tokenWith({ tenant_id: CHAIN_TENANT, device_id: deviceId });
  const remote = new SupabaseRemote({ url: cloud.cloud.url, key: cloud.cloud.anonKey, accessToken: token }, { timeoutMs: 120_000 });
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const host = await createHost({
    config: { tenantId: CHAIN_TENANT, deviceId, dbPath: path, supabase: { url: cloud.cloud.url, key: cloud.cloud.anonKey, accessToken: token }, builtins: { settings: false } },
    remote,
    logger: silent,
  });
  try {
    const started = performance.now();
    const result = await host.syncNow();
    return outcome(label, performance.now() - started, result);
  } finally {
    await host.dispose();
    removeDb(path);
  }
}

/** A device holding only the tenant-wide copy of the invoices: the same rows, no scope. */
export async function wideInitialSync(cloud: BenchCloud, deviceId: string, label: string): Promise<InitialSync> {
  const path = scratchDb(cloud.scratch, 'chain-wide');
  const token = await cloud.tokenWith({ tenant_id: CHAIN_TENANT, device_id: deviceId });
  const device = await openDevice({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token }, { path, plugin: WIDE_PLUGIN, tenant: CHAIN_TENANT, deviceId });
  try {
    const started = performance.now();
    const result = await device.engine.syncNow();
    return outcome(label, performance.now() - started, result);
  } finally {
    await device.close();
    removeDb(path);
  }
}
