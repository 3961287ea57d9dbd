import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../../src/index.js';
import { cloudRows, deviceToken, installCloudSchema, localRows, openDevice, supabaseClient, testCloud, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const cloud = testCloud();

const suffix = uniqueSuffix();
const notes = `del_notes_${suffix}`;
const ledger = `del_ledger_${suffix}`;
const plugin = definePlugin({
  name: 'no-hard-delete',
  version: '1.0.0',
  tables: [
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: ledger, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
  ],
});
const HINT = 'Write a tombstone instead: update ... set deleted = true (devices then apply it).';

/** Only a superuser may set session_replication_role; `pgUrl` is the owner role, as on Supabase. */
const superuserUrl = cloud.adminPgUrl;

async function asRole<T>(url: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** The refusal a failing statement raised, with the fields Postgres sent. */
async function refusal(statement: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  const error = await statement.then(
    () => undefined,
    (failure: unknown) => failure as { code?: string; message: string; hint?: string },
  );
  if (error === undefined) throw new Error('the statement was not refused');
  return error;
}

/**
 * Devices learn of a removal only through a tombstone: a row deleted in the cloud would
 * live on in every device that holds it. So no role may DELETE or TRUNCATE a synced
 * table, the service role and the owner included, and the refusal says what to do.
 */
describe('no hard deletes in the cloud, for any role', () => {
  const tenant = uniqueTenant('nodelete');
  let rowId: string;

  beforeAll(async () => {
    await installCloudSchema([plugin]);
  });

  it('syncs a row of each table up from a device', async () => {
    const writer = await openDevice({ name: 'writer', tenant, plugins: [plugin] });
    rowId = String(writer.store.forPlugin(plugin.name).insert(notes, { body: 'keep me' }).id);
    writer.store.forPlugin(plugin.name).insert(ledger, { body: 'evidence' });
    expect(await writer.engine.syncNow()).toMatchObject({ uploaded: 2, error: null });
    expect(await cloudRows(notes, tenant)).toHaveLength(1);
  });

  it("refuses the service key's REST DELETE with 23001 and the tombstone hint", async () => {
    const admin = supabaseClient(cloud.serviceKey);
    const { error } = await admin.from(notes).delete().eq('tenant_id', tenant).eq('id', rowId);
    expect(error).toMatchObject({ code: '23001', message: `table ${notes} never loses rows: DELETE is refused`, hint: HINT });
    expect((await cloudRows(notes, tenant)).map((row) => row.id)).toEqual([rowId]);
  });

  it("refuses a device's REST DELETE before any trigger: it has no delete grant", async () => {
    const device = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant, 'writer') });
    expect((await device.from(notes).delete().eq('id', rowId)).error?.code).toBe('42501');
    expect(await cloudRows(notes, tenant)).toHaveLength(1);
  });

  it('refuses DELETE and TRUNCATE to the owner role, and to a superuser under session_replication_role = replica', async () => {
    await asRole(cloud.pgUrl, async (owner) => {
      const remove = await refusal(owner.query(`delete from public.${notes} where tenant_id = $1`, [tenant]));
      expect(remove).toMatchObject({ code: '23001', message: `table ${notes} never loses rows: DELETE is refused`, hint: HINT });
      expect(await refusal(owner.query(`truncate public.${notes}`))).toMatchObject({
        code: '23001',
        message: `table ${notes} never loses rows: TRUNCATE is refused`,
      });
    });
    await asRole(superuserUrl, async (superuser) => {
      await superuser.query('begin');
      try {
        await superuser.query(`set local session_replication_role = replica`);
        expect((await refusal(superuser.query(`delete from public.${notes} where tenant_id = $1`, [tenant]))).code).toBe('23001');
      } finally {
        await superuser.query('rollback');
      }
    });
    expect(await cloudRows(notes, tenant)).toHaveLength(1);
  });

  it('keeps the append-only refusal on append-only tables: one refusal each, with their own hint', async () => {
    await asRole(cloud.pgUrl, async (owner) => {
      const remove = await refusal(owner.query(`delete from public.${ledger} where tenant_id = $1`, [tenant]));
      expect(remove).toMatchObject({ code: '23001', hint: 'Insert a new row instead.' });
      expect(remove.message).toMatch(/append-only: DELETE is refused/);
      const triggers = await owner.query(
        `select c.relname as table, array_agg(t.tgname::text order by t.tgname) as names, array_agg(distinct t.tgenabled::text) as enabled
           from pg_trigger t join pg_class c on c.oid = t.tgrelid
          where c.relname = any($1) and t.tgname in ('_eq_no_delete', '_eq_no_truncate', '_eq_append_only', '_eq_append_only_truncate')
          group by c.relname order by c.relname`,
        [[notes, ledger]],
      );
      expect(triggers.rows).toEqual([
        { table: ledger, names: ['_eq_append_only', '_eq_append_only_truncate'], enabled: ['A'] },
        { table: notes, names: ['_eq_no_delete', '_eq_no_truncate'], enabled: ['A'] },
      ]);
    });
  });

  it('takes a tombstone written with the service key, and devices apply it as a soft delete', async () => {
    const reader = await openDevice({ name: 'reader', tenant, plugins: [plugin] });
    await reader.engine.syncNow();
    expect(reader.store.forPlugin(plugin.name).get(notes, rowId)?.body).toBe('keep me');

    const admin = supabaseClient(cloud.serviceKey);
    const { error } = await admin.from(notes).update({ deleted: true }).eq('tenant_id', tenant).eq('id', rowId);
    expect(error).toBeNull();

    expect(await reader.engine.syncNow()).toMatchObject({ error: null });
    expect(reader.store.forPlugin(plugin.name).get(notes, rowId)).toBeUndefined();
    expect(localRows(reader, notes)).toMatchObject([{ id: rowId, body: 'keep me', deleted: true }]);
    expect(await cloudRows(notes, tenant)).toMatchObject([{ id: rowId, deleted: true }]);
  });
});
