import { cloudDatabase, cloudRest, deviceToken, installCloudSchema, masterToken, prng, pushRows, sleep, uniqueName, uniqueTenant } from '@equinox-sync/core/testing';
import { deviceClaims } from '@equinox-sync/local-cloud';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { INVENTORY_SCHEMA, inventoryPlugin } from '../src/index.js';
import { movement } from './movement-row.js';

const cloud = inject('cloud');
const db = cloudDatabase();
const s = INVENTORY_SCHEMA;

/** Lock waits longer than this fail the statement (SQLSTATE 55P03) instead of being timed. */
const NO_WAIT = '500ms';

const sessions: pg.Client[] = [];

/** A connection of its own (as the owner), closed after the test. */
async function session(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: cloud.pgUrl });
  await client.connect();
  sessions.push(client);
  return client;
}

afterEach(async () => {
  for (const client of sessions.splice(0)) await client.end();
});

/** Inside an open transaction: from here on, `client` acts as a till of `tenant`, as PostgREST would set it up. */
async function actAsTill(client: pg.Client, tenant: string): Promise<void> {
  await client.query('set local role authenticated');
  await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(deviceClaims({ tenant, device: 'till-1' }))]);
}

/** `eq_push` of movements, the function the engine calls, on this connection. */
async function pushOn(client: pg.Client, rows: Record<string, unknown>[]): Promise<unknown[]> {
  const { rows: [answer] } = await client.query<{ outcomes: unknown[] }>(`select public.eq_push('stock_movements', $1::json) as outcomes`, [JSON.stringify(rows)]);
  return answer?.outcomes ?? [];
}

interface Level {
  sku: string;
  quantity: number;
  tenants: number;
}

/**
 * The master's totals of `skus` and the same totals aggregated from the movements, read
 * in one statement, so from one snapshot: they must agree at every moment, whatever
 * pushes and folds are in flight.
 */
async function masterAndNaive(client: pg.Client, skus: string[]): Promise<{ kept: Level[]; naive: Level[] }> {
  const { rows: [answer] } = await client.query<{ kept: Level[]; naive: Level[] }>(
    `with per_tenant as (
       select tenant_id, sku, sum(delta) as quantity from public.stock_movements where not deleted and sku = any($1) group by tenant_id, sku
     ),
     naive as (
       select sku, sum(quantity) as quantity, (count(*) filter (where quantity <> 0))::integer as tenants from per_tenant group by sku
     )
     select (select coalesce(jsonb_agg(n order by n.sku), '[]') from naive n where n.tenants > 0 or n.quantity <> 0) as naive,
            (select coalesce(jsonb_agg(k order by k.sku), '[]')
               from (select sku, quantity, tenants from ${s}.master_levels where sku = any($1) and (tenants > 0 or quantity <> 0)) k) as kept`,
    [skus],
  );
  return answer ?? { kept: [], naive: [] };
}

/** What head office reads of one SKU: the page that starts just before it (the cloud is shared). */
async function headOfficeLevel(sku: string, token: string): Promise<Level | undefined> {
  const { status, body } = await cloudRest('POST', 'rpc/inventory_master', { body: { p_after: sku.slice(0, -1), p_limit: 5 }, token });
  expect(status).toBe(200);
  return (body as Level[]).find((level) => level.sku === sku);
}

/** Backends waiting on a lock `pid` holds. */
async function waitingOn(pid: number): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>('select pid from pg_catalog.pg_stat_activity where $1 = any(pg_catalog.pg_blocking_pids(pid))', [pid]);
  return rows.map((row) => row.pid);
}

beforeAll(async () => {
  await installCloudSchema([inventoryPlugin]);
});

describe('the master inventory without hot rows', () => {
  it("lets other tenants push a SKU while one tenant's push of it, folded into the master, stays open", async () => {
    const sku = uniqueName('HOT');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((label) => uniqueTenant(`inv-hot-${label}`)) as [string, string, string, string];
    // The SKU has a folded master row: the row every push of it updated in place before.
    await pushRows('stock_movements', [movement(c, sku, 7, 'purchase')], { token: await deviceToken(c) });
    await db.query(`select ${s}.fold_master(true)`);
    expect((await db.query(`select quantity::int from ${s}.master_inventory where sku = $1`, [sku])).rows).toEqual([{ quantity: 7 }]);

    // Tenant A pushes it and folds in one transaction left open: A holds its total, the
    // master's row of the SKU and the fold's lock.
    const holder = await session();
    const { rows: [holderRow] } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
    expect(holderRow).toBeDefined();
    const holderPid = holderRow!.pid;
    await holder.query('begin');
    await actAsTill(holder, a);
    expect(await pushOn(holder, [movement(a, sku, 5, 'purchase')])).toEqual([expect.any(Number)]);
    await holder.query('reset role');
    await holder.query(`select ${s}.fold_master(true)`);

    try {
      // Tenant B, on a session where any lock wait fails the statement: applied.
      const other = await session();
      await other.query(`set lock_timeout = '${NO_WAIT}'`);
      await other.query('begin');
      await actAsTill(other, b);
      expect(await pushOn(other, [movement(b, sku, 3, 'purchase'), movement(b, sku, -1)])).toEqual([expect.any(Number), expect.any(Number)]);
      await other.query('commit');
      // A fold meanwhile leaves the work to A's, without waiting for it.
      expect((await other.query(`select ${s}.fold_master(false) as folded`)).rows).toEqual([{ folded: '0' }]);

      // Tenant D through the API, as its till uploads; nothing waits on A meanwhile.
      const waiting: number[] = [];
      let pushed = false;
      const watch = (async () => {
        while (!pushed) {
          waiting.push(...(await waitingOn(holderPid)));
          await sleep(5);
        }
      })();
      const outcomes = await pushRows('stock_movements', [movement(d, sku, 2, 'purchase')], { token: await deviceToken(d) });
      pushed = true;
      await watch;
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied']);
      expect(waiting).toEqual([]);

      // Head office reads a consistent total meanwhile: every committed push, not A's.
      expect(await headOfficeLevel(sku, await masterToken(uniqueTenant('hq')))).toEqual({ sku, quantity: 11, tenants: 3 });

      // The check bites: another push of A's own total does wait, and so fails here.
      const same = await session();
      await same.query(`set lock_timeout = '${NO_WAIT}'`);
      await same.query('begin');
      await actAsTill(same, a);
      expect(await pushOn(same, [movement(a, sku, 1, 'purchase')])).toEqual([expect.objectContaining({ status: 'rejected', code: '55P03' })]);
      await same.query('rollback');
    } finally {
      await holder.query('commit');
    }
    const { kept, naive } = await masterAndNaive(db, [sku]);
    expect(kept).toEqual([{ sku, quantity: 16, tenants: 4 }]);
    expect(kept).toEqual(naive);
  });

  it('stays exact under concurrent pushes of many tenants, folds and reads, in every snapshot and after a fold', async () => {
    const random = prng(20);
    const skus = [0, 1, 2, 3].map((index) => uniqueName(`RACE${index}`));
    const tenants = Array.from({ length: 8 }, (_, index) => uniqueTenant(`inv-exact-${index}`));
    // Small deltas of both signs, so totals leave zero and come back to it and `tenants` moves both ways.
    const batches = tenants.flatMap((tenant) =>
      Array.from({ length: 6 }, () =>
        Array.from({ length: 8 }, () => {
          const delta = Math.floor(random() * 7) - 3 || 1;
          return movement(tenant, skus[Math.floor(random() * skus.length)] ?? '', delta, delta > 0 ? 'purchase' : 'sale');
        }),
      ),
    );

    const snapshots: { kept: Level[]; naive: Level[] }[] = [];
    let done = false;
    const [checker, folder] = [await session(), await session()];
    const background = [
      (async () => {
        while (!done) snapshots.push(await masterAndNaive(checker, skus));
      })(),
      (async () => {
        while (!done) {
          await folder.query(`select ${s}.fold_master(false)`);
          await sleep(10);
        }
      })(),
    ];
    const headOffice = await masterToken(uniqueTenant('hq'));
    const outcomes = await Promise.all(
      batches.map(async (rows, index) => {
        const tenant = String(rows[0]?.tenant_id);
        const applied = await pushRows('stock_movements', rows, { token: await deviceToken(tenant) });
        if (index % 8 === 0) expect((await cloudRest('POST', 'rpc/inventory_master', { body: {}, token: headOffice })).status).toBe(200);
        return applied;
      }),
    );
    done = true;
    await Promise.all(background);

    expect(outcomes.flat().filter((outcome) => outcome.status !== 'applied')).toEqual([]);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const snapshot of snapshots) expect(snapshot.kept).toEqual(snapshot.naive);
    const before = await masterAndNaive(db, skus);
    expect(before.kept).toEqual(before.naive);
    expect(before.naive.length).toBeGreaterThan(0);

    await db.query(`select ${s}.fold_master(true)`);
    const after = await masterAndNaive(db, skus);
    expect(after).toEqual(before);
    // Everything of these SKUs is folded now: the master's own rows are the totals.
    const { rows: folded } = await db.query<Level>(
      `select sku, quantity::float8 as quantity, tenants from ${s}.master_inventory where sku = any($1) and (tenants > 0 or quantity <> 0) order by sku`,
      [skus],
    );
    expect(folded).toEqual(before.naive);
    const { rows: pending } = await db.query(`select 1 from ${s}.master_deltas where sku = any($1)`, [skus]);
    expect(pending).toEqual([]);

    // The tenants' own totals are exact too.
    const { rows: tenantTotals } = await db.query(
      `select (select coalesce(jsonb_agg(l order by l.tenant_id, l.sku), '[]') from (select tenant_id, sku, quantity from public.stock_levels where sku = any($1) and quantity <> 0) l) as kept,
              (select coalesce(jsonb_agg(n order by n.tenant_id, n.sku), '[]') from (select tenant_id, sku, sum(delta) as quantity from public.stock_movements where sku = any($1) group by 1, 2) n where n.quantity <> 0) as naive`,
      [skus],
    );
    expect(tenantTotals[0].kept).toEqual(tenantTotals[0].naive);

    // Head office reads the same totals (the SKUs some tenant holds).
    for (const level of before.naive) expect(await headOfficeLevel(level.sku, headOffice)).toEqual(level.tenants > 0 ? level : undefined);
  });
});
