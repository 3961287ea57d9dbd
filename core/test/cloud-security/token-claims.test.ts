import { TokenMinter } from '@equinox-sync/local-cloud';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SupabaseRemote, SYNC_PROTOCOL_VERSION } from '../../src/index.js';
import { installPlugin, newRow } from '../protocol-kit.js';
import { hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('sec_claims');

/** What eq_health says the cloud read from a token (without the cloud's marks — epoch, high_water, next_txid — and the pull scopes' claims). */
async function health(token: string): Promise<unknown> {
  const { data, error } = await supabaseClient(cloud.anonKey, { token: token }).rpc('eq_health');
  expect(error).toBeNull();
  const { epoch: _epoch, high_water: _highWater, next_txid: _nextTxid, scopes: _scopes, ...claims } = data as Record<string, unknown>;
  return claims;
}

/** Whether a token may write and read back a row of `tenant`. */
async function writesAndReads(token: string, tenant: string): Promise<{ pushed: string; pulled: number; rest: number }> {
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: token });
  const row = newRow(tenant, { body: 'mine?' });
  const [outcome] = await remote.push(table, [{ row, base_version: null }]);
  const { rows } = await pullAll(remote, table, { until: hasIds([row.id]), timeoutMs: outcome?.status === 'applied' ? 10_000 : 0 });
  const { data } = await supabaseClient(cloud.anonKey, { token: token }).from(table).select('id').eq('tenant_id', tenant);
  return { pushed: outcome?.status ?? 'none', pulled: rows.length, rest: (data ?? []).length };
}

/**
 * The cloud reads a device's tenant and device id from `app_metadata` (only the service
 * key writes it) or from top-level claims (a custom access token hook), never from
 * `user_metadata`, which any signed-in user may set on themselves.
 */
describe('token claims: app_metadata or top level, never user_metadata', () => {
  const minter = new TokenMinter(cloud.jwtSecret);

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-claims-test',
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
    });
  });

  it('reads the tenant and the device from app_metadata', async () => {
    const tenant = uniqueTenant('app-metadata');
    const token = await minter.mint({ app_metadata: { tenant_id: tenant, device_id: 'till-1' } });
    expect(await health(token)).toEqual({ ok: true, protocol: SYNC_PROTOCOL_VERSION, tenant, device: 'till-1' });
    expect(await writesAndReads(token, tenant)).toEqual({ pushed: 'applied', pulled: 1, rest: 1 });
  });

  it("reads top-level claims, a custom access token hook's shape", async () => {
    const tenant = uniqueTenant('top-level');
    const token = await minter.mint({ tenant_id: tenant, device_id: 'till-2' });
    expect(await health(token)).toEqual({ ok: true, protocol: SYNC_PROTOCOL_VERSION, tenant, device: 'till-2' });
    expect(await writesAndReads(token, tenant)).toEqual({ pushed: 'applied', pulled: 1, rest: 1 });
  });

  it('prefers app_metadata over a top-level claim of the same name', async () => {
    const tenant = uniqueTenant('preferred');
    const shadow = uniqueTenant('shadow');
    const token = await minter.mint({ tenant_id: shadow, device_id: 'shadow-till', app_metadata: { tenant_id: tenant, device_id: 'till-3' } });
    expect(await health(token)).toMatchObject({ tenant, device: 'till-3' });
    expect(await writesAndReads(token, shadow)).toEqual({ pushed: 'rejected', pulled: 0, rest: 0 });
  });

  it('grants nothing for a tenant named in user_metadata', async () => {
    const tenant = uniqueTenant('user-metadata');
    const token = await minter.mint({ user_metadata: { tenant_id: tenant, device_id: 'till-4' } });
    expect(await health(token)).toEqual({ ok: true, protocol: SYNC_PROTOCOL_VERSION, tenant: null, device: null });
    expect(await writesAndReads(token, tenant)).toEqual({ pushed: 'rejected', pulled: 0, rest: 0 });
    const direct = await supabaseClient(cloud.anonKey, { token: token }).from(table).insert(newRow(tenant, { body: 'via REST' }));
    expect(direct.error?.code).toBe('42501');
  });

  it('reports a missing device claim as null, the tenant still read', async () => {
    const tenant = uniqueTenant('no-device');
    expect(await health(await minter.mint({ app_metadata: { tenant_id: tenant } }))).toEqual({ ok: true, protocol: SYNC_PROTOCOL_VERSION, tenant, device: null });
  });
});
