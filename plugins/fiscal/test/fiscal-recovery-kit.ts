import type pg from 'pg';
import type { LocalCloud } from '@equinox-sync/local-cloud';
import { uniqueName, withSuperuser } from '@equinox-sync/core/testing';

// The backup, restore and wipe of core/test/recovery/recovery-kit.ts over every table the
// built-in plugins' migration creates (that kit names its own two tables).

/** The schemas the migration fills with data: `public` and the plugins' own (`equinox` itself is handled apart). */
const DATA_SCHEMAS = `n.nspname = 'public' or n.nspname like 'equinox\\_%'`;

/** Every data table of the migration, as `schema.table`, in a stable order. */
async function dataTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and (${DATA_SCHEMAS}) order by 1`,
  );
  return (rows as { name: string }[]).map((row) => row.name);
}

/** What a backup holds: every data table's rows, the version sequence and the epoch. */
export interface CloudBackup {
  readonly schema: string;
  readonly tables: readonly string[];
  readonly sequence: { last_value: string; is_called: boolean };
  readonly epoch: string;
}

/**
 * Takes a backup as a dump would: every row as it is (txid, server_version, the
 * registered installation keys included), the sequence's value and the epoch, in one
 * snapshot. (No pg_dump here can read the embedded Postgres 18, so the copy is made with SQL.)
 */
export async function backupCloud(cloud: LocalCloud): Promise<CloudBackup> {
  const schema = uniqueName('backup');
  return withSuperuser(async (client) => {
    await client.query('begin isolation level repeatable read');
    const tables = await dataTables(client);
    await client.query(`create schema ${schema}`);
    for (const [index, table] of tables.entries()) await client.query(`create table ${schema}.t${index} as select * from ${table}`);
    const sequence = (await client.query(`select last_value::text, is_called from equinox.server_version_seq`)).rows[0];
    const epoch = (await client.query(`select epoch from equinox.instance`)).rows[0].epoch as string;
    await client.query('commit');
    return { schema, tables, sequence, epoch };
  }, cloud);
}

/**
 * Puts a backup back as a restore would: each table's rows replaced by the backup's (user
 * triggers off, as pg_restore loads data before it creates triggers, then set back as they
 * were), the sequence and the epoch as they were at the backup.
 */
export async function restoreCloud(cloud: LocalCloud, backup: CloudBackup): Promise<void> {
  await withSuperuser(async (client) => {
    await client.query('begin');
    for (const [index, table] of backup.tables.entries()) {
      const triggers = (
        await client.query(`select tgname, tgenabled from pg_trigger where tgrelid = $1::regclass and not tgisinternal and tgenabled <> 'D'`, [table])
      ).rows as { tgname: string; tgenabled: string }[];
      await client.query(`alter table ${table} disable trigger user`);
      await client.query(`delete from ${table}`);
      // As pg_restore does: identity columns take the dumped values.
      await client.query(`insert into ${table} overriding system value select * from ${backup.schema}.t${index}`);
      for (const { tgname, tgenabled } of triggers) {
        const mode = tgenabled === 'A' ? 'enable always' : tgenabled === 'R' ? 'enable replica' : 'enable';
        await client.query(`alter table ${table} ${mode} trigger "${tgname}"`);
      }
    }
    await client.query(`select setval('equinox.server_version_seq', $1::bigint, $2)`, [backup.sequence.last_value, backup.sequence.is_called]);
    await client.query(`update equinox.instance set epoch = $1`, [backup.epoch]);
    await client.query('commit');
  }, cloud);
}

/**
 * Wipes the cloud as a lost database would be: every table of the migration, its schemas
 * and the plugins' (keys table and trigger functions included) gone, then the migration
 * applied again on the empty database.
 */
export async function wipeCloud(cloud: LocalCloud, migration: string): Promise<void> {
  await withSuperuser(async (client) => {
    const tables = (await dataTables(client)).filter((table) => table.startsWith('public.'));
    if (tables.length > 0) await client.query(`drop table if exists ${tables.join(', ')} cascade`);
    const { rows } = await client.query(`select format('%I', nspname) as name from pg_namespace where nspname = 'equinox' or nspname like 'equinox\\_%'`);
    for (const { name } of rows as { name: string }[]) await client.query(`drop schema ${name} cascade`);
  }, cloud);
  await cloud.applySql(migration);
}

/** The tenant's invoices in the cloud as the superuser reads them (no RLS): id, chain and position. */
export async function cloudInvoices(cloud: LocalCloud, tenant: string): Promise<{ id: string; installation_id: string; chain_index: number; record_kind: string }[]> {
  return withSuperuser(async (client) => {
    const { rows } = await client.query(
      `select id, installation_id, chain_index::int as chain_index, record_kind from public.invoices where tenant_id = $1 order by installation_id, chain_index`,
      [tenant],
    );
    return rows as { id: string; installation_id: string; chain_index: number; record_kind: string }[];
  }, cloud);
}

/** The tenant's registered installation keys, by installation. */
export async function registeredKeys(cloud: LocalCloud, tenant: string): Promise<Record<string, string>> {
  return withSuperuser(async (client) => {
    const { rows } = await client.query(`select installation_id, public_key from public.fiscal_installation_keys where tenant_id = $1`, [tenant]);
    return Object.fromEntries((rows as { installation_id: string; public_key: string }[]).map((row) => [row.installation_id, row.public_key]));
  }, cloud);
}
