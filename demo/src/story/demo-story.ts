import type { SyncRunResult } from '@equinox-sync/core';
import { compileServerSchema } from '@equinox-sync/core/server';
import { startLocalCloud } from '@equinox-sync/local-cloud';
import { startFaultProxy } from '@equinox-sync/local-cloud/testing';
import { describeBreak, fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { settingsPlugin } from '@equinox-sync/plugin-settings';
import { openDemoDevice, type DemoDevice } from './demo-devices.js';
import type { DemoOutput } from './demo-output.js';
import { fiscal, inventory, issueLicence } from './demo-plugins.js';

/** What `demo --json` prints: the figures the story showed. */
export interface DemoSummary {
  cloudUrl: string;
  dir: string;
  devices: { name: string; tenant: string; config: string }[];
  syncs: ({ device: string } & SyncRunResult)[];
  /** The run of till 2 of A with its cable unplugged: offline, its changes queued. */
  unplugged: { device: string; offline: boolean; error: string | null; queued: number };
  concurrentEdit: { sku: string; winner: string; priceCents: Record<string, number> };
  stock: Record<string, { sku: string; quantity: number }[]>;
  fiscal: Record<string, { ok: boolean; chains: number; records: number; cloudRecords: number | null }>;
  master: { sku: string; quantity: number; tenants: number }[];
  licence: { device: string; refused: string | null };
  pendingUploads: number;
}

const ISSUER = 'B12345678';

/**
 * The demo's story on a real local cloud: tenant A with two tills and tenant B with one
 * work offline (products, sales, invoices), A's tills edit one product concurrently, one
 * till has no network at first, then everything syncs, every device agrees, every fiscal
 * chain verifies against the cloud, head office reads the master inventory, and a till
 * beyond the licence is refused.
 */
export async function runDemoStory(options: { dir: string; cloudDir: string; out: DemoOutput }): Promise<DemoSummary> {
  const { out, dir } = options;
  out.section('Starting a local cloud (real Postgres + PostgREST)');
  const cloud = await startLocalCloud({ dataDir: options.cloudDir });
  const devices: DemoDevice[] = [];
  const unplugged = await startFaultProxy(new URL(cloud.url));
  try {
    await cloud.applySql(compileServerSchema([fiscalPlugin, inventoryPlugin, settingsPlugin]));
    await issueLicence(cloud, 'store-a', 2);
    out.line(`${cloud.url} — schema of the built-in plugins installed; tenant A licensed for 2 devices`);

    out.section('Three devices: tenant A has two tills, tenant B one');
    const tillA1 = await openDemoDevice({ dir, cloud, name: 'store-a-till-1', tenant: 'store-a' });
    const tillA2 = await openDemoDevice({ dir, cloud, name: 'store-a-till-2', tenant: 'store-a', url: unplugged.url });
    const tillB1 = await openDemoDevice({ dir, cloud, name: 'store-b-till-1', tenant: 'store-b' });
    devices.push(tillA1, tillA2, tillB1);
    out.table(['device', 'tenant', 'database'], devices.map((d) => [d.name, d.tenant, d.host.config.dbPath]));

    // Both A tills know the coffee product and its opening stock before the offline day.
    inventory(tillA1).upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450, taxRateBp: 1000 });
    inventory(tillA1).adjust({ sku: 'COFFEE-1KG', delta: 10, reason: 'purchase' });
    await mustSync(tillA1);
    await unplugged.setMode({ kind: 'pass' });
    await mustSync(tillA2);
    await unplugged.setMode({ kind: 'refuse' });

    out.section('Working offline: sales and invoices are recorded locally');
    inventory(tillA1).adjust({ sku: 'COFFEE-1KG', delta: -3, reason: 'sale' });
    inventory(tillA2).adjust({ sku: 'COFFEE-1KG', delta: -2, reason: 'sale' });
    inventory(tillB1).upsertProduct({ sku: 'TEA-250G', name: 'Green tea 250 g', priceCents: 690, taxRateBp: 1000 });
    inventory(tillB1).adjust({ sku: 'TEA-250G', delta: 24, reason: 'purchase' });
    inventory(tillB1).adjust({ sku: 'TEA-250G', delta: -5, reason: 'sale' });
    const first = fiscal(tillA1).issueInvoice({ issuerTaxId: ISSUER, series: 'A1-', taxTotal: '4.35', grossTotal: '47.85' });
    fiscal(tillA1).issueInvoice({ series: 'A1-', taxTotal: '2.90', grossTotal: '31.90' });
    fiscal(tillA1).cancelInvoice(first.id);
    fiscal(tillA2).issueInvoice({ issuerTaxId: ISSUER, series: 'A2-', taxTotal: '2.90', grossTotal: '31.90' });
    fiscal(tillA2).issueInvoice({ series: 'A2-', taxTotal: '1.45', grossTotal: '15.95' });
    out.table(
      ['device', 'sales', 'invoices (chain links)', 'pending uploads'],
      devices.map((d) => [d.name, d === tillB1 ? 'tea −5' : d === tillA1 ? 'coffee −3' : 'coffee −2', String(fiscal(d).records().length), d.host.status.pendingUploads]),
    );
    out.line('Each till chains its own invoices (one chain per installation), so offline tills never fork a chain.');

    out.section('A concurrent edit: both tills of A change the coffee price offline');
    inventory(tillA1).upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    inventory(tillA2).upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1550 });
    out.table(['device', 'coffee price (local)'], [tillA1, tillA2].map((d) => [d.name, cents(inventory(d).product('COFFEE-1KG')?.priceCents)]));

    out.section('Till 2 of A tries to sync with its network cable unplugged');
    const offline = await tillA2.host.syncNow();
    const queued = tillA2.host.status.pendingUploads;
    out.line(`offline: ${offline.offline}; its ${queued} change(s) stay queued — nothing is sent, nothing is lost.`);

    out.section('The network is back: every device syncs');
    await unplugged.setMode({ kind: 'pass' });
    const syncs: ({ device: string } & SyncRunResult)[] = [];
    for (const device of [tillA1, tillA2, tillB1, tillA1]) syncs.push({ device: device.name, ...(await device.host.syncNow()) });
    out.table(['device', 'uploaded', 'downloaded', 'conflicts', 'rejected', 'ms'], syncs.map((s) => [s.device, s.uploaded, s.downloaded, s.conflicts, s.rejected, s.durationMs]));

    out.section('Every device agrees');
    const priceCents = Object.fromEntries([tillA1, tillA2].map((d) => [d.name, inventory(d).product('COFFEE-1KG')?.priceCents ?? 0]));
    out.table(
      ['device', 'coffee price', 'coffee stock', 'tea stock'],
      devices.map((d) => [d.name, d.tenant === 'store-a' ? cents(inventory(d).product('COFFEE-1KG')?.priceCents) : '-', stock(d, 'COFFEE-1KG'), stock(d, 'TEA-250G')]),
    );
    out.line('The conflict on the price was resolved by last write (hybrid logical clocks): till 2\'s 15.50 won on both tills.');
    out.line('Stock travels as movements, so both offline sales counted: 10 − 3 − 2 = 5.');
    out.line("Tenant B sees none of tenant A's rows, and the reverse (row-level security on the token's tenant_id).");

    out.section('Every fiscal chain verifies, on the device and in the cloud');
    const fiscalResults: DemoSummary['fiscal'] = {};
    const fiscalRows: (string | number | boolean)[][] = [];
    for (const device of [tillA1, tillA2]) {
      const result = await fiscal(device).verify({ remote: true });
      fiscalResults[device.name] = { ok: result.ok, chains: result.chains, records: result.records, cloudRecords: result.cloud?.records ?? null };
      fiscalRows.push([device.name, result.ok, result.chains, result.records, result.cloud?.records ?? '-', result.brokenAt ? describeBreak(result.brokenAt) : '—']);
    }
    out.table(['device', 'ok', 'chains', 'records', 'in cloud', 'first break'], fiscalRows);
    out.line('Links, VeriFactu hashes, gapless numbering and Ed25519 signatures all check out; one invoice was cancelled by a new link, never edited.');
    out.line("Each till keeps only its own chain (the invoices' pull scope) and verifies the cloud's copy of both.");

    out.section('Head office reads the master inventory across tenants');
    const office = await openDemoDevice({ dir, cloud, name: 'head-office', tenant: 'head-office', role: 'master' });
    devices.push(office);
    const master = await inventory(office).master();
    out.table(['sku', 'quantity (all tenants)', 'tenants holding it'], master.map((m) => [m.sku, m.quantity, m.tenants]));
    out.line("A store's token asking for it gets 403; only a head-office token (eq_role master) reads it.");

    out.section('A third till for tenant A, beyond its licence of 2 devices');
    const tillA3 = await openDemoDevice({ dir, cloud, name: 'store-a-till-3', tenant: 'store-a' });
    devices.push(tillA3);
    inventory(tillA3).upsertProduct({ sku: 'MUG-CERAMIC', name: 'Ceramic mug', priceCents: 900 });
    const refused = await tillA3.host.syncNow();
    out.line(`${refused.error ?? 'uploaded'}; its ${tillA3.host.status.pendingUploads} change(s) wait for a bigger licence.`);

    out.section('Status of every device');
    out.table(
      ['device', 'pending uploads', 'conflicts', 'failed', 'last error'],
      devices.map((d) => [d.name, d.host.status.pendingUploads, d.host.status.conflicts, d.host.status.failed.length, d.host.status.lastError ?? '—']),
    );

    return {
      cloudUrl: cloud.url,
      dir,
      devices: devices.map((d) => ({ name: d.name, tenant: d.tenant, config: d.configFile })),
      syncs,
      unplugged: { device: tillA2.name, offline: offline.offline, error: offline.error, queued },
      concurrentEdit: { sku: 'COFFEE-1KG', winner: tillA2.name, priceCents },
      stock: Object.fromEntries([tillA1, tillA2, tillB1].map((d) => [d.name, inventory(d).levels()])),
      fiscal: fiscalResults,
      master,
      licence: { device: tillA3.name, refused: refused.error },
      pendingUploads: [tillA1, tillA2, tillB1].reduce((sum, d) => sum + d.host.status.pendingUploads, 0),
    };
  } finally {
    for (const device of devices) await device.host.dispose();
    await unplugged.close();
    await cloud.stop();
  }
}

async function mustSync(device: DemoDevice): Promise<void> {
  const result = await device.host.syncNow();
  if (result.error !== null) throw new Error(`${device.name}: ${result.error}`);
}

/** A tenant's stock of a product it carries, or "-" for one it does not. */
function stock(device: DemoDevice, sku: string): string {
  return inventory(device).product(sku) === undefined ? '-' : String(inventory(device).level(sku));
}

function cents(value: unknown): string {
  return typeof value === 'number' ? (value / 100).toFixed(2) : '-';
}
