import { compileServerSchema } from '@equinox-sync/core';
import { cloudDatabase, cloudRest, deviceToken, installCloudSchema, masterToken, pushRows, uniqueName, uniqueTenant } from '@equinox-sync/core/testing';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { INVENTORY_SCHEMA, inventoryPlugin } from '../src/index.js';
import { movement } from './movement-row.js';

const cloud = inject('cloud');
const db = cloudDatabase();

async function master(sku: string): Promise<{ quantity: number; tenants: number } | undefined> {
  const { rows } = await db.query<{ quantity: string; tenants: number }>(`select quantity, tenants from ${INVENTORY_SCHEMA}.master_levels where sku = $1`, [sku]);
  return rows[0] === undefined ? undefined : { quantity: Number(rows[0].quantity), tenants: rows[0].tenants };
}

async function tenantTotal(tenant: string, sku: string): Promise<number | undefined> {
  const { rows } = await db.query<{ quantity: string }>('select quantity from public.stock_levels where tenant_id = $1 and sku = $2', [tenant, sku]);
  return rows[0] === undefined ? undefined : Number(rows[0].quantity);
}

/**
 * Runs `body` on a database of its own holding what Supabase provides (`auth.jwt()`) and
 * core's tables without the plugin's SQL, as an older version of the plugin left them;
 * the database is dropped afterwards.
 */
async function withOlderCloud(label: string, body: (fresh: pg.Client) => Promise<void>): Promise<void> {
  const name = uniqueName(`inv_${label}`);
  await db.query(`create database ${name}`);
  const url = new URL(cloud.pgUrl);
  url.pathname = `/${name}`;
  const fresh = new pg.Client({ connectionString: url.toString() });
  await fresh.connect();
  try {
    await fresh.query(`create schema auth;
create function auth.jwt() returns jsonb language sql stable as $fn$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $fn$;`);
    await fresh.query(compileServerSchema([{ ...inventoryPlugin, serverSql: '' }]));
    await body(fresh);
  } finally {
    await fresh.end();
    await db.query(`drop database ${name} with (force)`);
  }
}

describe('inventory cloud SQL', () => {
  beforeAll(async () => {
    await installCloudSchema([inventoryPlugin]);
  });

  it('applies twice without error and without changing the totals', async () => {
    const tenant = uniqueTenant('inv-idem');
    const sku = uniqueName('SKU');
    await pushRows('stock_movements', [movement(tenant, sku, 7, 'purchase')], { token: await deviceToken(tenant) });
    await installCloudSchema([inventoryPlugin]);
    expect(await tenantTotal(tenant, sku)).toBe(7);
    expect(await master(sku)).toEqual({ quantity: 7, tenants: 1 });
  });

  it('keeps per-tenant totals and the cross-tenant aggregate on every insert, counting tenants that hold the SKU', async () => {
    const [a, b] = [uniqueTenant('inv-a'), uniqueTenant('inv-b')];
    const [tokenA, tokenB] = [await deviceToken(a), await deviceToken(b)];
    const sku = uniqueName('SKU');

    await pushRows('stock_movements', [movement(a, sku, 5, 'purchase')], { token: tokenA });
    expect(await master(sku)).toEqual({ quantity: 5, tenants: 1 });
    await pushRows('stock_movements', [movement(b, sku, 3, 'purchase')], { token: tokenB });
    expect(await master(sku)).toEqual({ quantity: 8, tenants: 2 });
    await pushRows('stock_movements', [movement(a, sku, -5)], { token: tokenA }); // A sold out: no longer holds it
    expect(await master(sku)).toEqual({ quantity: 3, tenants: 1 });
    await pushRows('stock_movements', [movement(b, sku, -4)], { token: tokenB }); // oversold offline: -1 is still held
    expect(await master(sku)).toEqual({ quantity: -1, tenants: 1 });
    await pushRows('stock_movements', [movement(a, sku, 2, 'purchase')], { token: tokenA });
    expect(await master(sku)).toEqual({ quantity: 1, tenants: 2 });
    expect([await tenantTotal(a, sku), await tenantTotal(b, sku)]).toEqual([2, -1]);
  });

  it('counts one batch of many movements and SKUs once, and a retried batch not again', async () => {
    const tenant = uniqueTenant('inv-batch');
    const token = await deviceToken(tenant);
    const [x, y] = [uniqueName('SKU-X'), uniqueName('SKU-Y')];
    const rows = [movement(tenant, x, 10, 'purchase'), movement(tenant, y, 4, 'purchase'), movement(tenant, x, -3), movement(tenant, y, -4), movement(tenant, x, -1)];
    expect((await pushRows('stock_movements', rows, { token })).map((outcome) => outcome.status)).toEqual(Array(5).fill('applied'));
    expect((await pushRows('stock_movements', rows, { token })).map((outcome) => outcome.status)).toEqual(Array(5).fill('duplicate'));
    expect(await tenantTotal(tenant, x)).toBe(6);
    // +4 and -4 in one batch cancel out before anything is written.
    expect(await tenantTotal(tenant, y)).toBeUndefined();
    expect(await master(x)).toEqual({ quantity: 6, tenants: 1 });
    expect(await master(y)).toBeUndefined();
  });

  it('refuses a zero delta and an unknown reason, row by row', async () => {
    const tenant = uniqueTenant('inv-rules');
    const sku = uniqueName('SKU');
    const rows = [movement(tenant, sku, 0), movement(tenant, sku, -1, 'theft'), movement(tenant, sku, 2, 'count')];
    const outcomes = await pushRows('stock_movements', rows, { token: await deviceToken(tenant) });
    expect(outcomes.map((outcome) => [outcome.status, 'code' in outcome ? outcome.code : undefined])).toEqual([
      ['rejected', '23514'],
      ['rejected', '23514'],
      ['applied', undefined],
    ]);
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: expect.stringContaining('inventory_reason_known') });
    expect(await tenantTotal(tenant, sku)).toBe(2);
  });

  it("lets a tenant read its own totals over REST, and no other tenant's", async () => {
    const [a, b] = [uniqueTenant('inv-rls-a'), uniqueTenant('inv-rls-b')];
    const sku = uniqueName('SKU');
    await pushRows('stock_movements', [movement(a, sku, 9, 'purchase')], { token: await deviceToken(a) });
    await pushRows('stock_movements', [movement(b, sku, 4, 'purchase')], { token: await deviceToken(b) });
    const own = await cloudRest('GET', `stock_levels?sku=eq.${sku}&select=tenant_id,sku,quantity`, { token: await deviceToken(a) });
    expect(own).toMatchObject({ status: 200, body: [{ tenant_id: a, sku, quantity: 9 }] });
    const write = await cloudRest('POST', 'stock_levels', { body: { tenant_id: a, sku, quantity: 1000 }, token: await deviceToken(a) });
    expect(write.status).toBe(403);
  });

  it('answers inventory_master to a master token, 403 to a store token and 401 without a user token', async () => {
    const tenant = uniqueTenant('inv-access');
    const sku = uniqueName('SKU');
    await pushRows('stock_movements', [movement(tenant, sku, 3, 'purchase')], { token: await deviceToken(tenant) });

    const store = await cloudRest('POST', 'rpc/inventory_master', { body: {}, token: await deviceToken(tenant) });
    expect(store.status).toBe(403);
    expect(JSON.stringify(store.body)).toContain('eq_role');
    expect((await cloudRest('POST', 'rpc/inventory_master', { body: {}, token: cloud.anonKey })).status).toBe(401);

    const head = await cloudRest('POST', 'rpc/inventory_master', { body: {}, token: await masterToken(uniqueTenant('hq')) });
    expect(head.status).toBe(200);
    expect(head.body).toContainEqual({ sku, quantity: 3, tenants: 1 });
  });

  it('refuses to update or delete a movement, with a tenant token and with the service key', async () => {
    const tenant = uniqueTenant('inv-append');
    const sku = uniqueName('SKU');
    const row = movement(tenant, sku, 5, 'purchase');
    await pushRows('stock_movements', [row], { token: await deviceToken(tenant) });

    for (const token of [await deviceToken(tenant), cloud.serviceKey]) {
      const patched = await cloudRest('PATCH', `stock_movements?id=eq.${String(row.id)}`, { body: { delta: 500 }, token });
      expect(patched.status).toBeGreaterThanOrEqual(400);
      const deleted = await cloudRest('DELETE', `stock_movements?id=eq.${String(row.id)}`, { token });
      expect(deleted.status).toBeGreaterThanOrEqual(400);
    }
    const { rows } = await db.query('select delta, deleted from public.stock_movements where id = $1', [row.id]);
    expect(rows).toEqual([{ delta: '5', deleted: false }]);
    expect(await tenantTotal(tenant, sku)).toBe(5);
  });

  it('stays exact under concurrent batches of several tenants touching the same SKUs in opposite orders', async () => {
    const tenants = [uniqueTenant('inv-race-1'), uniqueTenant('inv-race-2'), uniqueTenant('inv-race-3')];
    const [x, y] = [uniqueName('SKU-X'), uniqueName('SKU-Y')];
    const pushes = await Promise.all(
      tenants.flatMap((tenant) =>
        [0, 1, 2, 3].map(async (round) => {
          const rows = round % 2 === 0 ? [movement(tenant, x, 2, 'purchase'), movement(tenant, y, 3, 'purchase')] : [movement(tenant, y, 3, 'purchase'), movement(tenant, x, 2, 'purchase')];
          return pushRows('stock_movements', rows, { token: await deviceToken(tenant) });
        }),
      ),
    );
    expect(pushes.flat().map((outcome) => outcome.status)).toEqual(Array(24).fill('applied'));
    expect(await master(x)).toEqual({ quantity: 24, tenants: 3 });
    expect(await master(y)).toEqual({ quantity: 36, tenants: 3 });
  });

  it('turns the bigint totals of an earlier version into numeric in place, keeping them, once', async () => {
    await withOlderCloud('numeric', async (fresh) => {
      // What an earlier version left: bigint totals and a function returning them.
      await fresh.query(`create schema ${INVENTORY_SCHEMA};
create table public.stock_levels (tenant_id text not null, sku text not null, quantity bigint not null, primary key (tenant_id, sku));
create table ${INVENTORY_SCHEMA}.master_inventory (sku text primary key, quantity bigint not null, tenants integer not null);
insert into public.stock_levels values ('t1', 'A', 9000000000000000000);
insert into ${INVENTORY_SCHEMA}.master_inventory values ('A', 9000000000000000000, 1);
create function public.inventory_master() returns table (sku text, quantity bigint, tenants integer) language sql as $fn$ select 'A', 1::bigint, 1 $fn$;`);

      await fresh.query(compileServerSchema([inventoryPlugin]));
      const types = `select a.attrelid::regclass::text as relation, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
        where a.attrelid in ('public.stock_levels'::regclass, '${INVENTORY_SCHEMA}.master_inventory'::regclass) and a.attname = 'quantity' order by 1`;
      // The old function, cut at 1,000 rows by the API, is gone: one paged function answering one value is left.
      const result = `select p.oid::regprocedure::text as signature, pg_get_function_result(p.oid) as result
        from pg_proc p where p.proname = 'inventory_master' and p.pronamespace = 'public'::regnamespace`;
      expect((await fresh.query(types)).rows).toEqual([
        { relation: `${INVENTORY_SCHEMA}.master_inventory`, type: 'numeric' },
        { relation: 'stock_levels', type: 'numeric' },
      ]);
      expect((await fresh.query(result)).rows).toEqual([{ signature: 'inventory_master(text,integer)', result: 'jsonb' }]);
      const catalog = `select c.oid, c.relfilenode from pg_class c where c.oid in ('public.stock_levels'::regclass, '${INVENTORY_SCHEMA}.master_inventory'::regclass)
        union all select p.oid, 0 from pg_proc p where p.oid = 'public.inventory_master(text, integer)'::regprocedure order by 1`;
      const before = (await fresh.query(catalog)).rows;
      await fresh.query(compileServerSchema([inventoryPlugin])); // a second run rewrites nothing, drops nothing
      expect((await fresh.query(catalog)).rows).toEqual(before);

      // A total past a bigint takes the next movement.
      await fresh.query(`insert into public.stock_movements (id, tenant_id, updated_at, product_id, sku, delta, reason, occurred_at)
        values ('m1', 't1', '0000000000001-000000-x', 'p', 'A', 1000000000, 'purchase', now())`);
      await fresh.query(`update public.stock_levels set quantity = quantity * 10`);
      await fresh.query(`insert into public.stock_movements (id, tenant_id, updated_at, product_id, sku, delta, reason, occurred_at)
        values ('m2', 't2', '0000000000001-000000-x', 'p', 'A', 1, 'purchase', now())`);
      expect((await fresh.query('select tenant_id, quantity::text from public.stock_levels order by 1')).rows).toEqual([
        { tenant_id: 't1', quantity: '90000000010000000000' },
        { tenant_id: 't2', quantity: '1' },
      ]);
    });
  });

  it('fills the totals from the movements already there when it is installed on a cloud that has them', async () => {
    await withOlderCloud('backfill', async (fresh) => {
      const insert = `insert into public.stock_movements (id, tenant_id, updated_at, product_id, sku, delta, reason, occurred_at)
        values ($1, $2, '0000000000001-000000-x', 'p', $3, $4, 'sale', now())`;
      for (const [i, [tenant, sku, delta]] of ([['t1', 'A', 5], ['t1', 'A', -2], ['t2', 'A', 4], ['t2', 'B', 1], ['t2', 'B', -1]] as const).entries()) {
        await fresh.query(insert, [`m${i}`, tenant, sku, delta]);
      }

      await fresh.query(compileServerSchema([inventoryPlugin]));
      await fresh.query(compileServerSchema([inventoryPlugin])); // a second run adds nothing
      await fresh.query(insert, ['m9', 't1', 'B', 7]);

      const levels = await fresh.query('select tenant_id, sku, quantity::int from public.stock_levels order by 1, 2');
      expect(levels.rows).toEqual([
        { tenant_id: 't1', sku: 'A', quantity: 3 },
        { tenant_id: 't1', sku: 'B', quantity: 7 },
        { tenant_id: 't2', sku: 'A', quantity: 4 },
        { tenant_id: 't2', sku: 'B', quantity: 0 },
      ]);
      const totals = await fresh.query(`select sku, quantity::int, tenants from ${INVENTORY_SCHEMA}.master_levels order by 1`);
      expect(totals.rows).toEqual([
        { sku: 'A', quantity: 7, tenants: 2 },
        { sku: 'B', quantity: 7, tenants: 1 },
      ]);
    });
  });
});
