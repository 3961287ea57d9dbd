import { RemoteRejectedError, RemoteUnavailableError, type Row } from '@equinox-sync/core/plugin';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LICENCE_RECHECK_MS, LicenceGate, licenceId, localLicensing, settingsPlugin } from '../src/index.js';
import { installCloudSchema, uniqueTenant, type PluginDeviceOptions } from '@equinox-sync/core/testing';
import { gateReason, openSettingsDevice, putLicence, putSetting, type SettingsDevice } from './settings-kit.js';

const cloud = inject('cloud');
const FUTURE = '2099-01-01T00:00:00.000Z';
const PAST = '2020-01-01T00:00:00.000Z';

function device(tenant: string, name = 'till-1', rpc?: PluginDeviceOptions['rpc']): Promise<SettingsDevice> {
  return openSettingsDevice(cloud, { tenant, device: name, ...(rpc ? { rpc } : {}) });
}

function pulledLicence(d: SettingsDevice, validUntil: string, extra: Row = {}): void {
  const tenant = d.context.device.tenantId;
  d.store.applyRemote('licenses', [
    { id: licenceId(tenant), tenant_id: tenant, updated_at: '1718000000000-000000-equinox.cloud', deleted: false, server_version: 1, plan: 'pro', valid_until: validUntil, max_devices: 2, features: null, ...extra },
  ]);
}

/** The plugin's gate on `d`'s cloud and copy, on a clock the test moves, counting its calls to the cloud. */
function clockedGate(d: SettingsDevice, start = Date.now()): { gate: LicenceGate; calls: () => number; advance: (ms: number) => void; at: (ms: number) => void } {
  let now = start;
  let calls = 0;
  const cloud = {
    ...d.context.cloud,
    rpc: <T>(fn: string, args?: Record<string, unknown>): Promise<T> => {
      calls += 1;
      return d.context.cloud.rpc<T>(fn, args);
    },
  };
  const gate = new LicenceGate({ ...d.context.device, cloud, local: () => localLicensing(d.context.store), now: () => now });
  return { gate, calls: () => calls, advance: (ms) => (now += ms), at: (ms) => (now = ms) };
}

/** The cloud does not answer, as the device's remote says it. */
const unreachable = (): Promise<never> =>
  Promise.reject(new RemoteUnavailableError({ operation: 'rpc', status: 0, message: 'rpc failed: the cloud is unreachable (ECONNREFUSED)' }));

/** The cloud answers, but has no function of this plugin (its SQL was never applied). */
const withoutPluginSql = (): Promise<never> =>
  Promise.reject(
    new RemoteRejectedError({ operation: 'rpc', status: 404, code: 'PGRST202', message: 'rpc failed: Could not find the function public.settings_register_device(p_device) in the schema cache (code PGRST202, HTTP 404)' }),
  );

describe('the licence gate, on the cloud\'s answer', () => {
  beforeAll(async () => {
    await installCloudSchema([settingsPlugin], cloud);
  });

  it('lets an unmanaged tenant upload, and pauses when its licence is required but missing', async () => {
    const tenant = uniqueTenant('gate-unmanaged');
    const d = await device(tenant);
    expect(d.api.licenceStatus().state).toBe('unchecked');
    expect(await gateReason(d)).toBeUndefined();
    expect(d.api.licenceStatus()).toMatchObject({ state: 'unmanaged', reason: null, source: 'cloud', checkedAt: expect.any(Number) });

    await putSetting(cloud, tenant, 'licence.required', true);
    // The cloud's push gate refuses the next push at once; the run after it asks the gate with the pause.
    const refused = `uploads paused: tenant "${tenant}" has no valid licence (none issued, and licence.required is set)`;
    expect(await gateReason(d, refused)).toBe(refused);
  });

  it('sees an expiry and a renewal at once, without waiting for a pull', async () => {
    const tenant = uniqueTenant('gate-expiry');
    const d = await device(tenant);
    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 2 });
    expect(await gateReason(d)).toBe(`uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`);
    expect(d.api.licenceStatus()).toMatchObject({ state: 'expired', licence: { validUntil: PAST, maxDevices: 2 } });
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    expect(await gateReason(d)).toBeUndefined();
    expect(d.api.licenceStatus()).toMatchObject({ state: 'valid', licence: { validUntil: FUTURE } });
  });

  it('pauses the device past max_devices with the cloud\'s words', async () => {
    const tenant = uniqueTenant('gate-limit');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 1 });
    expect(await gateReason(await device(tenant, 'till-1'))).toBeUndefined();
    const second = await device(tenant, 'till-2');
    expect(await gateReason(second)).toBe(`uploads paused: licence for tenant "${tenant}" allows 1 devices; device "till-2" would be 2`);
    expect(second.api.licenceStatus().state).toBe('device-limit');
  });
});

describe("the licence gate keeps the cloud's go-ahead for a while", () => {
  beforeAll(async () => {
    await installCloudSchema([settingsPlugin], cloud);
  });

  it('asks once per LICENCE_RECHECK_MS while the cloud says go on, and at once whenever uploads are paused', async () => {
    const tenant = uniqueTenant('gate-kept');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const { gate, calls, advance } = clockedGate(await device(tenant));
    expect(await gate.check()).toBeUndefined();
    const decided = gate.status.checkedAt;
    advance(LICENCE_RECHECK_MS - 1);
    expect(await gate.check()).toBeUndefined();
    expect(calls()).toBe(1);
    expect(gate.status).toMatchObject({ state: 'valid', source: 'cloud', checkedAt: decided });
    // Paused (by the cloud's push gate, say): the gate asks, whatever it decided last.
    expect(await gate.check({ paused: 'uploads paused: the licence was revoked' })).toBeUndefined();
    expect(calls()).toBe(2);
    advance(LICENCE_RECHECK_MS);
    await gate.check();
    expect(calls()).toBe(3);
  });

  it("asks again at the next run once the device's copy of its licence changes (a pull brought a renewal)", async () => {
    const tenant = uniqueTenant('gate-copy');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const d = await device(tenant);
    pulledLicence(d, FUTURE);
    const { gate, calls } = clockedGate(d);
    await gate.check();
    await gate.check();
    expect(calls()).toBe(1);
    pulledLicence(d, FUTURE, { max_devices: 5 });
    await gate.check();
    expect(calls()).toBe(2);
  });

  it("never keeps it past the licence's valid_until by the device's clock", async () => {
    const tenant = uniqueTenant('gate-ends');
    const start = Date.now();
    const end = new Date(start + 60_000).toISOString();
    await putLicence(cloud, tenant, { validUntil: end, maxDevices: 2 });
    const { gate, calls, at } = clockedGate(await device(tenant), start);
    expect(await gate.check()).toBeUndefined();
    at(Date.parse(end) - 1);
    await gate.check();
    expect(calls()).toBe(1);
    at(Date.parse(end));
    await gate.check();
    expect(calls()).toBe(2);
  });

  it('keeps no other answer: an expired licence is asked about at every run, so its renewal shows at once', async () => {
    const tenant = uniqueTenant('gate-not-kept');
    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 2 });
    const { gate, calls } = clockedGate(await device(tenant));
    expect(await gate.check()).toContain('has no valid licence (expired');
    expect(await gate.check()).toContain('has no valid licence (expired');
    expect(calls()).toBe(2);
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    expect(await gate.check()).toBeUndefined();
  });
});

describe('the licence gate, when the cloud cannot be asked', () => {
  it('lets a tenant the device knows as unmanaged upload (the upload meets the same failure)', async () => {
    const d = await device(uniqueTenant('offline-unmanaged'), 'till-1', unreachable);
    expect(await gateReason(d)).toBeUndefined();
    expect(d.api.licenceStatus()).toMatchObject({ state: 'unmanaged', source: 'device' });
  });

  it('pauses on an expired or revoked local licence; lets a valid one go when the cloud does not answer (the pushes meet the same failure)', async () => {
    const tenant = uniqueTenant('offline-managed');
    const d = await device(tenant, 'till-1', unreachable);
    pulledLicence(d, PAST);
    expect(await gateReason(d)).toBe(`uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`);
    pulledLicence(d, FUTURE, { deleted: true });
    expect(await gateReason(d)).toBe(`uploads paused: tenant "${tenant}" has no valid licence (revoked)`);
    pulledLicence(d, FUTURE);
    expect(await gateReason(d)).toBeUndefined();
    expect(d.api.licenceStatus()).toMatchObject({ state: 'valid', source: 'device' });
  });

  it('pauses on a valid local licence the cloud never accepted when the cloud answers without this plugin', async () => {
    const tenant = uniqueTenant('no-plugin-sql');
    const d = await device(tenant, 'till-1', withoutPluginSql);
    pulledLicence(d, FUTURE);
    expect(await gateReason(d)).toBe(
      `uploads paused: the licence of tenant "${tenant}" could not be checked in the cloud (rpc failed: Could not find the function public.settings_register_device(p_device) in the schema cache (code PGRST202, HTTP 404))`,
    );
    expect(d.api.licenceStatus()).toMatchObject({ state: 'unknown', source: 'device' });
  });

  it('goes on with a valid local licence once the cloud accepted the device since the host started', async () => {
    const tenant = uniqueTenant('offline-accepted');
    let online = true;
    const answer = { tenant, state: 'valid', revoked: false, licence: { plan: 'pro', valid_until: FUTURE, max_devices: 2, features: null } };
    const d = await device(tenant, 'till-1', () => (online ? Promise.resolve(answer as never) : unreachable()));
    pulledLicence(d, FUTURE);
    const { gate, advance } = clockedGate(d);
    expect(await gate.check()).toBeUndefined();
    online = false;
    advance(LICENCE_RECHECK_MS);
    expect(await gate.check()).toBeUndefined();
    expect(gate.status).toMatchObject({ state: 'valid', source: 'device' });
  });

  it('does not mistake another refusal for the device limit, nor an unknown answer for a verdict', async () => {
    const tenant = uniqueTenant('odd-answers');
    const denied = await device(tenant, 'till-1', () => Promise.reject(Object.assign(new Error('rpc failed: permission denied for function settings_register_device (code 42501, HTTP 403)'), { code: '42501' })));
    expect(await gateReason(denied)).toBeUndefined(); // unmanaged as far as the device knows
    const odd = await device(tenant, 'till-2', () => Promise.resolve({ ok: true } as never));
    pulledLicence(odd, FUTURE);
    expect(await gateReason(odd)).toContain('settings_register_device gave an answer this plugin does not understand');
  });
});
