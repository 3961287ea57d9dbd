import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, deviceToken, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('append_only');

describe('the cloud refuses to change or remove an append-only row, for every role', () => {
  const tenant = uniqueTenant('append');
  const row: Row = newRow(tenant, { body: 'as issued' });

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'append-only-test',
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true }],
    });
    const [outcome] = await (await deviceRemote(tenant)).push(table, [{ row, base_version: null }]);
    expect(outcome?.status).toBe('applied');
  });

  async function storedBody(): Promise<unknown> {
    const { data } = await supabaseClient(cloud.serviceKey).from(table).select('body').eq('id', row.id).single();
    return (data as Row | null)?.body;
  }

  it('refuses UPDATE and DELETE through REST with the service key', async () => {
    const admin = supabaseClient(cloud.serviceKey);
    const update = await admin.from(table).update({ body: 'rewritten' }).eq('id', row.id);
    expect(update.error?.code).toBe('23001');
    expect(update.error?.message).toMatch(/append-only/);
    const remove = await admin.from(table).delete().eq('id', row.id);
    expect(remove.error?.code).toBe('23001');
    expect(await storedBody()).toBe('as issued');
  });

  it('refuses UPDATE and DELETE through REST with the device token', async () => {
    const device = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    expect((await device.from(table).update({ body: 'rewritten' }).eq('id', row.id)).error?.code).toBe('42501');
    expect((await device.from(table).delete().eq('id', row.id)).error?.code).toBe('42501');
    expect(await storedBody()).toBe('as issued');
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the database owner too', async () => {
    const owner = new pg.Client({ connectionString: cloud.pgUrl });
    await owner.connect();
    try {
      await expect(owner.query(`update public.${table} set body = 'x' where id = $1`, [row.id])).rejects.toMatchObject({ code: '23001' });
      await expect(owner.query(`delete from public.${table} where id = $1`, [row.id])).rejects.toMatchObject({ code: '23001' });
      await expect(owner.query(`truncate public.${table}`)).rejects.toMatchObject({ code: '23001' });
    } finally {
      await owner.end();
    }
    expect(await storedBody()).toBe('as issued');
  });
});
