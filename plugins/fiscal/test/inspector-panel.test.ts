import type { InspectorPanel, InspectorView, Row } from '@equinox-sync/core/plugin';
import {
  deviceRemote,
  deviceToken,
  hasIds,
  installCloudSchema,
  openPluginDevice,
  pullAll,
  pushRows,
  tempDir,
  uniqueTenant,
  type PluginDevice,
} from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { activate, fiscalPlugin, type FiscalApi } from '../src/index.js';
import { INVOICE, tamper } from './fiscal-device.js';

const cloud = inject('cloud');

/** The fiscal plugin on a device of its own, its cloud functions called with the device's token (or at a dead port). */
async function till(tenant: string, options: { dir?: string; offline?: boolean } = {}): Promise<PluginDevice<FiscalApi>> {
  const remote = await deviceRemote(tenant, 'till-1', { cloud, ...(options.offline === true ? { url: 'http://127.0.0.1:9' } : {}) });
  return openPluginDevice(fiscalPlugin, activate, {
    tenant,
    device: 'till-1',
    rpc: (fn, args) => remote.rpc(fn, args),
    ...(options.dir === undefined ? {} : { dir: options.dir }),
  });
}

function chainsPanel(device: PluginDevice<FiscalApi>): InspectorPanel {
  const panel = device.panels.find(fiscalPlugin.name, 'chains');
  if (panel === undefined) throw new Error('the fiscal plugin registered no "chains" panel');
  return panel;
}

async function view(device: PluginDevice<FiscalApi>): Promise<InspectorView> {
  return chainsPanel(device).load();
}

function action(device: PluginDevice<FiscalApi>, id: string) {
  const found = chainsPanel(device).actions?.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no action "${id}" on the chains panel`);
  return found.run();
}

function table(shown: InspectorView) {
  const section = shown.sections.find((candidate) => candidate.kind === 'table');
  if (section?.kind !== 'table') throw new Error('the chains panel shows no table');
  return section;
}

function fact(shown: InspectorView, label: string): string | undefined {
  for (const section of shown.sections) if (section.kind === 'facts') return section.facts.find((candidate) => candidate.label === label)?.value;
  return undefined;
}

/** Uploads the device's links `from`..`to` and pulls them back, as a sync run does: the pull raises the plugin's marks. */
async function syncLinks(device: PluginDevice<FiscalApi>, tenant: string, from: number, to: number): Promise<void> {
  const rows = device.store.forPlugin(fiscalPlugin.name).query('invoices').filter((row) => Number(row.chain_index) >= from && Number(row.chain_index) <= to);
  const outcomes = await pushRows('invoices', rows.sort((a, b) => Number(a.chain_index) - Number(b.chain_index)), { token: await deviceToken(tenant, 'till-1', cloud), cloud });
  expect(outcomes.map((outcome) => outcome.status)).toEqual(rows.map(() => 'applied'));
  const { rows: pulled } = await pullAll(await deviceRemote(tenant, 'till-1', { cloud }), 'invoices', { until: hasIds(rows.map((row) => row.id)) });
  for (const hook of device.hooks.hooksFor('invoices')) await hook.afterPull?.('invoices', pulled as Row[]);
}

beforeAll(async () => {
  await installCloudSchema([fiscalPlugin], cloud);
});

describe('the "Fiscal chains" inspector panel', () => {
  it('shows each series of the chain, and what the cloud holds and what waits to upload', async () => {
    const tenant = uniqueTenant('panel-chains');
    const device = await till(tenant);
    expect(await view(device)).toMatchObject({ summary: 'No fiscal documents yet', tone: 'ok' });

    const [first, second] = [device.api.issueInvoice(INVOICE), device.api.issueInvoice(INVOICE)];
    const other = device.api.issueInvoice({ ...INVOICE, series: 'T2-', issueDate: '2026-11-30' });
    let shown = await view(device);
    expect(shown).toMatchObject({ summary: '1 chain, 2 series, 3 documents, 3 waiting to upload', tone: 'warn' });
    expect(table(shown).columns).toEqual(['series', 'documents', 'last number', 'last hash', 'synced', 'waiting', 'last date']);
    expect(table(shown).rows).toEqual([
      ['T1-', 2, 2, `${second?.hash.slice(0, 12)}…`, 0, 2, second?.issue_date],
      ['T2-', 1, 1, `${other.hash.slice(0, 12)}…`, 0, 1, '2026-11-30'],
    ]);
    expect(fact(shown, 'Links in its chain')).toBe('3');
    expect(fact(shown, 'Seen in the cloud')).toBe('no link yet');
    expect(fact(shown, 'Signing key')).toBe('present');
    expect(first?.chain_index).toBe(1);

    await syncLinks(device, tenant, 1, 2);
    shown = await view(device);
    expect(shown).toMatchObject({ summary: '1 chain, 2 series, 3 documents, 1 waiting to upload', tone: 'warn' });
    expect(table(shown).rows.map((row) => [row[0], row[4], row[5]])).toEqual([['T1-', 2, 0], ['T2-', 0, 1]]);
    expect(table(shown).tones).toEqual(['ok', 'warn']);
    expect(fact(shown, 'Seen in the cloud')).toBe('2 links (as of the last pull)');

    expect(await action(device, 'verify-remote')).toEqual({
      message: "1 chain verified, 3 documents intact on this device; the cloud's copy (1 chain, 2 documents) agrees; 1 document waiting to upload",
      tone: 'ok',
    });
    await syncLinks(device, tenant, 3, 3);
    expect(await view(device)).toMatchObject({ summary: '1 chain, 2 series, 3 documents, all synced', tone: 'ok' });
  });

  it('verifies the chain, and names the invoice whose content was changed in the database', async () => {
    const tenant = uniqueTenant('panel-verify');
    const dir = tempDir('panel-verify');
    let device = await till(tenant, { dir });
    for (let i = 0; i < 3; i++) device.api.issueInvoice(INVOICE);
    expect(await action(device, 'verify')).toEqual({ message: '1 chain verified, 3 documents intact', tone: 'ok' });
    const [first, altered] = device.api.records();
    // The preimage goes on with the huella of the link before: the excerpt ends two characters into it.
    const huella = first?.hash.slice(0, 2);
    device.close();

    tamper(device.path, "UPDATE invoices SET gross_total = '999.00' WHERE chain_index = 2");
    device = await till(tenant, { dir });
    const result = await action(device, 'verify');
    expect(result.tone).toBe('bad');
    expect(result.message).toBe(
      `Chain "till-1" is broken at link 2 on this device, invoice T1-2 (id ${altered?.id}): its content was changed after it was issued (preimage). ` +
        `Expected "…00&ImporteTotal=999.00&Huella=${huella}…", found "…00&ImporteTotal=121.00&Huella=${huella}…".`,
    );
  });

  it('warns, without throwing, when the cloud cannot be reached for the remote check', async () => {
    const device = await till(uniqueTenant('panel-offline'), { offline: true });
    device.api.issueInvoice(INVOICE);
    const result = await action(device, 'verify-remote');
    expect(result.tone).toBe('warn');
    expect(result.message).toMatch(/^The cloud's copy could not be read \(.+\)\. Nothing was compared; try again when the device is online\.$/);
  });

  it('is registered once on activation and removed when the plugin deactivates', async () => {
    const device = await till(uniqueTenant('panel-dispose'));
    expect(device.panels.list().map(({ plugin, panel }) => [plugin, panel.id, panel.title])).toEqual([[fiscalPlugin.name, 'chains', 'Fiscal chains']]);
    expect(chainsPanel(device).actions?.map((candidate) => [candidate.id, candidate.label])).toEqual([
      ['verify', 'Verify chains'],
      ['verify-remote', "Verify against the cloud's copy"],
    ]);
    device.close();
    expect(device.panels.list()).toEqual([]);
  });
});
