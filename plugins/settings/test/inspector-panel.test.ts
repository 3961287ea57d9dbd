import type { InspectorPanel, InspectorView, Row } from '@equinox-sync/core/plugin';
import { installCloudSchema, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { licenceId, settingsPlugin } from '../src/index.js';
import { gateReason, openSettingsDevice, putLicence, type SettingsDevice } from './settings-kit.js';

const cloud = inject('cloud');
const FUTURE = '2099-01-01T00:00:00.000Z';
const PAST = '2020-01-01T00:00:00.000Z';

function device(tenant: string, name = 'till-1'): Promise<SettingsDevice> {
  return openSettingsDevice(cloud, { tenant, device: name });
}

/** The tenant's licence row as a pull brings it to the device. */
function pulledLicence(d: SettingsDevice, validUntil: string, extra: Row = {}): void {
  const tenant = d.context.device.tenantId;
  d.store.applyRemote('licenses', [
    { id: licenceId(tenant), tenant_id: tenant, updated_at: '1718000000000-000000-equinox.cloud', deleted: false, server_version: 1, plan: 'pro', valid_until: validUntil, max_devices: 2, features: { kds: true }, ...extra },
  ]);
}

function licencePanel(d: SettingsDevice): InspectorPanel {
  const panel = d.panels.find(settingsPlugin.name, 'licence');
  if (panel === undefined) throw new Error('the settings plugin registered no "licence" panel');
  return panel;
}

function facts(shown: InspectorView, title: string): Record<string, string> {
  const section = shown.sections.find((candidate) => candidate.kind === 'facts' && candidate.title === title);
  if (section?.kind !== 'facts') throw new Error(`no facts "${title}"`);
  return Object.fromEntries(section.facts.map((fact) => [fact.label, fact.value]));
}

beforeAll(async () => {
  await installCloudSchema([settingsPlugin], cloud);
});

describe('the "Licence" inspector panel', () => {
  it('says no licence is required for an unmanaged tenant, and counts the settings', async () => {
    const d = await device(uniqueTenant('panel-unmanaged'));
    let shown = await licencePanel(d).load();
    expect(shown).toMatchObject({ summary: 'No licence required for this tenant', tone: 'ok' });
    expect(facts(shown, 'Licence')).toMatchObject({ State: 'not required for this tenant', Blocked: 'nothing: uploads go on' });
    expect(facts(shown, 'Licence').Checked).toBe("not yet: the next sync asks the cloud; shown is this device's copy");
    expect(facts(shown, 'Settings')).toEqual({ Settings: '0 (0 for the tenant, 0 for this device only)', 'Last change': 'none' });

    d.api.set('currency', 'EUR');
    const printer = d.api.set('printer', { port: 9100 }, { scope: 'device' });
    expect(await gateReason(d)).toBeUndefined();
    shown = await licencePanel(d).load();
    expect(facts(shown, 'Licence').Checked).toMatch(/^by the cloud at \d{4}-\d\d-\d\dT/);
    const wall = new Date(Number(printer.updatedAt.split('-')[0])).toISOString();
    expect(facts(shown, 'Settings')).toEqual({ Settings: '2 (1 for the tenant, 1 for this device only)', 'Last change': `${wall} by device till-1` });
  });

  it('shows an expired licence as bad, with what is blocked and why, before and after the cloud is asked', async () => {
    const tenant = uniqueTenant('panel-expired');
    const d = await device(tenant);
    pulledLicence(d, PAST);
    let shown = await licencePanel(d).load();
    expect(shown).toMatchObject({ summary: 'Licence expired on 2020-01-01: uploads pause at the next sync', tone: 'bad' });
    expect(facts(shown, 'Licence')).toMatchObject({
      State: 'expired',
      Plan: 'pro',
      'Valid until': `${PAST} (passed)`,
      'Devices allowed': '2',
      Features: 'kds',
      Reason: `the licence expired ${PAST}: uploads pause unless the cloud holds a renewal`,
    });

    await putLicence(cloud, tenant, { validUntil: PAST, maxDevices: 2 });
    const reason = await gateReason(d);
    shown = await licencePanel(d).load();
    expect(shown).toMatchObject({ summary: 'Licence expired on 2020-01-01: uploads paused', tone: 'bad' });
    expect(facts(shown, 'Licence')).toMatchObject({
      State: 'expired',
      Blocked: 'uploads: changes stay queued on this device and go up once the licence is valid; pulls go on',
      Reason: reason,
    });
    expect(reason).toBe(`uploads paused: tenant "${tenant}" has no valid licence (expired ${PAST})`);
  });

  it('shows a valid licence, this device accepted, and warns when it ends within two weeks', async () => {
    const tenant = uniqueTenant('panel-valid');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 2 });
    const d = await device(tenant);
    expect(await gateReason(d)).toBeUndefined();
    let shown = await licencePanel(d).load();
    expect(shown).toMatchObject({ summary: 'Licence pro valid until 2099-01-01', tone: 'ok' });
    expect(facts(shown, 'Licence')).toMatchObject({ State: 'valid', 'This device': 'till-1: accepted by the cloud', Blocked: 'nothing: uploads go on' });

    const soon = new Date(Date.now() + 3.5 * 86_400_000).toISOString();
    await putLicence(cloud, tenant, { validUntil: soon, maxDevices: 2 });
    pulledLicence(d, soon); // a changed copy: the gate asks the cloud again
    expect(await gateReason(d)).toBeUndefined();
    shown = await licencePanel(d).load();
    expect(shown).toMatchObject({ summary: `Licence pro valid until ${soon.slice(0, 10)} (3 days left)`, tone: 'warn' });
    expect(facts(shown, 'Licence')['Valid until']).toBe(`${soon} (3 days left)`);
  });

  it('shows a device past the licence\'s number of devices as bad, with the cloud\'s words', async () => {
    const tenant = uniqueTenant('panel-limit');
    await putLicence(cloud, tenant, { validUntil: FUTURE, maxDevices: 1 });
    expect(await gateReason(await device(tenant, 'till-1'))).toBeUndefined();
    const second = await device(tenant, 'till-2');
    pulledLicence(second, FUTURE, { max_devices: 1 });
    const reason = await gateReason(second);
    const shown = await licencePanel(second).load();
    expect(shown).toMatchObject({ summary: "This device is past the licence's limit of 1 device: uploads paused", tone: 'bad' });
    expect(facts(shown, 'Licence')).toMatchObject({ 'This device': "till-2: refused by the cloud, past the licence's number of devices", Reason: reason });
  });

  it('is registered once on activation and removed when the plugin deactivates', async () => {
    const d = await device(uniqueTenant('panel-dispose'));
    expect(d.panels.list().map(({ plugin, panel }) => [plugin, panel.id, panel.title, panel.actions])).toEqual([[settingsPlugin.name, 'licence', 'Licence', undefined]]);
    d.close();
    expect(d.panels.list()).toEqual([]);
  });
});
