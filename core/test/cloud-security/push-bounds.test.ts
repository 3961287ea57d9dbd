import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../src/index.js';
import { MAX_PUSH_BYTES, MAX_PUSH_ROWS, PUSH_PAUSED_CODE, RemoteRejectedError } from '../../src/remote/index.js';
import { installPlugin, newRow } from '../protocol-kit.js';
import { deviceRemote, deviceToken, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const gated = uniqueName('sec_gated');
const open = uniqueName('sec_open');

/**
 * What one call may ask of the cloud (rows and bytes per eq_push), and the push gates a
 * plugin registers (a licence, say): enforced in the cloud, for eq_push and plain REST
 * alike, so a modified client gains nothing.
 */
describe('push caps and push gates', () => {
  let admin: pg.Client;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-bounds-test',
      version: '1.0.0',
      tables: [
        { name: gated, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
        { name: open, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
      ],
    });
    admin = new pg.Client({ connectionString: cloud.pgUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
  });

  it(`refuses a push of more than ${MAX_PUSH_ROWS} rows with 54000, naming the cap`, async () => {
    const tenant = uniqueTenant('caps-rows');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    const rows = Array.from({ length: MAX_PUSH_ROWS + 1 }, () => newRow(tenant, { body: 'x' }));
    const { error, status } = await client.rpc('eq_push', { p_table: open, p_rows: rows });
    expect(error).toMatchObject({ code: '54000', message: `a push may carry at most ${MAX_PUSH_ROWS} rows; this one has ${MAX_PUSH_ROWS + 1}` });
    expect(status).toBe(413); // PostgREST's answer to SQLSTATE class 54
    const atCap = await client.rpc('eq_push', { p_table: open, p_rows: rows.slice(1) });
    expect(atCap.error).toBeNull();
    expect(atCap.data).toHaveLength(MAX_PUSH_ROWS);
  });

  it(`refuses a push of more than ${MAX_PUSH_BYTES} bytes of row JSON with 54000, as a final error`, async () => {
    const tenant = uniqueTenant('caps-bytes');
    const rows = Array.from({ length: 3 }, () => newRow(tenant, { body: 'b'.repeat(MAX_PUSH_BYTES / 3 + 1) }));
    const attempt = (await deviceRemote(tenant)).push(open, rows.map((row) => ({ row, base_version: null })));
    await expect(attempt).rejects.toBeInstanceOf(RemoteRejectedError);
    await expect(attempt).rejects.toMatchObject({ code: '54000', retryable: false, message: expect.stringContaining(`at most ${MAX_PUSH_BYTES} bytes of row JSON`) });
  });

  it('refuses eq_push and direct writes while a registered gate refuses, for the gated table only', async () => {
    const schema = uniqueName('eq_gate');
    const gate = `test.${schema}`;
    const tenant = uniqueTenant('gated');
    const token = await deviceToken(tenant);
    const client = supabaseClient(cloud.anonKey, { token: token });
    const mine = newRow(tenant, { body: 'before the gate' });
    expect((await client.from(gated).insert(mine)).error).toBeNull();
    try {
      await admin.query(`create schema ${schema}`);
      // Gates run for every push of every tenant: this one refuses only this file's table.
      await admin.query(`create function ${schema}.refuse(p_table text) returns void language plpgsql as $$
        begin
          if p_table = '${gated}' then
            raise exception 'no valid licence for this device' using errcode = '${PUSH_PAUSED_CODE}';
          end if;
        end $$`);
      await admin.query(`insert into equinox.push_gates (name, function_name) values ($1, $2)`, [gate, `${schema}.refuse`]);

      const push = await client.rpc('eq_push', { p_table: gated, p_rows: [newRow(tenant, { body: 'through eq_push' })] });
      expect(push.error).toMatchObject({ code: PUSH_PAUSED_CODE, message: 'no valid licence for this device' });
      await expect((await deviceRemote(tenant)).push(gated, [{ row: newRow(tenant, { body: 'x' }), base_version: null }])).rejects.toMatchObject({
        code: PUSH_PAUSED_CODE,
        retryable: false,
      });
      const insert = await client.from(gated).insert(newRow(tenant, { body: 'through REST' }));
      expect(insert.error).toMatchObject({ code: PUSH_PAUSED_CODE, message: 'no valid licence for this device' });
      const update = await client.from(gated).update({ body: 'changed through REST' }).eq('id', mine.id);
      expect(update.error?.code).toBe(PUSH_PAUSED_CODE);
      const upsert = await client.from(gated).upsert({ ...mine, body: 'upserted' }, { onConflict: 'tenant_id,id' });
      expect(upsert.error?.code).toBe(PUSH_PAUSED_CODE);

      // Reads, other tables and the back office go on.
      expect((await client.from(gated).select('body').eq('id', mine.id)).data).toEqual([{ body: 'before the gate' }]);
      expect((await client.rpc('eq_push', { p_table: open, p_rows: [newRow(tenant, { body: 'elsewhere' })] })).error).toBeNull();
      expect((await supabaseClient(cloud.serviceKey).from(gated).insert(newRow(tenant, { body: 'back office' }))).error).toBeNull();
    } finally {
      await admin.query(`delete from equinox.push_gates where name = $1`, [gate]);
      await admin.query(`drop schema if exists ${schema} cascade`);
    }
    expect((await client.rpc('eq_push', { p_table: gated, p_rows: [newRow(tenant, { body: 'after the gate' })] })).error).toBeNull();
  });

  it('refuses every push, running nothing, when a registry row names no function', async () => {
    // In a transaction rolled back at the end: the row would refuse every other test's pushes.
    const tenant = uniqueTenant('broken-gate');
    const row: Row = newRow(tenant, { body: 'x' });
    await admin.query('begin');
    try {
      await admin.query(`create table public.${gated}_victim (id int)`);
      await admin.query(`insert into equinox.push_gates (name, function_name) values ('test.broken', $1)`, [`pg_catalog.now(); drop table public.${gated}_victim; --`]);
      await admin.query(`set local role authenticated`);
      await admin.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', tenant_id: tenant })]);
      await admin.query('savepoint attempt');
      const refused = await admin.query(`select public.eq_push($1, $2::json)`, [open, JSON.stringify([row])]).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: '42883', message: expect.stringContaining('push gate "test.broken" names no function') });
      await admin.query('rollback to savepoint attempt');
      await admin.query('reset role');
      const victim = await admin.query(`select to_regclass($1) as kept`, [`public.${gated}_victim`]);
      expect(victim.rows[0].kept).not.toBeNull();
    } finally {
      await admin.query('rollback');
    }
  });
});
