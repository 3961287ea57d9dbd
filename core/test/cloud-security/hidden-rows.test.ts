import { describe, expect, inject, it, beforeAll } from 'vitest';
import { installPlugin, newRow } from '../protocol-kit.js';
import { deviceRemote, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const ledger = uniqueName('sec_hidden');

/**
 * A plugin may hide some of a tenant's own rows from its devices (a restrictive select
 * policy). A push that meets such a row by its id — an append-only table inserts or skips,
 * so the push's step finds the row neither written nor readable — neither overwrites it
 * nor tells anything of it: the row is refused as a concurrent upload would be (retried
 * later), and the rest of the batch goes in.
 */
describe('a push meeting a row its device may not read', () => {
  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-hidden-test',
      version: '1.0.0',
      tables: [{ name: ledger, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true }],
      serverSql: `create policy sec_hidden_rows on public.${ledger} as restrictive for select to authenticated using (body is distinct from 'hidden');`,
    });
  });

  it('is refused as retryable, without overwriting the row or naming anything of it, and the batch goes in', async () => {
    const tenant = uniqueTenant('hidden');
    const secret = newRow(tenant, { body: 'hidden' });
    const service = supabaseClient(cloud.serviceKey);
    const { error } = await service.from(ledger).insert(secret);
    expect(error).toBeNull();

    const remote = await deviceRemote(tenant);
    const fresh = newRow(tenant, { body: 'fresh' });
    const outcomes = await remote.push(ledger, [{ ...secret, body: 'mine' }, fresh].map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'applied']);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', code: '40001' });
    expect(JSON.stringify(outcomes[0])).not.toContain('hidden');

    const { data } = await service.from(ledger).select('id, body').in('id', [secret.id, fresh.id]).order('body');
    expect(data).toEqual([
      { id: fresh.id, body: 'fresh' },
      { id: secret.id, body: 'hidden' },
    ]);
  });
});
