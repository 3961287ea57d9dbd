import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../src/index.js';
import { installPlugin, newRow } from '../protocol-kit.js';
import { deviceToken, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('sec_stamps');
const other = uniqueName('sec_stamps_other');

/**
 * A row's `server_version` orders every pull of its tenant, so no writer may choose it.
 * A push stamps its own rows in its upsert (the versions taken at once, under the stamp
 * lock) and tells the stamp trigger so through a transaction-local setting; every other
 * write is stamped by the trigger. These attack that shortcut: versions sent by a device,
 * the helper called directly, and the setting outliving the push's statement.
 */
describe('version stamps: no writer but the cloud chooses a row’s server_version', () => {
  let admin: pg.Client;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-stamps-test',
      version: '1.0.0',
      tables: [
        { name: table, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
        { name: other, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
      ],
    });
    admin = new pg.Client({ connectionString: cloud.pgUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
  });

  const highWater = async (): Promise<bigint> =>
    BigInt((await admin.query(`select (case when is_called then last_value else 0 end)::text as v from equinox.server_version_seq`)).rows[0].v as string);
  const stored = async (id: unknown): Promise<{ server_version: string; txid: string }> =>
    (await admin.query(`select server_version::text, txid::text from public.${table} where id = $1`, [id])).rows[0];

  it('ignores a server_version and txid a device sends, through REST and through eq_push', async () => {
    const tenant = uniqueTenant('forger');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    const before = await highWater();
    // A version far ahead would make the tenant's pulls jump past every row written before it catches up.
    const forged = { server_version: 9_007_199_254_740_000, txid: '1' };

    const viaRest: Row = { ...newRow(tenant, { body: 'REST' }), ...forged };
    expect((await client.from(table).insert(viaRest)).error).toBeNull();
    const viaPush: Row = { ...newRow(tenant, { body: 'push' }), ...forged };
    const pushed = await client.rpc('eq_push', { p_table: table, p_rows: [viaPush] });
    expect(pushed.error).toBeNull();
    const [answered] = pushed.data as number[];

    const after = await highWater();
    for (const id of [viaRest.id, viaPush.id]) {
      const row = await stored(id);
      expect(BigInt(row.server_version)).toBeGreaterThan(before);
      expect(BigInt(row.server_version)).toBeLessThanOrEqual(after);
      expect(row.txid).not.toBe('1');
    }
    expect((await stored(viaPush.id)).server_version).toBe(String(answered));

    // An update through REST that names the version is stamped again too.
    const patched = await client.from(table).update({ body: 'REST, edited', server_version: forged.server_version }).eq('id', viaRest.id);
    expect(patched.error).toBeNull();
    const edited = BigInt((await stored(viaRest.id)).server_version);
    expect(edited).toBeGreaterThan(BigInt(answered as number));
    expect(edited).toBeLessThanOrEqual(await highWater());
  });

  it('keeps the push’s version helper and set_config out of a device’s reach', async () => {
    const tenant = uniqueTenant('helper');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    const helper = await client.schema('equinox').rpc('push_versions', { p_table: table, p_count: 3 });
    expect(helper.data).toBeNull();
    expect(helper.error).not.toBeNull();
    const setting = await client.rpc('set_config', { setting_name: 'equinox.push_stamped', new_value: `${table}/${tenant}`, is_local: true });
    expect(setting.data).toBeNull();
    expect(setting.error).not.toBeNull();
  });

  it('stamps every write after the push’s own statement, of the same tenant and table, in the same transaction', async () => {
    const tenant = uniqueTenant('after-push');
    const pushedRow = newRow(tenant, { body: 'pushed' });
    const later = newRow(tenant, { body: 'written after the push, same transaction' });
    const elsewhere = newRow(tenant, { body: 'another table, same transaction' });
    await admin.query('begin');
    try {
      await admin.query('set local role authenticated');
      await admin.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', tenant_id: tenant })]);
      const pushed = await admin.query(`select public.eq_push($1, $2::json) as outcomes`, [table, JSON.stringify([pushedRow])]);
      const [version] = pushed.rows[0].outcomes as number[];
      // Without the push resetting its mark, this insert would skip the trigger and fail its NOT NULL version.
      const direct = await admin.query(
        `insert into public.${table} (id, tenant_id, updated_at, body) values ($1, $2, $3, $4) returning server_version::text, txid::text, pg_current_xact_id()::text as now`,
        [later.id, tenant, later.updated_at, later.body],
      );
      expect(BigInt(direct.rows[0].server_version)).toBeGreaterThan(BigInt(version as number));
      expect(direct.rows[0].txid).toBe(direct.rows[0].now);
      const another = await admin.query(
        `insert into public.${other} (id, tenant_id, updated_at, body) values ($1, $2, $3, $4) returning server_version::text`,
        [elsewhere.id, tenant, elsewhere.updated_at, elsewhere.body],
      );
      expect(BigInt(another.rows[0].server_version)).toBeGreaterThan(BigInt(version as number));
    } finally {
      await admin.query('rollback');
    }
  });
});
