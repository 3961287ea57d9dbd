import { beforeAll, describe, expect, it } from 'vitest';
import { cloudDatabase, cloudRest, deviceToken, installCloudSchema, masterToken, nextHlc, pushRows, uniqueName, uniqueTenant } from '@equinox-sync/core/testing';
import { INVENTORY_SCHEMA, inventoryPlugin, MAX_MOVEMENT_DELTA, productId } from '../src/index.js';
import { parseMasterLevels } from '../src/master-levels.js';
import { movement } from './movement-row.js';

// An attacker holds one store's real token and talks to the cloud as any client could.
const db = cloudDatabase();

beforeAll(async () => {
  await installCloudSchema([inventoryPlugin]);
});

async function master(sku: string): Promise<{ quantity: string; tenants: number } | undefined> {
  const { rows } = await db.query<{ quantity: string; tenants: number }>(
    `select quantity::text as quantity, tenants from ${INVENTORY_SCHEMA}.master_levels where sku = $1`,
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
    const tenant = uniqueTenant('inv-huge');
    const sku = uniqueName('SKU');
    const token = await deviceToken(tenant);
    const [pushed] = await pushRows('stock_movements', [movement(tenant, sku, Number.MAX_SAFE_INTEGER, 'purchase')], { token });
    expect(pushed).toMatchObject({ status: 'rejected' });
    expect((pushed as { reason: string }).reason).toContain('delta');
    const direct = await cloudRest('POST', 'stock_movements', { body: movement(tenant, sku, -(MAX_MOVEMENT_DELTA + 1)), token });
    expect(direct.status).toBe(400);
    expect(await tenantTotal(tenant, sku)).toBeUndefined();
    const [limit] = await pushRows('stock_movements', [movement(tenant, sku, MAX_MOVEMENT_DELTA, 'purchase')], { token });
    expect(limit).toMatchObject({ status: 'applied' });
  });

  it('never refuse another tenant\'s movement, however large one tenant made the totals', async () => {
    const [attacker, victim] = [uniqueTenant('inv-attacker'), uniqueTenant('inv-victim')];
    const sku = uniqueName('SKU');
    await pushRows('stock_movements', [movement(attacker, sku, 5, 'purchase')], { token: await deviceToken(attacker) });
    // Past anything a bigint holds (2^63 - 1), as no accepted input can reach soon, but a
    // restore or a hand-written total might.
    const huge = '100000000000000000000000';
    await db.query('update public.stock_levels set quantity = $3 where tenant_id = $1 and sku = $2', [attacker, sku, huge]);
    // The master's row holds the attacker's 5 once folded.
    await db.query(`select ${INVENTORY_SCHEMA}.fold_master(true)`);
    await db.query(`update ${INVENTORY_SCHEMA}.master_inventory set quantity = $2 where sku = $1`, [sku, huge]);

    const outcomes = await pushRows('stock_movements', [movement(victim, sku, 3, 'purchase'), movement(victim, sku, -1)], { token: await deviceToken(victim) });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    const more = await pushRows('stock_movements', [movement(attacker, sku, MAX_MOVEMENT_DELTA, 'purchase')], { token: await deviceToken(attacker) });
    expect(more.map((outcome) => outcome.status)).toEqual(['applied']);
    expect(await tenantTotal(victim, sku)).toBe('2');
    expect(await tenantTotal(attacker, sku)).toBe('100000000000001000000000');
    expect(await master(sku)).toEqual({ quantity: '100000000000001000000002', tenants: 2 });

    // Head office still reads it: a JSON number, decoded to the nearest double.
    const head = await cloudRest('POST', 'rpc/inventory_master', { body: {}, token: await masterToken(uniqueTenant('hq')) });
    expect(head.status).toBe(200);
    const line = parseMasterLevels(head.body).find((level) => level.sku === sku);
    expect(line).toEqual({ sku, quantity: 1.00000000000001e23, tenants: 2 });
  });

  it('answer another tenant\'s movement with the row-level security sentence only', async () => {
    const [attacker, victim] = [uniqueTenant('inv-attacker'), uniqueTenant('inv-victim')];
    const sku = uniqueName('SKU');
    const [outcome] = await pushRows('stock_movements', [movement(victim, sku, 5, 'purchase')], { token: await deviceToken(attacker) });
    expect(outcome).toMatchObject({ status: 'rejected', code: '42501', reason: 'new row violates row-level security policy for table "stock_movements"' });
    expect(await tenantTotal(victim, sku)).toBeUndefined();
  });
});

describe('product ids against a hostile tenant', () => {
  it('cannot take the id another tenant\'s till derives for a SKU', async () => {
    const [attacker, victim] = [uniqueTenant('inv-attacker'), uniqueTenant('inv-victim')];
    const sku = uniqueName('SKU');
    const id = productId(victim, sku);
    const product = (tenant: string, name: string): Record<string, unknown> => ({
      id, tenant_id: tenant, updated_at: nextHlc('till'), deleted: false, sku, name, price_cents: 100, tax_rate_bp: 0, active: true,
    });
    expect((await cloudRest('POST', 'products', { body: product(attacker, 'squat'), token: await deviceToken(attacker) })).status).toBe(201);
    const own = await cloudRest('POST', 'products', { body: product(victim, 'Coffee'), token: await deviceToken(victim) });
    expect(own.status).toBe(201);
    const { rows } = await db.query('select tenant_id, name from public.products where id = $1 order by name', [id]);
    expect(rows).toEqual([{ tenant_id: victim, name: 'Coffee' }, { tenant_id: attacker, name: 'squat' }]);
  });
});
