import { SettingsApi } from '../src/index.js';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig, installCloudSchema, tempDir, uniqueTenant } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';
const PAST = '2020-01-01T00:00:00.000Z';
const FUTURE = '2099-01-01T00:00:00.000Z';
const hosts: EquinoxHost[] = [];
let superuser: pg.Client;

async function device(tenant: string, name: string): Promise<{ host: EquinoxHost; settings: SettingsApi }> {
  const host = await createHost({ config: await deviceConfig(cloud, { tenant, device: name, dir: tempDir('licence'), builtins: true }) });
  hosts.push(host);
  return { host, settings: host.api(SettingsApi) };
}

/** A back-office call with the service key: the only role that writes licences. */
async function serviceRpc(fn: string, args: object): Promise<void> {
  const response = await fetch(`${cloud.url}/rest/v1/rpc/${fn}`, {
    method: 'POST',
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${cloud.serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  if (response.status !== 200) throw new Error(`${fn}: HTTP ${response.status} ${await response.text()}`);
}

function putLicence(tenant: string, validUntil: string, maxDevices: number): Promise<void> {
  return serviceRpc('settings_put_licence', { p_tenant: tenant, p_plan: 'pro', p_valid_until: validUntil, p_max_devices: maxDevices });
}

function sell(host: EquinoxHost, sku: string): void {
  host.store(INVENTORY).insert('products', { sku, name: sku, price_cents: 100 });
}

async function cloudProducts(tenant: string): Promise<string[]> {
  const { rows } = await superuser.query('select sku from public.products where tenant_id = $1 order by sku', [tenant]);
  return rows.map((row: { sku: string }) => row.sku);
}

/** Runs until the cloud's rows below the oldest open transaction have arrived (other files commit concurrently). */
async function syncUntil(host: EquinoxHost, done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !done(); attempt++) {
    await host.syncNow();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the licence gate on a host', () => {
  beforeAll(async () => {
    await installCloudSchema(cloud, BUILTIN_PLUGINS);
    superuser = new pg.Client({ connectionString: cloud.adminPgUrl });
    await superuser.connect();
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
  });
  afterAll(async () => {
    await superuser?.end();
  });

  it('an expired licence pauses uploads with nothing lost while pulls go on, and a renewal uploads everything', async () => {
    const tenant = uniqueTenant('licence-expired');
    await putLicence(tenant, PAST, 5);
    const till = await device(tenant, 'till-1');
    sell(till.host, 'A-1');
    sell(till.host, 'A-2');
    till.settings.set('currency', 'EUR');
    await serviceRpc('settings_put', { p_tenant: tenant, p_key: 'banner', p_value: 'Please renew your licence' });

    const paused = await till.host.syncNow();
    const reason = `uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`;
    expect(paused).toMatchObject({ uploaded: 0, error: reason, offline: false });
    expect(till.host.status).toMatchObject({ lastError: reason, pendingUploads: 3, failed: [] });
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'expired', reason });

    // Pulls go on while uploads wait: the cloud's setting and the licence itself arrive.
    await syncUntil(till.host, () => till.settings.get('banner') !== undefined && till.settings.licence() !== undefined);
    expect(till.settings.get('banner')).toBe('Please renew your licence');
    expect(till.settings.licence()).toMatchObject({ validUntil: PAST, maxDevices: 5 });
    sell(till.host, 'A-3'); // local changes keep queueing
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 0, error: reason });
    expect(till.host.status).toMatchObject({ lastError: reason, pendingUploads: 4 });
    expect(await cloudProducts(tenant)).toEqual([]);

    await putLicence(tenant, FUTURE, 5);
    const resumed = await till.host.syncNow(); // the gate asks the cloud, so the renewal counts in this very run
    expect(resumed).toMatchObject({ uploaded: 4, error: null });
    expect(till.host.status).toMatchObject({ lastError: null, pendingUploads: 0 });
    expect(await cloudProducts(tenant)).toEqual(['A-1', 'A-2', 'A-3']);
    expect(till.settings.licenceStatus()).toMatchObject({ state: 'valid', reason: null, licence: { validUntil: FUTURE } });
  });

  it('device max_devices + 1 is refused with a clear error while the first max_devices upload', async () => {
    const tenant = uniqueTenant('licence-limit');
    await putLicence(tenant, FUTURE, 2);
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
    await putLicence(tenant, FUTURE, 3);
    expect(await third.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(await cloudProducts(tenant)).toEqual(['T-1', 'T-2', 'T-3', 'T-4']);
  });

  it('a tenant with no licence uploads freely until the back office requires one', async () => {
    const tenant = uniqueTenant('licence-unmanaged');
    const till = await device(tenant, 'till-1');
    sell(till.host, 'U-1');
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, error: null });
    expect(till.settings.licenceStatus().state).toBe('unmanaged');

    await serviceRpc('settings_put', { p_tenant: tenant, p_key: 'licence.required', p_value: true });
    sell(till.host, 'U-2');
    const paused = await till.host.syncNow();
    expect(paused).toMatchObject({ uploaded: 0, error: `uploads paused: tenant "${tenant}" has no valid licence (none issued, and licence.required is set)` });
    expect(till.host.status.pendingUploads).toBe(1);
  });
});
