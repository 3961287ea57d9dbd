import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { licenceId, settingId, settingsPlugin } from '../src/index.js';
import { cloudDatabase, cloudRest, deviceToken, installCloudSchema, nextHlc, uniqueTenant } from '@equinox-sync/core/testing';
import { putLicence, putSetting, rpc } from './settings-kit.js';

// An attacker holds one device's real token and talks to the cloud as any client could:
// PostgREST directly, and eq_push as the engine calls it.
const cloud = inject('cloud');
const FUTURE = '2099-01-01T00:00:00.000Z';
const PAST = '2026-10-01T00:00:00.000Z';
const db = cloudDatabase();

beforeAll(async () => {
  await installCloudSchema([settingsPlugin], cloud);
});

/** A tenant setting row as a device uploads it, under the derived id unless told. */
function settingRow(tenant: string, key: string, value: unknown, id = settingId(tenant, 'tenant', '', key)): Record<string, unknown> {
  return { id, tenant_id: tenant, updated_at: nextHlc('till'), deleted: false, key, value, scope: 'tenant', device_id: '' };
}

async function seats(tenant: string): Promise<string[]> {
  const { rows } = await db.query<{ device_id: string }>('select device_id from public.licensed_devices where tenant_id = $1 order by first_seen, device_id', [tenant]);
  return rows.map((row) => row.device_id);
}

async function settingsOf(tenant: string): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query('select id, key, value, scope, device_id from public.settings where tenant_id = $1 order by key, id', [tenant]);
  return rows as Record<string, unknown>[];
}

describe('licence seats', () => {
  it('are taken only by the device the token names: another name, or no device, is refused and takes no seat', async () => {
    const tenant = uniqueTenant('seats');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const token = await deviceToken(tenant, 'till-1');
    for (const name of ['till-2', 'till-3', 'till-4']) {
      const refused = await rpc(cloud, 'settings_register_device', { p_device: name }, token);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: '42501', message: 'device "till-1" may only register itself' });
    }
    const anonymous = await rpc(cloud, 'settings_register_device', { p_device: 'till-2' }, await deviceToken(tenant));
    expect(anonymous.body).toMatchObject({ code: '42501', message: 'this token names no device: a licence seat needs a device token' });
    expect(await seats(tenant)).toEqual([]);

    expect((await rpc(cloud, 'settings_register_device', { p_device: 'till-1' }, token)).body).toMatchObject({ state: 'valid', position: 1 });
    const second = await deviceToken(tenant, 'till-2');
    expect((await rpc(cloud, 'settings_register_device', { p_device: 'till-2' }, second)).body).toMatchObject({ state: 'valid', position: 2 });
    expect(await seats(tenant)).toEqual(['till-1', 'till-2']);
  });
});

describe('settings ids', () => {
  it('never let the back office write another tenant\'s rows, even rows a tenant made under the victim\'s derived ids', async () => {
    const [squatter, victim] = [uniqueTenant('squatter'), uniqueTenant('victim')];
    // Rows left from before ids were tenant-scoped: the squatter's, under the victim's ids.
    const squatted = [
      settingRow(squatter, 'currency', 'XXX', settingId(victim, 'tenant', '', 'currency')),
      settingRow(squatter, 'theme', 'squat', settingId(victim, 'tenant', '', 'licence.required')),
    ];
    for (const row of squatted) {
      await db.query(
        'insert into public.settings (id, tenant_id, updated_at, key, value, scope, device_id) values ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.tenant_id, row.updated_at, row.key, JSON.stringify(row.value), row.scope, row.device_id],
      );
    }
    const before = await settingsOf(squatter);

    await putSetting(cloud, victim, 'currency', 'EUR');
    await putSetting(cloud, victim, 'licence.required', true);
    await putLicence(cloud, victim, { validUntil: FUTURE, maxDevices: 1 });

    expect(await settingsOf(squatter)).toEqual(before);
    expect(await settingsOf(victim)).toEqual([
      { id: settingId(victim, 'tenant', '', 'currency'), key: 'currency', value: 'EUR', scope: 'tenant', device_id: '' },
      { id: settingId(victim, 'tenant', '', 'licence.required'), key: 'licence.required', value: true, scope: 'tenant', device_id: '' },
    ]);
    const { rows } = await db.query('select tenant_id from public.licenses where id = $1', [licenceId(victim)]);
    expect(rows).toEqual([{ tenant_id: victim }]);
  });

  it('let no tenant keep its own licence.required from taking effect by holding its id under another key', async () => {
    const tenant = uniqueTenant('pre-empt');
    await db.query(
      `insert into public.settings (id, tenant_id, updated_at, key, value, scope, device_id) values ($1, $2, '0000000000001-000000-till', 'theme', '"dark"', 'tenant', '')`,
      [settingId(tenant, 'tenant', '', 'licence.required'), tenant],
    );
    expect((await rpc(cloud, 'settings_put', { p_tenant: tenant, p_key: 'licence.required', p_value: true })).body).toMatchObject({ key: 'licence.required', value: true });
    const token = await deviceToken(tenant, 'till-1');
    expect((await rpc(cloud, 'settings_register_device', { p_device: 'till-1' }, token)).body).toMatchObject({ state: 'missing' });
  });

  it('must be the derived ones when a device writes; a row of another tenant gets only the row-level security answer', async () => {
    const [tenant, other] = [uniqueTenant('ids'), uniqueTenant('other')];
    const token = await deviceToken(tenant, 'till-1');
    const expected = settingId(tenant, 'tenant', '', 'theme');
    const rule = `setting "theme" must have the id equinox_settings.setting_id(tenant_id, scope, device_id, key) = "${expected}"`;
    for (const id of [settingId(tenant, 'tenant', '', 'licence.required'), settingId(other, 'tenant', '', 'theme'), 'set-0123456789abcdef0123456789abcdef']) {
      const refused = await cloudRest('POST', 'settings', { body: settingRow(tenant, 'theme', 'dark', id), token });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: '23514', message: rule });
    }
    const pushed = await rpc(cloud, 'eq_push', { p_table: 'settings', p_rows: [settingRow(tenant, 'theme', 'dark', 'set-ffffffffffffffffffffffffffffffff')] }, token);
    expect(pushed.body).toEqual([expect.objectContaining({ status: 'rejected', code: '23514', reason: rule })]);

    // Another tenant's row, reserved key or not, derived id or not: only the RLS sentence.
    const rls = { code: '42501', message: 'new row violates row-level security policy for table "settings"' };
    for (const row of [settingRow(other, 'licence.required', false), settingRow(other, 'theme', 'x', 'random-id'), settingRow(other, 'theme', 'x')]) {
      const answer = await cloudRest('POST', 'settings', { body: row, token });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject(rls);
      expect(JSON.stringify(answer.body)).not.toContain(other);
    }

    expect((await cloudRest('POST', 'settings', { body: settingRow(tenant, 'theme', 'dark'), token })).status).toBe(201);
    expect(await settingsOf(tenant)).toEqual([{ id: expected, key: 'theme', value: 'dark', scope: 'tenant', device_id: '' }]);
  });

  it('let a device revive a setting whose derived id is a tombstone\'s under a fresh id, and keep the id an older row has', async () => {
    const tenant = uniqueTenant('revive');
    const token = await deviceToken(tenant, 'till-1');
    await putSetting(cloud, tenant, 'theme', 'dark');
    await db.query('update public.settings set deleted = true where tenant_id = $1', [tenant]);
    // As SettingsStore.set does when a tombstone holds the derived id: a fresh record id.
    const fresh = settingRow(tenant, 'theme', 'light', randomUUID());
    expect((await cloudRest('POST', 'settings', { body: fresh, token })).status).toBe(201);
    // Not one that looks derived: that could be another setting's.
    const lookalike = await cloudRest('POST', 'settings', { body: settingRow(tenant, 'theme', 'x', 'set-00000000000000000000000000000000'), token });
    expect(lookalike.body).toMatchObject({ code: '23514' });

    // A row written before ids were checked keeps its id while it stays the same setting.
    await db.query(
      `insert into public.settings (id, tenant_id, updated_at, key, value, scope, device_id) values ('legacy-1', $1, '0000000000001-000000-till', 'printer', '1', 'tenant', '')`,
      [tenant],
    );
    expect((await cloudRest('PATCH', 'settings?id=eq.legacy-1', { body: { value: 2, updated_at: '0000000000002-000000-till' }, token })).status).toBe(200);
    const moved = await cloudRest('PATCH', 'settings?id=eq.legacy-1', { body: { key: 'currency', updated_at: '0000000000003-000000-till' }, token });
    expect(moved.body).toMatchObject({ code: '23514' });
    expect((await settingsOf(tenant)).map((row) => [row.id, row.key, row.value])).toEqual([
      ['legacy-1', 'printer', 2],
      [fresh.id, 'theme', 'light'],
      [settingId(tenant, 'tenant', '', 'theme'), 'theme', 'dark'],
    ]);
  });
});

describe('the licence in the cloud', () => {
  /** A direct eq_push of one setting, as a modified client would send it. */
  async function directPush(tenant: string, token: string, key: string): Promise<{ status: number; body: unknown }> {
    return rpc(cloud, 'eq_push', { p_table: 'settings', p_rows: [settingRow(tenant, key, 1)] }, token);
  }

  async function directInsert(tenant: string, token: string, key: string): Promise<{ status: number; body: unknown }> {
    return cloudRest('POST', 'settings', { body: settingRow(tenant, key, 1), token });
  }

  it('refuses an expired tenant\'s pushes and REST writes with EQ402, and applies them once renewed', async () => {
    const tenant = uniqueTenant('expired');
    const token = await deviceToken(tenant, 'till-1');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    expect((await rpc(cloud, 'settings_register_device', { p_device: 'till-1' }, token)).body).toMatchObject({ state: 'valid' });
    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 2 });

    const paused = { code: 'EQ402', message: `tenant "${tenant}" has no valid licence (expired ${PAST})` };
    expect((await directPush(tenant, token, 'a')).body).toMatchObject(paused);
    expect((await directInsert(tenant, token, 'b')).body).toMatchObject(paused);
    expect(await settingsOf(tenant)).toEqual([]);

    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    expect((await directPush(tenant, token, 'a')).body).toEqual([expect.any(Number)]);
    expect((await directInsert(tenant, token, 'b')).status).toBe(201);
    expect((await settingsOf(tenant)).map((row) => row.key)).toEqual(['a', 'b']);
  });

  it('refuses a device past max_devices, one never registered and a token without a device; the service role is never gated', async () => {
    const tenant = uniqueTenant('over-seat');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const tokens = { one: await deviceToken(tenant, 'till-1'), two: await deviceToken(tenant, 'till-2'), three: await deviceToken(tenant, 'till-3') };
    await rpc(cloud, 'settings_register_device', { p_device: 'till-1' }, tokens.one);
    await rpc(cloud, 'settings_register_device', { p_device: 'till-2' }, tokens.two);
    // The back office lowers the licence: till-2 is now past it.
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 1 });

    const limit = `licence for tenant "${tenant}" allows 1 devices`;
    expect((await directPush(tenant, tokens.two, 'a')).body).toMatchObject({ code: 'EQ402', message: `${limit}; device "till-2" is not among them` });
    expect((await directInsert(tenant, tokens.two, 'a')).body).toMatchObject({ code: 'EQ402', message: `${limit}; device "till-2" is not among them` });
    expect((await directPush(tenant, tokens.three, 'a')).body).toMatchObject({ code: 'EQ402', message: `${limit}; device "till-3" is not registered` });
    const anonymous = await deviceToken(tenant);
    expect((await directInsert(tenant, anonymous, 'a')).body).toMatchObject({ code: 'EQ402', message: `${limit}; this token names no device` });
    expect(await settingsOf(tenant)).toEqual([]);

    expect((await directPush(tenant, tokens.one, 'a')).body).toEqual([expect.any(Number)]);
    expect((await directInsert(tenant, cloud.serviceKey, 'b')).status).toBe(201);
  });

  it('refuses a revoked or required-but-missing licence, and lets an unmanaged tenant push with any token', async () => {
    const revoked = uniqueTenant('revoked');
    await putLicence(cloud, revoked, { validUntil: FUTURE, maxDevices: 2 });
    await db.query('update public.licenses set deleted = true where tenant_id = $1', [revoked]);
    const revokedToken = await deviceToken(revoked, 'till-1');
    expect((await directPush(revoked, revokedToken, 'a')).body).toMatchObject({ code: 'EQ402', message: `tenant "${revoked}" has no valid licence (revoked)` });

    const required = uniqueTenant('required');
    await putSetting(cloud, required, 'licence.required', true);
    expect((await directInsert(required, await deviceToken(required, 'till-1'), 'a')).body).toMatchObject({
      code: 'EQ402',
      message: `tenant "${required}" has no valid licence (none issued, and licence.required is set)`,
    });

    const unmanaged = uniqueTenant('unmanaged');
    expect((await directPush(unmanaged, await deviceToken(unmanaged), 'a')).body).toEqual([expect.any(Number)]);
  });
});
