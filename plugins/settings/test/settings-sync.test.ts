import { SettingsApi } from '../src/index.js';
import { cloudRest, disposeAfterTest, installCloudSchema, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig } from '../../../host/test/host-kit.js';
import { putSetting } from './settings-kit.js';

const cloud = inject('cloud');

async function device(tenant: string, name: string): Promise<{ host: EquinoxHost; settings: SettingsApi }> {
  const host = disposeAfterTest(await createHost({ config: await deviceConfig(cloud, { tenant, device: name, dir: tempDir('settings-sync'), builtins: true }) }));
  return { host, settings: host.api(SettingsApi) };
}

async function cloudValue(tenant: string, key: string): Promise<unknown> {
  const { body } = await cloudRest('GET', `settings?tenant_id=eq.${encodeURIComponent(tenant)}&key=eq.${encodeURIComponent(key)}&deleted=is.false&select=value`);
  return (body as { value: unknown }[]).map((row) => row.value);
}

describe('settings sync: the cloud wins', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
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
    await putSetting(cloud, tenant, 'currency', 'GBP');

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
    await putSetting(cloud, tenant, 'receipt.footer', 'from the back office');
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
