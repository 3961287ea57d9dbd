import { SettingsApi } from '../src/index.js';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig, installCloudSchema, syncUntil, tempDir, uniqueTenant } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const hosts: EquinoxHost[] = [];

async function device(tenant: string, name: string): Promise<{ host: EquinoxHost; settings: SettingsApi }> {
  const host = await createHost({ config: await deviceConfig(cloud, { tenant, device: name, dir: tempDir('settings-sync'), builtins: true }) });
  hosts.push(host);
  return { host, settings: host.api(SettingsApi) };
}

/** The back office changes a setting in the cloud, with the service key. */
async function cloudSet(tenant: string, key: string, value: unknown): Promise<void> {
  const response = await fetch(`${cloud.url}/rest/v1/rpc/settings_put`, {
    method: 'POST',
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${cloud.serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ p_tenant: tenant, p_key: key, p_value: value }),
  });
  if (response.status !== 200) throw new Error(`settings_put: HTTP ${response.status} ${await response.text()}`);
}

async function cloudValue(tenant: string, key: string): Promise<unknown> {
  const response = await fetch(`${cloud.url}/rest/v1/settings?tenant_id=eq.${encodeURIComponent(tenant)}&key=eq.${encodeURIComponent(key)}&deleted=is.false&select=value`, {
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${cloud.serviceKey}` },
  });
  const rows = (await response.json()) as { value: unknown }[];
  return rows.map((row) => row.value);
}

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.dispose();
});

describe('settings sync: the cloud wins', () => {
  beforeAll(async () => {
    await installCloudSchema(cloud, BUILTIN_PLUGINS);
  });

  it('a device\'s edit and a concurrent cloud edit of one setting end with the cloud\'s value everywhere', async () => {
    const tenant = uniqueTenant('settings-concurrent');
    const tillA = await device(tenant, 'till-a');
    const tillB = await device(tenant, 'till-b');
    tillA.settings.set('currency', 'EUR');
    await syncUntil(tillA.host, () => tillA.host.status.pendingUploads === 0);
    await syncUntil(tillB.host, () => tillB.settings.get('currency') === 'EUR');

    // Both tills edit while the back office edits the same setting in the cloud.
    tillA.settings.set('currency', 'USD');
    tillB.settings.set('currency', 'JPY');
    await cloudSet(tenant, 'currency', 'GBP');

    const a = await tillA.host.syncNow();
    expect(a).toMatchObject({ error: null, conflicts: 1, uploaded: 0 });
    await syncUntil(tillB.host, () => tillB.settings.get('currency') === 'GBP');
    await syncUntil(tillA.host, () => tillA.settings.get('currency') === 'GBP');
    expect(tillA.settings.get('currency')).toBe('GBP');
    expect(tillB.settings.get('currency')).toBe('GBP');
    expect(await cloudValue(tenant, 'currency')).toEqual(['GBP']);
    expect([tillA.host.status.pendingUploads, tillB.host.status.pendingUploads]).toEqual([0, 0]);
    expect([tillA.host.status.conflicts, tillB.host.status.conflicts]).toEqual([0, 0]);
  });

  it('a setting created on a device and in the cloud at once is one setting, with the cloud\'s value', async () => {
    const tenant = uniqueTenant('settings-created-twice');
    const till = await device(tenant, 'till-1');
    till.settings.set('receipt.footer', 'from the till');
    await cloudSet(tenant, 'receipt.footer', 'from the back office');
    await syncUntil(till.host, () => till.settings.get('receipt.footer') === 'from the back office');
    expect(till.settings.list().filter((s) => s.key === 'receipt.footer')).toHaveLength(1);
    expect(till.host.status.failed).toEqual([]);
    expect(await cloudValue(tenant, 'receipt.footer')).toEqual(['from the back office']);
  });

  it('a device\'s setting for itself uploads and reaches the other devices as that device\'s, not theirs', async () => {
    const tenant = uniqueTenant('settings-device-scope');
    const tillA = await device(tenant, 'till-a');
    const tillB = await device(tenant, 'till-b');
    tillA.settings.set('printer', { port: 9100 }, { scope: 'device' });
    tillA.settings.set('printer', { port: 1 });
    await syncUntil(tillA.host, () => tillA.host.status.pendingUploads === 0);
    await syncUntil(tillB.host, () => tillB.settings.get('printer') !== undefined);
    expect(tillA.settings.get('printer')).toEqual({ port: 9100 });
    expect(tillB.settings.get('printer')).toEqual({ port: 1 });
  });
});
