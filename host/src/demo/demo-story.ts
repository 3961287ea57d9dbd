import { compileServerSchema, type Row, type SyncRunResult } from '@equinox-sync/core';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { startFaultProxy } from '@equinox-sync/local-cloud/testing';
import { fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { settingsPlugin } from '@equinox-sync/plugin-settings';
import { openDemoDevice, type DemoDevice } from './demo-devices.js';
import type { DemoOutput } from './demo-output.js';

const INVENTORY = '@equinox-sync/plugin-inventory';

/** What `demo --json` prints: the figures the story showed. */
export interface DemoSummary {
  cloudUrl: string;
  dir: string;
  devices: { name: string; tenant: string; config: string }[];
  syncs: ({ device: string } & SyncRunResult)[];
  concurrentEdit: { sku: string; winner: string; priceCents: Record<string, number> };
  stock: Record<string, { sku: string; quantity: number }[]>;
  pendingUploads: number;
}

/**
 * The demo's story on a real local cloud: tenant A with two tills and tenant B with one
 * work offline, A's tills edit the same product concurrently, one till has no network at
 * first, then everything syncs and every device agrees.
 */
export async function runDemoStory(options: { dir: string; cloudDir: string; out: DemoOutput }): Promise<DemoSummary> {
  const { out, dir } = options;
  out.section('Starting a local cloud (real Postgres + PostgREST)');
  const cloud = await startLocalCloud({ dataDir: options.cloudDir });
  const devices: DemoDevice[] = [];
  const unplugged = await startFaultProxy(new URL(cloud.url));
  try {
    await cloud.applySql(compileServerSchema([fiscalPlugin, inventoryPlugin, settingsPlugin]));
    out.line(`${cloud.url}  (schema of the built-in plugins installed)`);

    out.section('Three devices: tenant A has two tills, tenant B one');
    const tillA1 = await openDemoDevice({ dir, cloud, name: 'store-a-till-1', tenant: 'store-a' });
    const tillA2 = await openDemoDevice({ dir, cloud, name: 'store-a-till-2', tenant: 'store-a', url: unplugged.url });
    const tillB1 = await openDemoDevice({ dir, cloud, name: 'store-b-till-1', tenant: 'store-b' });
    devices.push(tillA1, tillA2, tillB1);
    out.table(['device', 'tenant', 'database'], devices.map((d) => [d.name, d.tenant, d.host.config.dbPath]));

    out.section('Working offline: products and sales are recorded locally');
    const coffee = tillA1.host.store(INVENTORY).insert('products', { sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', price_cents: 1450, tax_rate_bp: 1000 });
    await syncQuietly(tillA1);
    await unplugged.setMode({ kind: 'pass' });
    await syncQuietly(tillA2);
    await unplugged.setMode({ kind: 'refuse' });
    const sell = (device: DemoDevice, sku: string, productId: unknown, delta: number, reason = 'sale'): void => {
      device.host.store(INVENTORY).insert('stock_movements', { product_id: productId, sku, delta, reason, occurred_at: new Date() });
    };
    sell(tillA1, 'COFFEE-1KG', coffee.id, 10, 'purchase');
    await syncQuietly(tillA1);
    await unplugged.setMode({ kind: 'pass' });
    await syncQuietly(tillA2);
    await unplugged.setMode({ kind: 'refuse' });
    sell(tillA1, 'COFFEE-1KG', coffee.id, -3);
    sell(tillA2, 'COFFEE-1KG', coffee.id, -2);
    const tea = tillB1.host.store(INVENTORY).insert('products', { sku: 'TEA-250G', name: 'Green tea 250 g', price_cents: 690, tax_rate_bp: 1000 });
    sell(tillB1, 'TEA-250G', tea.id, 24, 'purchase');
    sell(tillB1, 'TEA-250G', tea.id, -5);
    out.line('Till 1 of A sold 3 bags of coffee, till 2 of A sold 2 — both offline, from a stock of 10.');

    out.section('A concurrent edit: both tills of A change the coffee price offline');
    tillA1.host.store(INVENTORY).update('products', String(coffee.id), { price_cents: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    tillA2.host.store(INVENTORY).update('products', String(coffee.id), { price_cents: 1550 });
    out.table(['device', 'coffee price (local)'], [tillA1, tillA2].map((d) => [d.name, cents(priceOf(d, coffee.id))]));
    out.line('Products resolve by last write (hybrid logical clock): till 2 edited last.');

    out.section('Till 2 of A tries to sync with its network cable unplugged');
    const offline = await tillA2.host.syncNow();
    out.line(`offline: ${offline.offline}; its ${tillA2.host.status.pendingUploads} change(s) stay queued — nothing is sent, nothing is lost.`);

    out.section('The network is back: every device syncs');
    await unplugged.setMode({ kind: 'pass' });
    const syncs: ({ device: string } & SyncRunResult)[] = [];
    for (const device of [tillA1, tillA2, tillB1, tillA1]) syncs.push({ device: device.name, ...(await device.host.syncNow()) });
    out.table(['device', 'uploaded', 'downloaded', 'conflicts', 'rejected', 'ms'], syncs.map((s) => [s.device, s.uploaded, s.downloaded, s.conflicts, s.rejected, s.durationMs]));

    out.section('Every device agrees');
    const priceCents = Object.fromEntries([tillA1, tillA2].map((d) => [d.name, Number(priceOf(d, coffee.id))]));
    out.table(['device', 'coffee price', 'coffee stock', 'tea stock'], devices.map((d) => [d.name, d.tenant === 'store-a' ? cents(priceOf(d, coffee.id)) : '-', quantity(d, 'COFFEE-1KG'), quantity(d, 'TEA-250G')]));
    out.line('The later price (15.50) won on both tills; both offline sales counted: 10 - 3 - 2 = 5.');
    out.line('Tenant B sees none of tenant A\'s rows, and the reverse (row-level security on the token\'s tenant_id).');

    out.section('Status of every device');
    out.table(
      ['device', 'pending uploads', 'conflicts', 'failed', 'last sync'],
      devices.map((d) => [d.name, d.host.status.pendingUploads, d.host.status.conflicts, d.host.status.failed.length, d.host.status.lastSync ? new Date(d.host.status.lastSync).toISOString() : 'never']),
    );

    return {
      cloudUrl: cloud.url,
      dir,
      devices: devices.map((d) => ({ name: d.name, tenant: d.tenant, config: d.configFile })),
      syncs,
      concurrentEdit: { sku: 'COFFEE-1KG', winner: tillA2.name, priceCents },
      stock: Object.fromEntries(devices.map((d) => [d.name, levels(d)])),
      pendingUploads: devices.reduce((sum, d) => sum + d.host.status.pendingUploads, 0),
    };
  } finally {
    for (const device of devices) await device.host.dispose();
    await unplugged.close();
    await stopCloud(cloud);
  }
}

async function syncQuietly(device: DemoDevice): Promise<void> {
  const result = await device.host.syncNow();
  if (result.error !== null && !result.offline) throw new Error(`${device.name}: ${result.error}`);
}

function priceOf(device: DemoDevice, id: unknown): unknown {
  return device.host.store(INVENTORY).get('products', String(id))?.price_cents;
}

function levels(device: DemoDevice): { sku: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const movement of device.host.store(INVENTORY).query('stock_movements') as Row[]) {
    totals.set(String(movement.sku), (totals.get(String(movement.sku)) ?? 0) + Number(movement.delta));
  }
  return [...totals].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => a.sku.localeCompare(b.sku));
}

function quantity(device: DemoDevice, sku: string): string {
  const level = levels(device).find((l) => l.sku === sku);
  return level === undefined ? '-' : String(level.quantity);
}

function cents(value: unknown): string {
  return typeof value === 'number' ? (value / 100).toFixed(2) : '-';
}

async function stopCloud(cloud: LocalCloud): Promise<void> {
  await cloud.stop();
}
