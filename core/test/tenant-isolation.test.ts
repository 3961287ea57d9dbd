import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RemoteRejectedError, SupabaseRemote, type Row } from '../src/index.js';
import { hlc, installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('tenancy');

describe('a device reaches only its own tenant, through the protocol and plain REST', () => {
  const tenantA = uniqueTenant('tenant-a');
  const tenantB = uniqueTenant('tenant-b');
  const rowsOfB: Row[] = [newRow(tenantB, { body: 'B one' }), newRow(tenantB, { body: 'B two' })];

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'tenancy-test',
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LocalWins' }],
    });
    const deviceB = await deviceRemote(tenantB);
    await deviceB.push(table, rowsOfB.map((row) => ({ row, base_version: null })));
    await pullAll(deviceB, table, { until: hasIds(rowsOfB.map((row) => row.id)) });
  });

  async function storedOfB(): Promise<Row[]> {
    const { data } = await supabaseClient(cloud.serviceKey).from(table).select('id, tenant_id, body').eq('tenant_id', tenantB).order('id');
    return data as Row[];
  }

  it("does not pull another tenant's rows", async () => {
    const deviceA = await deviceRemote(tenantA);
    const mine = newRow(tenantA, { body: 'A one' });
    await deviceA.push(table, [{ row: mine, base_version: null }]);
    const { rows } = await pullAll(deviceA, table, { until: hasIds([mine.id]) });
    expect(rows.map((row) => row.tenant_id)).toEqual([tenantA]);
  });

  it("refuses pushes into another tenant in row-level security's words alone; another tenant's id is just an id", async () => {
    const deviceA = await deviceRemote(tenantA);
    const intoB = newRow(tenantB, { body: 'planted by A' });
    const ontoB = { ...(rowsOfB[0] as Row), tenant_id: tenantA, body: 'same id, A\'s own row' };
    const ontoBLater = { ...(rowsOfB[1] as Row), tenant_id: tenantA, body: 'newer, by A', updated_at: hlc(Date.now() + 60_000, 0, 'devA') };
    const ontoBAsB = { ...(rowsOfB[1] as Row), body: 'overwritten by A' };
    const fine = newRow(tenantA, { body: 'A two' });
    const outcomes = await deviceA.push(table, [intoB, ontoB, ontoBLater, ontoBAsB, fine].map((row) => ({ row, base_version: null })));
    // Keys are (tenant_id, id): A's rows with B's ids are A's own rows and collide with nothing of B.
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'applied', 'applied', 'rejected', 'applied']);
    for (const outcome of [outcomes[0], outcomes[3]]) {
      expect(outcome).toEqual({ id: expect.any(String), status: 'rejected', code: '42501', reason: `new row violates row-level security policy for table "${table}"` });
    }
    expect(await storedOfB()).toEqual(
      rowsOfB.map(({ id, tenant_id, body }) => ({ id, tenant_id, body })).sort((a, b) => String(a.id).localeCompare(String(b.id))),
    );
  });

  it("neither reads nor writes another tenant's rows through REST", async () => {
    const rest = supabaseClient(cloud.anonKey, { token: await deviceToken(tenantA) });
    const read = await rest.from(table).select('id').eq('tenant_id', tenantB);
    expect(read.error).toBeNull();
    expect(read.data).toEqual([]);

    const insert = await rest.from(table).insert(newRow(tenantB, { body: 'planted' }));
    expect(insert.error?.code).toBe('42501');

    // By B's id, A reaches at most its own row of that id.
    const update = await rest.from(table).update({ body: 'changed by A' }).eq('id', rowsOfB[0]?.id).select('tenant_id');
    expect(update.error).toBeNull();
    expect((update.data ?? []).filter((row) => row.tenant_id !== tenantA)).toEqual([]);

    const upsertAsB = await rest.from(table).upsert({ ...(rowsOfB[0] as Row), body: 'upserted by A' }, { onConflict: 'tenant_id,id' });
    expect(upsertAsB.error?.code).toBe('42501');
    const upsertAsA = await rest.from(table).upsert({ ...(rowsOfB[0] as Row), tenant_id: tenantA, body: 'upserted by A' }, { onConflict: 'tenant_id,id' }).select('tenant_id');
    expect(upsertAsA.error).toBeNull();
    expect(upsertAsA.data).toEqual([{ tenant_id: tenantA }]);

    expect((await storedOfB()).map((row) => row.body).sort()).toEqual(['B one', 'B two']);
  });

  it('never hard-deletes: a device may not delete even its own rows', async () => {
    const deviceA = await deviceRemote(tenantA);
    const mine = newRow(tenantA, { body: 'keep me' });
    await deviceA.push(table, [{ row: mine, base_version: null }]);
    const rest = supabaseClient(cloud.anonKey, { token: await deviceToken(tenantA) });
    const { error } = await rest.from(table).delete().eq('id', mine.id);
    expect(error?.code).toBe('42501');
  });

  it('gives the anon key nothing: no rows, no push, no pull', async () => {
    const anonRest = supabaseClient(cloud.anonKey);
    const read = await anonRest.from(table).select('id');
    expect(read.data ?? []).toEqual([]);
    expect(read.error?.code).toBe('42501');

    const anon = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey });
    const push = anon.push(table, [{ row: newRow(tenantA, { body: 'anonymous' }), base_version: null }]);
    await expect(push).rejects.toBeInstanceOf(RemoteRejectedError);
    await expect(push).rejects.toMatchObject({ code: '42501', retryable: false });
    await expect(anon.pull(table, null, 10)).rejects.toMatchObject({ code: '42501' });
  });

  it('gives a token without a tenant claim nothing', async () => {
    const { TokenMinter } = await import('@equinox-sync/local-cloud');
    const token = await new TokenMinter(cloud.jwtSecret).mint({ role: 'authenticated' });
    const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: token });
    expect((await remote.pull(table, null, 1000)).rows).toEqual([]);
    const [outcome] = await remote.push(table, [{ row: newRow(tenantA, {}), base_version: null }]);
    expect(outcome).toMatchObject({ status: 'rejected', code: '42501' });
  });
});
