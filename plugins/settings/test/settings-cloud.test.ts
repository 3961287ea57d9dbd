import { beforeAll, describe, expect, inject, it } from 'vitest';
import { licenceId, settingId, SETTINGS_SCHEMA, settingsPlugin } from '../src/index.js';
import { cloudDatabase, cloudRest, deviceRemote, deviceToken, installCloudSchema, uniqueTenant } from '@equinox-sync/core/testing';
import { putLicence, putSetting, rpc } from './settings-kit.js';

const cloud = inject('cloud');
const FUTURE = '2099-01-01T00:00:00.000Z';
const PAST = '2020-01-01T00:00:00.000Z';

async function register(tenant: string, device: string): Promise<{ status: number; body: unknown }> {
  return rpc(cloud, 'settings_register_device', { p_device: device }, await deviceToken(tenant, device));
}

describe('the settings plugin in the cloud', () => {
  const superuser = cloudDatabase({ as: 'superuser' });
  beforeAll(async () => {
    await installCloudSchema([settingsPlugin], cloud);
  });

  it('derives the same row ids as the device, whatever the characters', async () => {
    const parts = ['tienda-ñ-😀', 'device', 'caja:1', 'recibo.pie 😀'] as const;
    const { rows } = await superuser.query(`select ${SETTINGS_SCHEMA}.setting_id($1, $2, $3, $4) as setting, ${SETTINGS_SCHEMA}.licence_id($1) as licence`, [...parts]);
    expect(rows[0]).toEqual({ setting: settingId(...parts), licence: licenceId(parts[0]) });
    expect(settingId('a', 'tenant', '', 'bc')).not.toBe(settingId('ab', 'tenant', '', 'c'));
  });

  it('leaves a tenant without any licence unmanaged, and records nothing', async () => {
    const tenant = uniqueTenant('unmanaged');
    const { status, body } = await register(tenant, 'till-1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ tenant, state: 'unmanaged', licence: null, devices: null });
    const { rows } = await superuser.query('select count(*)::int as n from public.licensed_devices where tenant_id = $1', [tenant]);
    expect(rows[0].n).toBe(0);
  });

  it('registers devices up to max_devices, refuses the next one clearly, and lets registered ones ask again', async () => {
    const tenant = uniqueTenant('limit');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    expect((await register(tenant, 'till-1')).body).toMatchObject({ state: 'valid', devices: 1, position: 1, licence: { plan: 'pro', max_devices: 2 } });
    expect((await register(tenant, 'till-2')).body).toMatchObject({ state: 'valid', devices: 2, position: 2 });
    const refused = await register(tenant, 'till-3');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: '42501', message: `licence for tenant "${tenant}" allows 2 devices; device "till-3" would be 3` });
    expect((await register(tenant, 'till-1')).body).toMatchObject({ state: 'valid', devices: 2, position: 1 });

    // Lowering the licence leaves the first devices in; the last registered one is refused.
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 1 });
    expect((await register(tenant, 'till-2')).body).toMatchObject({ message: `licence for tenant "${tenant}" allows 1 devices; device "till-2" is number 2` });
    // Freeing a slot (the back office deletes a registration) lets the refused device in.
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const freed = await cloudRest('DELETE', `licensed_devices?tenant_id=eq.${encodeURIComponent(tenant)}&device_id=eq.till-2`);
    expect(freed.status).toBe(200);
    expect((await register(tenant, 'till-3')).body).toMatchObject({ state: 'valid', position: 2 });
  });

  it('reports an expired, a revoked and a required-but-missing licence without registering the device', async () => {
    const expired = uniqueTenant('expired');
    await putLicence(cloud, expired, { validUntil: PAST, maxDevices: 5 });
    const answer = (await register(expired, 'till-1')).body as { state: string; licence: { valid_until: string } };
    expect(answer.state).toBe('expired');
    expect(new Date(answer.licence.valid_until).toISOString()).toBe(PAST);

    const revoked = uniqueTenant('revoked');
    await putLicence(cloud, revoked, { validUntil: FUTURE, maxDevices: 5 });
    await superuser.query('update public.licenses set deleted = true where tenant_id = $1', [revoked]);
    expect((await register(revoked, 'till-1')).body).toMatchObject({ state: 'missing', revoked: true, licence: null });

    const required = uniqueTenant('required');
    await putSetting(cloud, required, 'licence.required', true);
    expect((await register(required, 'till-1')).body).toMatchObject({ state: 'missing', revoked: false });

    const { rows } = await superuser.query('select count(*)::int as n from public.licensed_devices where tenant_id = any($1)', [[expired, revoked, required]]);
    expect(rows[0].n).toBe(0);
  });

  it('lets only the service role write licences and call the back-office functions', async () => {
    const tenant = uniqueTenant('writers');
    const device = await deviceToken(tenant);
    const row = { id: licenceId(tenant), tenant_id: tenant, updated_at: '1718000000000-000000-till-1', plan: 'free', valid_until: FUTURE, max_devices: 99 };
    expect((await cloudRest('POST', 'licenses', { body: row, token: device })).status).toBe(403);
    expect((await rpc(cloud, 'settings_put_licence', { p_tenant: tenant, p_plan: 'free', p_valid_until: FUTURE, p_max_devices: 99 }, device)).status).not.toBe(200);
    expect((await rpc(cloud, 'settings_put', { p_tenant: tenant, p_key: 'x', p_value: 1 }, device)).status).not.toBe(200);
    expect((await cloudRest('POST', 'licenses', { body: row })).status).toBe(201);
    expect((await cloudRest('GET', `licenses?tenant_id=eq.${encodeURIComponent(tenant)}&select=plan`, { token: device })).body).toEqual([{ plan: 'free' }]);
  });

  it('refuses a device\'s upload of a reserved licence setting, and a device edit of a back-office setting meets it as a conflict', async () => {
    const tenant = uniqueTenant('reserved');
    const remote = await deviceRemote(tenant);
    const reserved = { id: settingId(tenant, 'tenant', '', 'licence.required'), tenant_id: tenant, updated_at: '1718000000000-000000-till-1', key: 'licence.required', value: false, scope: 'tenant', device_id: '' };
    const [refused] = await remote.push('settings', [{ row: reserved, base_version: null }]);
    expect(refused).toMatchObject({ status: 'rejected', code: '42501' });
    expect((refused as { reason: string }).reason).toContain('setting "licence.required" is reserved');

    const put = await rpc(cloud, 'settings_put', { p_tenant: tenant, p_key: 'currency', p_value: 'GBP' });
    expect(put.body).toMatchObject({ id: settingId(tenant, 'tenant', '', 'currency'), value: 'GBP', deleted: false });
    const mine = { ...reserved, id: settingId(tenant, 'tenant', '', 'currency'), key: 'currency', value: 'USD' };
    const [outcome] = await remote.push('settings', [{ row: mine, base_version: null }]);
    expect(outcome).toMatchObject({ status: 'conflict', row: { value: 'GBP' } });
  });
});
