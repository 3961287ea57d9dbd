import { SettingsApi } from '../src/index.js';
import { disposeAfterTest, eventually, installCloudSchema, tempDir, uniqueTenant, withSuperuser } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig } from '../../../host/test/host-kit.js';
import { putLicence, putSetting } from './settings-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';
const PAST = '2020-01-01T00:00:00.000Z';
const FUTURE = '2099-01-01T00:00:00.000Z';

async function device(tenant: string, name: string): Promise<{ host: EquinoxHost; settings: SettingsApi }> {
  const host = disposeAfterTest(await createHost({ config: await deviceConfig(cloud, { tenant, device: name, dir: tempDir('licence'), builtins: true }) }));
  return { host, settings: host.api(SettingsApi) };
}

function sell(host: EquinoxHost, sku: string): void {
  host.store(INVENTORY).insert('products', { sku, name: sku, price_cents: 100 });
}

async function cloudProducts(tenant: string): Promise<string[]> {
  const { rows } = await withSuperuser((client) => client.query<{ sku: string }>('select sku from public.products where tenant_id = $1 order by sku', [tenant]));
  return rows.map((row) => row.sku);
}

/**
 * Syncs until `done` holds, whatever the runs answer: uploads stay paused by the licence
 * while pulls go on (and the cloud's rows below the oldest open transaction, other files
 * committing concurrently, may arrive a run late).
 */
async function pullUntil(host: EquinoxHost, done: () => boolean): Promise<void> {
  const synced = async (): Promise<boolean> => {
    await host.syncNow();
    return done();
  };
  expect(await eventually(synced, 15_000, 100)).toBe(true);
}

describe('the licence gate on a host', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('an expired licence pauses uploads with nothing lost while pulls go on, and a renewal uploads everything', async () => {
    const tenant = uniqueTenant('licence-expired');
    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 5 });
    const till = await device(tenant, 'till-1');
    sell(till.host, 'A-1');
    sell(till.host, 'A-2');
    till.settings.set('currency', 'EUR');
    await putSetting(cloud, tenant, 'banner', 'Please renew your licence');

    const paused = await till.host.syncNow();
    const reason = `uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`;
    expect(paused).toMatchObject({ uploaded: 0, error: reason, offline: false });
    expect(till.host.status).toMatchObject({ lastError: reason, pendingUploads: 3, failed: [] });
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'expired', reason });

    // Pulls go on while uploads wait: the cloud's setting and the licence itself arrive.
    await pullUntil(till.host, () => till.settings.get('banner') !== undefined && till.settings.licence() !== undefined);
    expect(till.settings.get('banner')).toBe('Please renew your licence');
    expect(till.settings.licence()).toMatchObject({ validUntil: PAST, maxDevices: 5 });
    sell(till.host, 'A-3'); // local changes keep queueing
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 0, error: reason });
    expect(till.host.status).toMatchObject({ lastError: reason, pendingUploads: 4 });
    expect(await cloudProducts(tenant)).toEqual([]);

    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 5 });
    const resumed = await till.host.syncNow(); // the gate asks the cloud, so the renewal counts in this very run
    expect(resumed).toMatchObject({ uploaded: 4, error: null });
    expect(till.host.status).toMatchObject({ lastError: null, pendingUploads: 0 });
    expect(await cloudProducts(tenant)).toEqual(['A-1', 'A-2', 'A-3']);
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'valid', reason: null, licence: { validUntil: FUTURE } });
  });

  it('device max_devices + 1 is refused with a clear error while the first max_devices upload', async () => {
    const tenant = uniqueTenant('licence-limit');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const tills = [await device(tenant, 'till-1'), await device(tenant, 'till-2'), await device(tenant, 'till-3')];
    tills.forEach((till, i) => sell(till.host, `T-${i + 1}`));

    for (const till of tills.slice(0, 2)) expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    const third = tills[2]!;
    const refused = await third.host.syncNow();
    const reason = `uploads paused: licence for tenant "${tenant}" allows 2 devices; device "till-3" would be 3`;
    expect(refused).toMatchObject({ uploaded: 0, error: reason });
    expect(third.host.status).toMatchObject({ lastError: reason, pendingUploads: 1 });
    expect(third.settings.licenceStatus().state).toBe('device-limit');
    expect(await cloudProducts(tenant)).toEqual(['T-1', 'T-2']);
    // The registered devices keep uploading.
    sell(tills[0]!.host, 'T-4');
    expect(await tills[0]!.host.syncNow()).toMatchObject({ uploaded: 1, error: null });

    // A bigger licence lets the third device in on its next run.
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 3 });
    expect(await third.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(await cloudProducts(tenant)).toEqual(['T-1', 'T-2', 'T-3', 'T-4']);
  });

  it('is asked once per few minutes while it lets uploads go, and at every run while they are paused (a renewal then shows at once)', async () => {
    const tenant = uniqueTenant('licence-quiet');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 5 });
    const till = await device(tenant, 'till-1');
    sell(till.host, 'Q-1');
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    const checked = till.settings.licenceStatus().checkedAt;
    expect(checked).not.toBeNull();
    // Nothing to send: no licence call (a request saved on every no-op run and live nudge).
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 0, error: null });
    expect(till.settings.licenceStatus().checkedAt).toBe(checked);
    // The first run pulled the licence after the gate's check: the next sale asks once more,
    // then, the device's copy unchanged, the cloud's go-ahead stands for LICENCE_RECHECK_MS.
    sell(till.host, 'Q-2');
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    const kept = till.settings.licenceStatus().checkedAt;
    sell(till.host, 'Q-3');
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(till.settings.licenceStatus().checkedAt).toBe(kept);

    // Expired meanwhile (not pulled yet): the cloud's push gate refuses the next sale's push, in the gate's words.
    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 5 });
    sell(till.host, 'Q-4');
    const reason = `uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`;
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 0, error: reason });
    expect(till.host.status).toMatchObject({ uploadsPaused: reason, pendingUploads: 1, failed: [] });
    // Paused, the next run asks the gate, which asks the cloud: it pauses before sending anything.
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 0, error: reason });
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'expired', reason });
    // While paused, every run asks, queue or not: the renewal ends the pause in the next run.
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 5 });
    const pausedAt = till.settings.licenceStatus().checkedAt;
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'valid' });
    expect(till.settings.licenceStatus().checkedAt).toBeGreaterThanOrEqual(pausedAt!);
    expect(till.host.status.uploadsPaused).toBeNull();
    expect(await cloudProducts(tenant)).toEqual(['Q-1', 'Q-2', 'Q-3', 'Q-4']);
  });

  it('a tenant with no licence uploads freely until the back office requires one', async () => {
    const tenant = uniqueTenant('licence-unmanaged');
    const till = await device(tenant, 'till-1');
    sell(till.host, 'U-1');
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(till.settings.licenceStatus().state).toBe('unmanaged');

    await putSetting(cloud, tenant, 'licence.required', true);
    sell(till.host, 'U-2');
    const paused = await till.host.syncNow();
    expect(paused).toMatchObject({ uploaded: 0, error: `uploads paused: tenant "${tenant}" has no valid licence (none issued, and licence.required is set)` });
    expect(till.host.status.pendingUploads).toBe(1);
  });
});
