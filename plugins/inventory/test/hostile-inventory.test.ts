import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INVENTORY_SCHEMA, MAX_MOVEMENT_DELTA, productId } from '../src/index.js';
import { parseMasterLevels } from '../src/master-levels.js';
import { installInventorySchema, masterToken, movement, pushMovements, rest, storeToken, unique } from './cloud-kit.js';

// An attacker holds one store's real token and talks to the cloud as any client could.
const cloud = inject('cloud');
let db: pg.Client;

beforeAll(async () => {
  await installInventorySchema(cloud);
  db = new pg.Client({ connectionString: cloud.pgUrl });
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

async function master(sku: string): Promise<{ quantity: string; tenants: number } | undefined> {
  const { rows } = await db.query<{ quantity: string; tenants: number }>(
    `select quantity::text as quantity, tenants from ${INVENTORY_SCHEMA}.master_inventory where sku = $1`,
    [sku],
  );
  return rows[0];
}

async function tenantTotal(tenant: string, sku: string): Promise<string | undefined> {
  const { rows } = await db.query<{ quantity: string }>('select quantity::text as quantity from public.stock_levels where tenant_id = $1 and sku = $2', [tenant, sku]);
  return rows[0]?.quantity;
}

describe('stock totals against a hostile tenant', () => {
  it('refuse a movement outside the declared range, over eq_push and REST', async () => {
    const tenant = unique('inv-huge');
    const sku = unique('SKU');
    const token = await storeToken(cloud, tenant);
    const [pushed] = await pushMovements(cloud, token, [movement(tenant, sku, Number.MAX_SAFE_INTEGER, 'purchase')]);
    expect(pushed).toMatchObject({ status: 'rejected' });
    expect((pushed as { reason: string }).reason).toContain('delta');
    const direct = await rest(cloud, token, 'stock_movements', { body: movement(tenant, sku, -(MAX_MOVEMENT_DELTA + 1)) });
    expect(direct.status).toBe(400);
    expect(await tenantTotal(tenant, sku)).toBeUndefined();
    const [limit] = await pushMovements(cloud, token, [movement(tenant, sku, MAX_MOVEMENT_DELTA, 'purchase')]);
    expect(limit).toMatchObject({ status: 'applied' });
  });

  it('never refuse another tenant\'s movement, however large one tenant made the totals', async () => {
    const [attacker, victim] = [unique('inv-attacker'), unique('inv-victim')];
    const sku = unique('SKU');
    await pushMovements(cloud, await storeToken(cloud, attacker), [movement(attacker, sku, 5, 'purchase')]);
    // Past anything a bigint holds (2^63 - 1), as no accepted input can reach soon, but a
    // restore or a hand-written total might.
    const huge = '100000000000000000000000';
    await db.query('update public.stock_levels set quantity = $3 where tenant_id = $1 and sku = $2', [attacker, sku, huge]);
    await db.query(`update ${INVENTORY_SCHEMA}.master_inventory set quantity = $2 where sku = $1`, [sku, huge]);

    const outcomes = await pushMovements(cloud, await storeToken(cloud, victim), [movement(victim, sku, 3, 'purchase'), movement(victim, sku, -1)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    const more = await pushMovements(cloud, await storeToken(cloud, attacker), [movement(attacker, sku, MAX_MOVEMENT_DELTA, 'purchase')]);
    expect(more.map((outcome) => outcome.status)).toEqual(['applied']);
    expect(await tenantTotal(victim, sku)).toBe('2');
    expect(await tenantTotal(attacker, sku)).toBe('100000000000001000000000');
    expect(await master(sku)).toEqual({ quantity: '100000000000001000000002', tenants: 2 });

    // Head office still reads it: a JSON number, decoded to the nearest double.
    const head = await rest(cloud, await masterToken(cloud, unique('hq')), 'rpc/inventory_master', { body: {} });
    expect(head.status).toBe(200);
    const line = parseMasterLevels(head.body).find((level) => level.sku === sku);
    expect(line).toEqual({ sku, quantity: 1.00000000000001e23, tenants: 2 });
  });

  it('answer another tenant\'s movement with the row-level security sentence only', async () => {
    const [attacker, victim] = [unique('inv-attacker'), unique('inv-victim')];
    const sku = unique('SKU');
    const [outcome] = await pushMovements(cloud, await storeToken(cloud, attacker), [movement(victim, sku, 5, 'purchase')]);
    expect(outcome).toMatchObject({ status: 'rejected', code: '42501', reason: 'new row violates row-level security policy for table "stock_movements"' });
    expect(await tenantTotal(victim, sku)).toBeUndefined();
  });
});

describe('product ids against a hostile tenant', () => {
  it('cannot take the id another tenant\'s till derives for a SKU', async () => {
    const [attacker, victim] = [unique('inv-attacker'), unique('inv-victim')];
    const sku = unique('SKU');
    const id = productId(victim, sku);
    const product = (tenant: string, name: string): Record<string, unknown> => ({
      id, tenant_id: tenant, updated_at: `${String(Date.now()).padStart(13, '0')}-000000-till`, deleted: false, sku, name, price_cents: 100, tax_rate_bp: 0, active: true,
    });
    expect((await rest(cloud, await storeToken(cloud, attacker), 'products', { body: product(attacker, 'squat') })).status).toBe(201);
    const own = await rest(cloud, await storeToken(cloud, victim), 'products', { body: product(victim, 'Coffee') });
    expect(own.status).toBe(201);
    const { rows } = await db.query('select tenant_id, name from public.products where id = $1 order by name', [id]);
    expect(rows).toEqual([{ tenant_id: victim, name: 'Coffee' }, { tenant_id: attacker, name: 'squat' }]);
  });
});
