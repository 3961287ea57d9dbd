import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PullCursor, RemoteStore, Row } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, hasIds, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('pull_order');

/** A write transaction left open in the cloud, as a back-office import or an idle connection would hold one. */
async function openWrite(tenant: string, row: Row): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: cloud.pgUrl });
  await client.connect();
  await client.query('begin');
  await client.query(`insert into public.${table} (id, tenant_id, updated_at, body) values ($1, $2, $3, $4)`, [row.id, tenant, row.updated_at, row.body]);
  return client;
}

describe('eq_pull never loses a row to commit order, and waits on nobody else', () => {
  let admin: pg.Client;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'pull-order-test',
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
    });
    admin = new pg.Client({ connectionString: cloud.pgUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
  });

  it('delivers a row whose transaction commits late, before the rows written after it', async () => {
    const tenant = uniqueTenant('late');
    const remote = await deviceRemote(tenant);
    const before = [newRow(tenant, { body: 'before' })];
    await remote.push(table, before.map((row) => ({ row, base_version: null })));

    const late = newRow(tenant, { body: 'late' });
    const slow = await openWrite(tenant, late);
    try {
      // A writer of the same tenant and table waits for the open transaction: its rows
      // cannot take versions the late row would then fall behind.
      const after = [newRow(tenant, { body: 'after 1' }), newRow(tenant, { body: 'after 2' })];
      const pushing = remote.push(table, after.map((row) => ({ row, base_version: null })));
      const first = await pullAll(remote, table, { until: hasIds(before.map((row) => row.id)) });
      expect(first.rows.map((row) => row.id)).toEqual(before.map((row) => row.id));
      const meanwhile = await remote.pull(table, first.cursor, 1000);
      expect(meanwhile.rows).toEqual([]);

      await slow.query('commit');
      expect((await pushing).map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
      const second = await pullAll(remote, table, { cursor: first.cursor, until: hasIds([late.id, ...after.map((row) => row.id)]) });
      expect(second.rows.map((row) => row.id)).toEqual([late.id, ...after.map((row) => row.id)]);
      const all = [...first.rows, ...second.rows].map((row) => row.id);
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await slow.end();
    }
  });

  it("keeps serving a tenant's rows while another tenant holds a write transaction open", async () => {
    const [blocked, serving] = [uniqueTenant('holder'), uniqueTenant('served')];
    const slow = await openWrite(blocked, newRow(blocked, { body: 'open for long' }));
    try {
      const remote = await deviceRemote(serving);
      const start = await pullAll(remote, table);
      const rows = [newRow(serving, { body: 'sold' })];
      expect((await remote.push(table, rows.map((row) => ({ row, base_version: null }))))[0]).toMatchObject({ status: 'applied' });
      // One pull, no retry: the row is there at once, the other tenant's transaction still open.
      const page = await remote.pull(table, start.cursor, 1000);
      expect(page.rows.map((row) => row.id)).toEqual(rows.map((row) => row.id));
      expect((await slow.query<{ state: string }>(`select 'open' as state`)).rows[0]?.state).toBe('open');
    } finally {
      await slow.query('rollback');
      await slow.end();
    }
  });

  it('carries a cursor of the earlier (txid, server_version) order over without losing a row', async () => {
    const tenant = uniqueTenant('legacy');
    const remote = await deviceRemote(tenant);
    const rows = [1, 2, 3].map((n) => newRow(tenant, { body: `row ${n}` }));
    for (const row of rows) await remote.push(table, [{ row, base_version: null }]);
    const { rows: stamped } = await admin.query<{ txid: string; server_version: string }>(
      `select txid::text, server_version::text from public.${table} where id = $1`,
      [rows[0]!.id],
    );
    const legacy: PullCursor = { txid: stamped[0]!.txid, server_version: Number(stamped[0]!.server_version) };
    const rest = await pullAll(remote, table, { cursor: legacy, until: hasIds(rows.slice(1).map((row) => row.id)) });
    expect(rest.rows.map((row) => row.id)).toEqual(rows.slice(1).map((row) => row.id));
    expect(rest.cursor).toMatchObject({ server_version: expect.any(Number) });
    expect(rest.cursor).not.toHaveProperty('txid');
  });

  it('pages 10,001 rows written in one transaction with none missed and none twice', async () => {
    const tenant = uniqueTenant('bulk');
    const remote: RemoteStore = await deviceRemote(tenant);
    await admin.query(
      `insert into public.${table} (id, tenant_id, updated_at, body)
       select gen_random_uuid()::text, $1, lpad(g::text, 13, '0') || '-0000-bulk', 'row ' || g
         from generate_series(1, 10001) as g`,
      [tenant],
    );
    const pulled = await pullAll(remote, table, { limit: 1000, until: (rows) => rows.length >= 10_001 });
    const ids = pulled.rows.map((row) => row.id);
    expect(ids).toHaveLength(10_001);
    expect(new Set(ids).size).toBe(10_001);
    expect(pulled.pages).toBeGreaterThanOrEqual(11);
    const bodies = new Set(pulled.rows.map((row) => row.body));
    expect(bodies.has('row 1') && bodies.has('row 10001')).toBe(true);
  });

  it("ends each pull with the cloud's marks on its last page", async () => {
    const remote = await deviceRemote(uniqueTenant('marks'));
    const page = await remote.pull(table, null, 10);
    expect(page.has_more).toBe(false);
    expect(page.marks).toMatchObject({ epoch: expect.any(String), highWater: expect.stringMatching(/^\d+$/) });
  });
});
