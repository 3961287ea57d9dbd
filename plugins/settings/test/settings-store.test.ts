import type { Row } from '@equinox-sync/core';
import { describe, expect, inject, it } from 'vitest';
import { licenceId, settingId, SettingsError } from '../src/index.js';
import { uniqueTenant } from '@equinox-sync/core/testing';
import { openSettingsDevice, type SettingsDevice } from './settings-kit.js';

const cloud = inject('cloud');

function device(tenant = uniqueTenant('store'), name = 'till-1'): Promise<SettingsDevice> {
  // Never synced here: the cloud is only the plugin's context, not reached by these tests.
  return openSettingsDevice(cloud, { tenant, device: name });
}

function licenceRow(tenant: string, validUntil: string, extra: Row = {}): Row {
  return { id: licenceId(tenant), tenant_id: tenant, updated_at: '1718000000000-000000-equinox.cloud', deleted: false, server_version: 1, plan: 'pro', valid_until: validUntil, max_devices: 3, features: { kds: true }, ...extra };
}

describe('settings on the device', () => {
  it('sets tenant and device values; a device value overrides the tenant\'s on that device only', async () => {
    const { api, context } = await device();
    expect(api.get('printer')).toBeUndefined();
    const tenantWide = api.set('printer', { port: 9100 });
    expect(tenantWide).toEqual({ key: 'printer', value: { port: 9100 }, scope: 'tenant', deviceId: '', updatedAt: expect.any(String) });
    api.set('printer', { port: 9200 }, { scope: 'device' });
    expect(api.get('printer')).toEqual({ port: 9200 });
    expect(api.get('printer', { scope: 'tenant' })).toEqual({ port: 9100 });
    expect(api.entry('printer', { scope: 'device' })).toMatchObject({ scope: 'device', deviceId: 'till-1' });
    // Another device's own value is not this device's.
    context.store.insert('settings', { key: 'printer', value: { port: 1 }, scope: 'device', device_id: 'till-2' });
    expect(api.list().map((s) => [s.key, s.scope, s.value])).toEqual([
      ['printer', 'device', { port: 9200 }],
      ['printer', 'tenant', { port: 9100 }],
    ]);
  });

  it('keeps one row per key, with the id the cloud derives, and stores any JSON value', async () => {
    const { api, context } = await device();
    api.set('currency', 'EUR');
    const usd = api.set('currency', 'USD');
    expect(api.set('currency', 'USD')).toEqual(usd); // unchanged: nothing new is written
    const rows = context.store.query('settings', { key: 'currency' });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).toBe(settingId(context.device.tenantId, 'tenant', '', 'currency'));
    for (const value of [null, 0, false, 'text', [1, 'two'], { nested: { deep: true } }]) expect(api.set('value', value).value).toEqual(value);
    expect(api.set('dates', { at: new Date('2026-01-02T03:04:05Z') }).value).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });

  it('refuses bad keys, scopes and values, and the reserved licence settings, with a SettingsError', async () => {
    const { api } = await device();
    expect(() => api.set('', 1)).toThrow(SettingsError);
    expect(() => api.set('a\nb', 1)).toThrow('control character');
    expect(() => api.set('k', 1, { scope: 'planet' as never })).toThrow('scope "planet" must be "tenant" or "device"');
    expect(() => api.set('k', undefined)).toThrow('the value is not JSON');
    expect(() => api.set('k', 10n)).toThrow('the value is not JSON');
    expect(() => api.set('licence.required', false)).toThrow('setting "licence.required" is reserved');
  });

  it('revives a deleted setting under a fresh id rather than failing', async () => {
    const { api, context } = await device();
    const id = settingId(context.device.tenantId, 'tenant', '', 'theme');
    api.set('theme', 'dark');
    context.store.delete('settings', id);
    expect(api.get('theme')).toBeUndefined();
    expect(api.set('theme', 'light').value).toBe('light');
    const live = context.store.query('settings', { key: 'theme' });
    expect(live).toHaveLength(1);
    expect(live[0]?.id).not.toBe(id);
  });
});

describe('licences on the device', () => {
  it('refuses every local write to licenses, through the store and with plain SQL', async () => {
    const { context, store } = await device();
    const tenant = context.device.tenantId;
    expect(() => context.store.insert('licenses', { plan: 'pro', valid_until: new Date(), max_devices: 9 })).toThrow(
      'download-only table "licenses": local INSERT is refused; its rows come from the cloud',
    );
    store.applyRemote('licenses', [licenceRow(tenant, '2099-01-01T00:00:00.000Z')]);
    const id = licenceId(tenant);
    expect(() => context.store.update('licenses', id, { max_devices: 99 })).toThrow('local UPDATE is refused');
    expect(() => store.database.prepare(`UPDATE licenses SET valid_until = '2199-01-01T00:00:00.000Z' WHERE id = ?`).run(id)).toThrow('local UPDATE is refused');
    expect(() => store.database.prepare('DELETE FROM licenses WHERE id = ?').run(id)).toThrow('local DELETE is refused');
    expect(() => store.database.prepare(`INSERT INTO licenses (id, plan, valid_until, max_devices) VALUES ('x', 'free', '2199-01-01', 99)`).run()).toThrow('local INSERT is refused');
    expect(store.pendingUploads()).toBe(0);
  });

  it('reads the pulled licence: the live one valid the longest', async () => {
    const { api, context, store } = await device();
    const tenant = context.device.tenantId;
    expect(api.licence()).toBeUndefined();
    store.applyRemote('licenses', [
      licenceRow(tenant, '2030-01-01T00:00:00.000Z'),
      licenceRow(tenant, '2031-01-01T00:00:00.000Z', { id: 'lic-old-revoked', deleted: true }),
      licenceRow(tenant, '2029-01-01T00:00:00.000Z', { id: 'lic-older', plan: 'basic' }),
    ]);
    expect(api.licence()).toEqual({ plan: 'pro', validUntil: '2030-01-01T00:00:00.000Z', maxDevices: 3, features: { kds: true } });
  });
});
