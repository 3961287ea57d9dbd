import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { SupabaseRemote} from '../src/index.js';
import { CloudNotAsExpectedError, RemoteRejectedError, SYNC_PROTOCOL_VERSION, type PushOutcome } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

// eq_push_tables: the pushes of several tables in one call, through a real device token.

const cloud = inject('cloud');
const invoices = uniqueName('together_invoices');
const movements = uniqueName('together_movements');

const applied = (outcomes: readonly PushOutcome[]): number[] => outcomes.map((outcome) => (outcome.status === 'applied' ? outcome.server_version : Number.NaN));

describe('several tables pushed in one call', () => {
  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'push-tables-test',
      version: '1.0.0',
      tables: [
        { name: invoices, columns: { total: { type: 'text' } }, strategy: 'LocalWins' },
        { name: movements, columns: { delta: { type: 'integer' } }, strategy: 'LocalWins', direction: 'upload-only' },
      ],
    });
  });

  async function remoteOf(tenant: string): Promise<SupabaseRemote> {
    return (await deviceRemote(tenant)) as SupabaseRemote;
  }

  it('answers each push in the order given, with its echo when asked, and writes every row', async () => {
    const tenant = uniqueTenant('together');
    const remote = await remoteOf(tenant);
    const movement = newRow(tenant, { delta: -1 });
    const invoice = newRow(tenant, { total: '1.65' });
    // The later name first: the answers still come in the order sent.
    const [first, second] = await remote.pushTables([
      { table: movements, items: [{ row: movement, base_version: null }], echo: false },
      { table: invoices, items: [{ row: invoice, base_version: null }], echo: true },
    ]);
    expect(first).toEqual({ answer: { outcomes: [{ id: movement.id, status: 'applied', server_version: expect.any(Number) }], echo: null } });
    expect(second).toEqual({ answer: { outcomes: [{ id: invoice.id, status: 'applied', server_version: expect.any(Number) }], echo: [expect.any(Number), expect.any(Number)] } });
    const { rows } = await pullAll(remote, invoices, { until: hasIds([invoice.id]) });
    expect(rows.map((row) => row.id)).toEqual([invoice.id]);
    // Pushed again: duplicates, nothing written twice.
    const again = await remote.pushTables([{ table: invoices, items: [{ row: invoice, base_version: null }], echo: false }, { table: movements, items: [{ row: movement, base_version: null }], echo: false }]);
    expect(again.map((part) => ('answer' in part ? part.answer.outcomes.map((outcome) => outcome.status) : part.error.message))).toEqual([['duplicate'], ['duplicate']]);
  });

  it('refuses one push on its own — a table the cloud does not have — and writes the others', async () => {
    const tenant = uniqueTenant('together-bad');
    const remote = await remoteOf(tenant);
    const invoice = newRow(tenant, { total: '2.00' });
    const [missing, written] = await remote.pushTables([
      { table: 'no_such_table', items: [{ row: newRow(tenant, { total: 'x' }), base_version: null }], echo: false },
      { table: invoices, items: [{ row: invoice, base_version: null }], echo: false },
    ]);
    expect(missing).toEqual({ error: expect.any(RemoteRejectedError) });
    expect('error' in missing! && missing.error).toMatchObject({ operation: 'push', table: 'no_such_table', retryable: false, message: expect.stringContaining('is not a synced table') });
    expect(written).toMatchObject({ answer: { outcomes: [{ id: invoice.id, status: 'applied' }] } });
    expect(applied((written as { answer: { outcomes: PushOutcome[] } }).answer.outcomes).every(Number.isInteger)).toBe(true);
  });

  it('is refused whole, nothing written, when the cloud is not as the device expects', async () => {
    const tenant = uniqueTenant('together-expect');
    const remote = await remoteOf(tenant);
    const health = await remote.health(5_000);
    const invoice = newRow(tenant, { total: '3.00' });
    const stale = { protocol: SYNC_PROTOCOL_VERSION, tenant, epoch: health.epoch!, highWater: String(BigInt(health.highWater!) + 1_000_000n) };
    await expect(remote.pushTables([{ table: invoices, items: [{ row: invoice, base_version: null }], echo: false }, { table: movements, items: [{ row: newRow(tenant, { delta: 1 }), base_version: null }], echo: false }], stale)).rejects.toBeInstanceOf(CloudNotAsExpectedError);
    expect((await pullAll(await deviceRemote(tenant, 'till-2'), invoices)).rows).toEqual([]);
    const current = { ...stale, highWater: health.highWater! };
    const [answer] = await remote.pushTables([{ table: invoices, items: [{ row: invoice, base_version: null }], echo: false }], current);
    expect(answer).toMatchObject({ answer: { outcomes: [{ status: 'applied' }] } });
  });

  it('refuses a call of more than 8 tables, or not an array, whole', async () => {
    const tenant = uniqueTenant('together-caps');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant, 'till-1') });
    const nine = Array.from({ length: 9 }, () => ({ table: invoices, rows: [newRow(tenant, { total: '1' })], bases: null, echo: false }));
    expect((await client.rpc('eq_push_tables', { p_pushes: nine })).error).toMatchObject({ code: '54000', message: expect.stringContaining('at most 8 tables') });
    expect((await client.rpc('eq_push_tables', { p_pushes: { table: invoices } })).error).toMatchObject({ code: '22023' });
    expect(await client.rpc('eq_push_tables', { p_pushes: [] })).toMatchObject({ error: null, data: [] });
    expect((await pullAll(await deviceRemote(tenant, 'till-2'), invoices)).rows).toEqual([]);
  });
});
