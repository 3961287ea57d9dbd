import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../src/index.js';
import { installPlugin, newRow } from '../protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('sec_keys');
const rlsSentence = `new row violates row-level security policy for table "${table}"`;

/**
 * Cloud keys are (tenant_id, id): ids derive from public inputs (a tenant name and a SKU,
 * a setting's key), so with a global key one tenant could take the id another's device
 * was about to use and have that device's row refused for good.
 */
describe('tenant-scoped keys: no tenant can take, refuse or reveal another tenant’s row', () => {
  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-keys-test',
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text', nullable: false } }, strategy: 'LastWriteWins' }],
    });
  });

  it('lets a victim use the ids an attacker squatted, through REST and eq_push, and pull only its own rows', async () => {
    const attacker = uniqueTenant('squatter');
    const victim = uniqueTenant('victim');
    const viaRest = newRow(attacker, { body: 'squatted through REST' });
    const viaPush = newRow(attacker, { body: 'squatted through eq_push' });
    const rest = supabaseClient(cloud.anonKey, { token: await deviceToken(attacker) });
    expect((await rest.from(table).insert(viaRest)).error).toBeNull();
    expect((await (await deviceRemote(attacker)).push(table, [{ row: viaPush, base_version: null }]))[0]).toMatchObject({ status: 'applied' });

    const victimDevice = await deviceRemote(victim);
    const mine = [viaRest, viaPush].map((row): Row => ({ ...row, tenant_id: victim, body: `the victim's own ${String(row.id)}` }));
    const outcomes = await victimDevice.push(table, mine.map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);

    const { rows } = await pullAll(victimDevice, table, { until: hasIds(mine.map((row) => row.id)) });
    expect(rows.map(({ id, tenant_id, body }) => ({ id, tenant_id, body }))).toEqual(mine.map(({ id, tenant_id, body }) => ({ id, tenant_id, body })));

    const stored = await supabaseClient(cloud.serviceKey).from(table).select('tenant_id, body').in('id', [viaRest.id, viaPush.id]).order('body');
    expect(stored.data).toHaveLength(4); // both tenants keep their row of each id
    const { rows: attackerRows } = await pullAll(await deviceRemote(attacker), table, { until: hasIds([viaRest.id, viaPush.id]) });
    expect(attackerRows.map((row) => row.body).sort()).toEqual(['squatted through REST', 'squatted through eq_push']);
  });

  it('answers a row of another tenant with the row-level security sentence and nothing else, alongside its own rows', async () => {
    const tenant = uniqueTenant('mixed');
    const other = uniqueTenant('other');
    const remote = await deviceRemote(tenant);
    const good = newRow(tenant, { body: 'fine' });
    const foreign = newRow(other, { body: 'not mine' });
    const bad = newRow(tenant, { body: null });
    const good2 = newRow(tenant, { body: 'fine too' });
    const outcomes = await remote.push(table, [good, foreign, bad, good2].map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'rejected', 'applied']);
    expect(outcomes[1]).toEqual({ id: foreign.id, status: 'rejected', code: '42501', reason: rlsSentence });
    expect(outcomes[2]).toMatchObject({ code: '23502' });
  });

  it('settles a batch of 1,000 foreign rows in one pass, each answered as row-level security answers it', async () => {
    const tenant = uniqueTenant('flooder');
    const victim = uniqueTenant('flooded');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant) });
    const rows: Row[] = Array.from({ length: 1000 }, (_, n) => newRow(victim, { body: `foreign ${n}` }));
    const started = performance.now();
    const { data, error } = await client.rpc('eq_push', { p_table: table, p_rows: rows });
    const ms = Math.round(performance.now() - started);
    expect(error).toBeNull();
    const answers = data as unknown[];
    expect(answers).toHaveLength(1000);
    expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify({ code: '42501', reason: rlsSentence, status: 'rejected' })]),
    );
    console.info(`1,000 foreign rows refused in ${ms} ms`);
    const stored = await supabaseClient(cloud.serviceKey).from(table).select('id', { count: 'exact', head: true }).eq('tenant_id', victim);
    expect(stored.count).toBe(0);
  });

  it('answers a token without a tenant claim as row-level security does, for every row', async () => {
    const { TokenMinter } = await import('@equinox-sync/local-cloud');
    const client = supabaseClient(cloud.anonKey, { token: await new TokenMinter(cloud.jwtSecret).mint({}) });
    const rows = [newRow(uniqueTenant('someone'), { body: 'a' }), { ...newRow('', { body: 'b' }), tenant_id: null }];
    const { data, error } = await client.rpc('eq_push', { p_table: table, p_rows: rows });
    expect(error).toBeNull();
    expect(data).toEqual(rows.map(() => ({ status: 'rejected', code: '42501', reason: rlsSentence })));
  });
});
