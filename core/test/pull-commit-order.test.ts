import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RemoteStore } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, hasIds, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('pull_order');

describe('eq_pull never loses a row to commit order', () => {
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

  it('delivers a row whose transaction commits after later ones', async () => {
    const tenant = uniqueTenant('late');
    const remote = await deviceRemote(tenant);
    const before = [newRow(tenant, { body: 'before' })];
    await remote.push(table, before.map((row) => ({ row, base_version: null })));

    const late = newRow(tenant, { body: 'late' });
    const slow = new pg.Client({ connectionString: cloud.pgUrl });
    await slow.connect();
    try {
      await slow.query('begin');
      await slow.query(`insert into public.${table} (id, tenant_id, updated_at, body) values ($1, $2, $3, $4)`, [
        late.id,
        tenant,
        late.updated_at,
        late.body,
      ]);
      const after = [newRow(tenant, { body: 'after 1' }), newRow(tenant, { body: 'after 2' })];
      const outcomes = await remote.push(table, after.map((row) => ({ row, base_version: null })));
      expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);

      // The rows committed before the slow transaction began arrive and move the cursor;
      // nothing from the slow transaction's id onwards does, however long we wait.
      const first = await pullAll(remote, table, { until: hasIds(before.map((row) => row.id)) });
      expect(first.rows.map((row) => row.id)).toEqual(before.map((row) => row.id));
      expect(first.cursor).not.toEqual({ txid: '0', server_version: 0 });
      const meanwhile = await remote.pull(table, first.cursor, 1000);
      expect(meanwhile.rows).toEqual([]);

      await slow.query('commit');
      const second = await pullAll(remote, table, { cursor: first.cursor, until: hasIds([late.id, ...after.map((row) => row.id)]) });
      expect(second.rows.map((row) => row.id).sort()).toEqual([late.id, ...after.map((row) => row.id)].sort());
      const all = [...first.rows, ...second.rows].map((row) => row.id);
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await slow.end();
    }
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
});
