import { readFileSync } from 'node:fs';
import { compileServerSchema } from '@equinox-sync/core';
import { cloudDatabase, eventually, uniqueName } from '@equinox-sync/core/testing';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { INVENTORY_SCHEMA, inventoryPlugin } from '../src/index.js';
import { masterAggregationSql } from '../src/cloud/master-aggregation-sql.js';
import { FOLD_EVERY } from '../src/cloud/master-fold-sql.js';

const cloud = inject('cloud');
const db = cloudDatabase();
const s = INVENTORY_SCHEMA;

/** The plugin's cloud SQL as released while its trigger updated the master's rows in place. */
const HOT_MASTER_SQL = readFileSync(new URL('./fixtures/inventory-sql-hot-master.sql', import.meta.url), 'utf8');

const INSERT = `insert into public.stock_movements (id, tenant_id, updated_at, product_id, sku, delta, reason, occurred_at)
  select gen_random_uuid()::text, $1, '0000000000001-000000-x', 'p', sku, $3, 'purchase', now() from unnest($2::text[]) as sku`;

/**
 * Runs `body` with connections (as the owner, as migrations run) to a database of its own
 * holding what Supabase provides (`auth.jwt()`) and core's tables, with the inventory's
 * SQL as the release before the delta log left it; the database is dropped afterwards.
 */
async function withHotMasterCloud(body: (connect: () => Promise<pg.Client>) => Promise<void>): Promise<void> {
  const name = uniqueName('inv_upgrade');
  await db.query(`create database ${name}`);
  const url = new URL(cloud.pgUrl);
  url.pathname = `/${name}`;
  const clients: pg.Client[] = [];
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    clients.push(client);
    return client;
  };
  try {
    const first = await connect();
    await first.query(`create schema auth;
create function auth.jwt() returns jsonb language sql stable as $fn$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $fn$;`);
    await first.query(compileServerSchema([{ ...inventoryPlugin, serverSql: HOT_MASTER_SQL }]));
    await body(connect);
  } finally {
    for (const client of clients) await client.end();
    await db.query(`drop database ${name} with (force)`);
  }
}

/** Per SKU, the master's totals and the same aggregated from the movements, from one snapshot. */
async function masterAndNaive(client: pg.Client, view = `${s}.master_levels`): Promise<{ kept: unknown; naive: unknown }> {
  const { rows } = await client.query(
    `select (select coalesce(jsonb_agg(k order by k.sku), '[]') from (select sku, quantity, tenants from ${view} where tenants > 0 or quantity <> 0) k) as kept,
            (select coalesce(jsonb_agg(n order by n.sku), '[]') from (
               select sku, sum(quantity) as quantity, (count(*) filter (where quantity <> 0))::integer as tenants
                 from (select tenant_id, sku, sum(delta) as quantity from public.stock_movements where not deleted group by 1, 2) t
                group by sku) n where n.tenants > 0 or n.quantity <> 0) as naive`,
  );
  return rows[0] as { kept: unknown; naive: unknown };
}

/** Waits until backend `pid` waits on a lock. */
async function awaitLockWait(client: pg.Client, pid: number): Promise<void> {
  const waits = async (): Promise<boolean> => {
    const { rows } = await client.query(`select wait_event_type from pg_catalog.pg_stat_activity where pid = $1`, [pid]);
    return rows[0]?.wait_event_type === 'Lock';
  };
  expect(await eventually(waits, 10_000)).toBe(true);
}

async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return rows[0]?.pid ?? 0;
}

describe('upgrading a cloud whose master was one hot row per SKU', () => {
  it('keeps every total exact across the upgrade, with a push in flight on each side of it', async () => {
    await withHotMasterCloud(async (connect) => {
      const [admin, early, migrator, late] = [await connect(), await connect(), await connect(), await connect()];
      await admin.query(INSERT, ['t1', ['A', 'B'], 5]);
      await admin.query(INSERT, ['t2', ['A'], 4]);
      await admin.query(INSERT, ['t2', ['A'], -4]); // t2 no longer holds A
      expect((await masterAndNaive(admin, `${s}.master_inventory`)).kept).toEqual([
        { sku: 'A', quantity: 5, tenants: 1 },
        { sku: 'B', quantity: 5, tenants: 1 },
      ]);

      // (Asked first: a connection answers its queries in turn.)
      const [migratorPid, latePid] = [await backendPid(migrator), await backendPid(late)];
      // A push counted by the old trigger, still open: it holds A's master row.
      await early.query('begin');
      await early.query(INSERT, ['t3', ['A', 'C'], 2]);
      // The migration waits for it; a push that comes after waits for the migration.
      const migrated = migrator.query(compileServerSchema([inventoryPlugin]));
      await awaitLockWait(admin, migratorPid);
      const lateInsert = late.query(INSERT, ['t2', ['A', 'C'], 1]);
      await awaitLockWait(admin, latePid);
      await early.query('commit');
      await migrated;
      await lateInsert;

      // The early push is in the master's rows, the late one in the delta log: both count once.
      const { rows: logged } = await admin.query(`select sku, quantity::int, tenants from ${s}.master_deltas order by sku`);
      expect(logged).toEqual([
        { sku: 'A', quantity: 1, tenants: 1 },
        { sku: 'C', quantity: 1, tenants: 1 },
      ]);
      const upgraded = await masterAndNaive(admin);
      expect(upgraded.kept).toEqual([
        { sku: 'A', quantity: 8, tenants: 3 },
        { sku: 'B', quantity: 5, tenants: 1 },
        { sku: 'C', quantity: 3, tenants: 2 },
      ]);
      expect(upgraded.kept).toEqual(upgraded.naive);
      // Still only for ordinary sessions: a restore (session_replication_role = replica) does not count twice.
      expect((await admin.query(`select tgenabled from pg_catalog.pg_trigger where tgname = 'inventory_count_movements'`)).rows).toEqual([{ tgenabled: 'O' }]);

      await admin.query(`select ${s}.fold_master(true)`);
      expect(await masterAndNaive(admin, `${s}.master_inventory`)).toEqual(upgraded);
      await migrator.query(compileServerSchema([inventoryPlugin])); // a second run changes no total
      expect(await masterAndNaive(admin)).toEqual(upgraded);
    });
  });

  it(`folds by itself once pushes have logged ${FOLD_EVERY} changes, and not before`, async () => {
    await withHotMasterCloud(async (connect) => {
      const admin = await connect();
      await admin.query(compileServerSchema([inventoryPlugin]));
      const skus = Array.from({ length: 400 }, (_, index) => `SKU-${String(index).padStart(3, '0')}`);
      const pending = async (): Promise<number> => Number((await admin.query(`select count(*) from ${s}.master_deltas`)).rows[0].count);
      await admin.query(INSERT, ['t1', skus, 3]);
      await admin.query(INSERT, ['t2', skus, 2]);
      expect(await pending()).toBe(800);
      await admin.query(INSERT, ['t1', skus, -3]); // rows 801 to 1,200: the fold runs in this statement
      expect(await pending()).toBe(0);
      const folded = await masterAndNaive(admin, `${s}.master_inventory`);
      expect((folded.kept as unknown[]).length).toBe(400);
      expect(folded.kept).toEqual(folded.naive);
      expect((folded.kept as { tenants: number }[]).every((level) => level.tenants === 1)).toBe(true);
    });
  });

  it('turns the aggregation off for a benchmark and back on with exact totals', async () => {
    await withHotMasterCloud(async (connect) => {
      const admin = await connect();
      await admin.query(compileServerSchema([inventoryPlugin]));
      await admin.query(INSERT, ['t1', ['A'], 5]);
      await admin.query(masterAggregationSql(false));
      await admin.query(INSERT, ['t2', ['A', 'B'], 4]);
      expect((await admin.query(`select sku, quantity::int, tenants from ${s}.master_levels order by sku`)).rows).toEqual([{ sku: 'A', quantity: 5, tenants: 1 }]);
      expect((await admin.query('select count(*)::int as n from public.stock_levels')).rows).toEqual([{ n: 1 }]);

      await admin.query(masterAggregationSql(true));
      await admin.query(INSERT, ['t1', ['B'], 1]);
      const { kept, naive } = await masterAndNaive(admin);
      expect(kept).toEqual([
        { sku: 'A', quantity: 9, tenants: 2 },
        { sku: 'B', quantity: 5, tenants: 2 },
      ]);
      expect(kept).toEqual(naive);
      expect((await admin.query('select tenant_id, sku, quantity::int from public.stock_levels order by 1, 2')).rows).toEqual([
        { tenant_id: 't1', sku: 'A', quantity: 5 },
        { tenant_id: 't1', sku: 'B', quantity: 1 },
        { tenant_id: 't2', sku: 'A', quantity: 4 },
        { tenant_id: 't2', sku: 'B', quantity: 4 },
      ]);
    });
  });
});
