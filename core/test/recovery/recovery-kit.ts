import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { LocalCloud } from '@equinox-sync/local-cloud';
import { definePlugin, type PullCursor, type PushItem, type RecoveryReport, type RemoteHealth, type RemoteStore } from '../../src/index.js';
import { openDevice, uniqueName, uniqueSuffix, withSuperuser, type TestDevice } from '../../src/testing/index.js';

export const NOTES = 'rec_notes';
export const LINKS = 'rec_links';

/**
 * A LastWriteWins table and an append-only chain-like table (links per `chain`, ordered
 * by `position`, uploaded in order by its ordering key). The cloud's guard refuses a link
 * out of order, as the fiscal chain's does, and lets a re-sent one through to `duplicate`.
 */
export const recoveryPlugin = definePlugin({
  name: 'recovery',
  version: '1.0.0',
  tables: [
    { name: NOTES, columns: { body: { type: 'text', nullable: false } }, strategy: 'LastWriteWins' },
    {
      name: LINKS,
      columns: {
        chain: { type: 'text', nullable: false },
        position: { type: 'integer', nullable: false },
        body: { type: 'text', nullable: false },
      },
      strategy: 'LocalWins',
      appendOnly: true,
      orderingKey: ['chain'],
    },
  ],
  serverSql: `create or replace function public.${LINKS}_guard() returns trigger
language plpgsql security definer set search_path = '' as $fn$
declare
  v_last integer;
begin
  if exists (select 1 from public.${LINKS} l where l.tenant_id = new.tenant_id and l.id = new.id) then
    return new;
  end if;
  select max(l.position) into v_last from public.${LINKS} l where l.tenant_id = new.tenant_id and l.chain = new.chain;
  if new.position <> coalesce(v_last, 0) + 1 then
    raise exception 'chain % link %: out of order, expected link %', new.chain, new.position, coalesce(v_last, 0) + 1;
  end if;
  return new;
end
$fn$;
create or replace trigger ${LINKS}_guard before insert on public.${LINKS} for each row execute function public.${LINKS}_guard();`,
});

const workDir = mkdtempSync(join(tmpdir(), 'equinox-recovery-'));

export function cleanWorkDir(): void {
  rmSync(workDir, { recursive: true, force: true });
}

export function newDataDir(): string {
  return mkdtempSync(join(workDir, 'cloud-'));
}

/** A remote whose cloud can be swapped, as a device reconfigured to a restored project would be. */
export class SwitchableRemote implements RemoteStore {
  constructor(public target: RemoteStore) {}
  push(table: string, items: readonly PushItem[]) {
    return this.target.push(table, items);
  }
  pull(table: string, cursor: PullCursor | null, limit: number) {
    return this.target.pull(table, cursor, limit);
  }
  rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T> {
    return this.target.rpc<T>(fn, args);
  }
  health(timeoutMs: number): Promise<RemoteHealth> {
    return this.target.health(timeoutMs);
  }
}

/** A device whose cloud can be swapped (`remote.target`), with the recoveries its engine made. */
export interface RecoveryDevice extends TestDevice {
  readonly remote: SwitchableRemote;
  readonly recoveries: RecoveryReport[];
}

/**
 * The kit's device with the recovery plugin, against `cloud` (this file's own), through a
 * {@link SwitchableRemote}, keeping the recoveries its engine reports. Longer budgets than
 * the kit's: a cloud being restored answers slowly. Closed by the caller.
 */
export async function openRecoveryDevice(cloud: LocalCloud, tenant: string, name: string): Promise<RecoveryDevice> {
  let remote: SwitchableRemote | undefined;
  const device = await openDevice({
    cloud,
    name,
    tenant,
    plugins: [recoveryPlugin],
    path: join(workDir, `${name}-${uniqueSuffix()}.db`),
    timeoutMs: 10_000,
    remote: (real) => (remote = new SwitchableRemote(real)),
    sync: { healthTimeoutMs: 5_000, retry: { baseMs: 20, maxMs: 100, maxAttempts: 5 } },
    closeAfterTest: false,
  });
  const recoveries: RecoveryReport[] = [];
  device.engine.onDidRecover.subscribe((report) => recoveries.push(report));
  return { ...device, remote: remote as SwitchableRemote, recoveries };
}

/** Every row of `table` the cloud holds for `tenant`, as the superuser reads it (`txid` included), in byte-wise id order. */
export async function superuserRows(cloud: LocalCloud, table: string, tenant: string): Promise<Record<string, unknown>[]> {
  return withAdmin(cloud, async (client) => {
    const { rows } = await client.query(`select * from public.${table} where tenant_id = $1 order by id collate "C"`, [tenant]);
    return rows as Record<string, unknown>[];
  });
}

/** The kit's superuser connection, to this file's own cloud. */
export function withAdmin<T>(cloud: LocalCloud, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withSuperuser(fn, cloud);
}

/** What a backup holds: the synced tables' rows, the version sequence and the epoch. */
export interface CloudBackup {
  readonly schema: string;
  readonly sequence: { last_value: string; is_called: boolean };
  readonly epoch: string;
}

const TABLES = [NOTES, LINKS];

/**
 * Takes a backup as a dump would: every row as it is (txid and server_version included),
 * the sequence's value, the epoch row. (pg_dump 15 on this machine cannot read Postgres
 * 18, so the copy is made with SQL.)
 */
export async function backupCloud(cloud: LocalCloud): Promise<CloudBackup> {
  const schema = uniqueName('backup');
  return withAdmin(cloud, async (client) => {
    await client.query('begin isolation level repeatable read');
    await client.query(`create schema ${schema}`);
    for (const table of TABLES) await client.query(`create table ${schema}.${table} as select * from public.${table}`);
    const sequence = (await client.query(`select last_value::text, is_called from equinox.server_version_seq`)).rows[0];
    const epoch = (await client.query(`select epoch from equinox.instance`)).rows[0].epoch as string;
    await client.query('commit');
    return { schema, sequence, epoch };
  });
}

/**
 * Puts a backup back as a restore would: the tables' rows replaced by the backup's (user
 * triggers off, as pg_restore loads data before it creates triggers, then set back as
 * they were), the sequence and the epoch as they were at the backup.
 */
export async function restoreCloud(cloud: LocalCloud, backup: CloudBackup): Promise<void> {
  await withAdmin(cloud, async (client) => {
    await client.query('begin');
    for (const table of TABLES) {
      const triggers = (
        await client.query(
          `select tgname, tgenabled from pg_trigger where tgrelid = $1::regclass and not tgisinternal and tgenabled <> 'D'`,
          [`public.${table}`],
        )
      ).rows as { tgname: string; tgenabled: string }[];
      await client.query(`alter table public.${table} disable trigger user`);
      await client.query(`delete from public.${table}`);
      await client.query(`insert into public.${table} overriding system value select * from ${backup.schema}.${table}`);
      for (const { tgname, tgenabled } of triggers) {
        const mode = tgenabled === 'A' ? 'enable always' : tgenabled === 'R' ? 'enable replica' : 'enable';
        await client.query(`alter table public.${table} ${mode} trigger "${tgname}"`);
      }
    }
    await client.query(`select setval('equinox.server_version_seq', $1::bigint, $2)`, [backup.sequence.last_value, backup.sequence.is_called]);
    await client.query(`update equinox.instance set epoch = $1`, [backup.epoch]);
    await client.query('commit');
  });
}

/** Wipes the cloud as a lost database would be: everything of equinox gone, then the migration applied again. */
export async function wipeCloud(cloud: LocalCloud, migration: string): Promise<void> {
  await withAdmin(cloud, async (client) => {
    await client.query(`drop table if exists ${TABLES.map((table) => `public.${table}`).join(', ')} cascade`);
    await client.query(`drop function if exists public.${LINKS}_guard() cascade`);
    await client.query(`drop schema if exists equinox cascade`);
  });
  await cloud.applySql(migration);
}

/** Spends transaction ids, so this cluster's txids run well ahead of a fresh one's. */
export async function spendTransactionIds(cloud: LocalCloud, count: number): Promise<void> {
  await withAdmin(cloud, (client) =>
    client.query(`do $$ begin for i in 1..${count} loop perform pg_current_xact_id(); commit; end loop; end $$`),
  );
}

/**
 * Restores `from`'s current state into another cluster, as a dump restored into a new
 * project would be: rows with the txids of the old cluster, the sequence, the epoch;
 * then the migration applied again, as the restore instructions say (it re-stamps the
 * rows whose txids lie in the new cluster's future).
 */
export async function restoreIntoOtherCluster(from: LocalCloud, to: LocalCloud, migration: string): Promise<void> {
  const dump = await withAdmin(from, async (client) => {
    await client.query('begin isolation level repeatable read');
    const tables: Record<string, unknown> = {};
    for (const table of TABLES) tables[table] = (await client.query(`select coalesce(json_agg(t), '[]') as rows from public.${table} t`)).rows[0].rows;
    const sequence = (await client.query(`select last_value::text, is_called from equinox.server_version_seq`)).rows[0];
    const epoch = (await client.query(`select epoch from equinox.instance`)).rows[0].epoch as string;
    await client.query('commit');
    return { tables, sequence, epoch };
  });
  await to.applySql(migration);
  await withAdmin(to, async (client) => {
    await client.query('begin');
    for (const table of TABLES) {
      await client.query(`alter table public.${table} disable trigger user`);
      await client.query(`insert into public.${table} select * from json_populate_recordset(null::public.${table}, $1::json)`, [JSON.stringify(dump.tables[table])]);
      await client.query(`alter table public.${table} enable trigger user`);
    }
    await client.query(`select setval('equinox.server_version_seq', $1::bigint, $2)`, [dump.sequence.last_value, dump.sequence.is_called]);
    await client.query(`update equinox.instance set epoch = $1`, [dump.epoch]);
    await client.query('commit');
  });
  // Enabling every user trigger above lost ENABLE ALWAYS; the migration sets it again, and re-stamps.
  await to.applySql(migration);
}
