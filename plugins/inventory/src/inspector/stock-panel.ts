import type { InspectorAction, InspectorPanel, InspectorSection, InspectorTone, InspectorView, PluginContext } from '@equinox-sync/core/plugin';
import type { InventoryApi } from '../inventory-api.js';
import { isOutOfStock, stockLines, type StockLine } from './stock-lines.js';

/** Rows a table shows: enough for a shop's problem SKUs, short enough for a till's screen. */
export const STOCK_PANEL_ROWS = 50;

/**
 * The inspector's "Stock" panel: every product's quantity on hand on this device (the
 * sum of its movements, its own and those pulled), lowest first and at most
 * {@link STOCK_PANEL_ROWS} rows, out-of-stock lines marked. On a head-office device
 * (role `master`) it adds the local copy of the master inventory and an action that
 * refreshes it from the cloud (a warning when offline).
 *
 * @example
 * context.subscriptions.push(context.inspector.registerPanel(stockPanel(inventory, context.device)));
 */
export function stockPanel(inventory: InventoryApi, device: Pick<PluginContext['device'], 'role'>): InspectorPanel {
  const master = device.role === 'master';
  const refresh: InspectorAction = {
    id: 'refresh-master',
    label: 'Refresh master inventory',
    run: async () => {
      try {
        const levels = await inventory.master();
        return { message: `Master inventory refreshed: ${count(levels.length, 'SKU')} across tenants.`, tone: 'ok' };
      } catch (error) {
        return { message: `The master inventory was not refreshed: ${error instanceof Error ? error.message : String(error)}. The last copy is kept.`, tone: 'warn' };
      }
    },
  };
  return {
    id: 'stock',
    title: 'Stock',
    load: async () => {
      const view = stockView(inventory);
      return master ? { ...view, sections: [...view.sections, ...(await masterSections(inventory))] } : view;
    },
    ...(master ? { actions: [refresh] } : {}),
  };
}

/**
 * The device's own stock, as the panel shows it.
 *
 * @example
 * stockView(inventory).summary; // '37 products, 2 out of stock'
 */
export function stockView(inventory: Pick<InventoryApi, 'products' | 'levels'>): InspectorView {
  const products = inventory.products();
  const lines = stockLines(products, inventory.levels());
  const out = lines.filter(isOutOfStock);
  const shown = lines.slice(0, STOCK_PANEL_ROWS);
  const unknown = lines.filter((line) => line.name === null).length;
  const parts = [count(products.length, 'product'), out.length === 0 ? 'all in stock' : `${out.length} out of stock`];
  if (unknown > 0) parts.push(`${count(unknown, 'SKU')} with movements but no product here`);
  const more = lines.length - shown.length;
  return {
    summary: lines.length === 0 ? 'No products yet' : parts.join(', '),
    tone: out.some((line) => line.quantity < 0) ? 'bad' : out.length > 0 ? 'warn' : 'ok',
    sections: [
      {
        kind: 'table',
        title: more > 0 ? `On hand, lowest first (${shown.length} of ${lines.length}; ${more} more with higher stock)` : 'On hand, lowest first',
        columns: ['sku', 'name', 'on hand', 'price', 'on sale'],
        rows: shown.map((line) => [line.sku, line.name ?? '(no product on this device)', line.quantity, price(line.priceCents), line.active ? 'yes' : 'no']),
        tones: shown.map(lineTone),
        empty: 'No products yet: add one with equinox inventory product upsert.',
      },
    ],
  };
}

/** What the head-office device holds of the master inventory, read locally: loading the panel never waits for the network. */
async function masterSections(inventory: InventoryApi): Promise<InspectorSection[]> {
  const levels = await inventory.master({ refresh: false });
  const refreshedAt = inventory.masterRefreshedAt();
  const shown = [...levels].sort((a, b) => a.quantity - b.quantity || (a.sku < b.sku ? -1 : 1)).slice(0, STOCK_PANEL_ROWS);
  return [
    {
      kind: 'facts',
      title: 'Master inventory (every tenant)',
      facts: [
        { label: 'SKUs', value: String(levels.length) },
        refreshedAt === null
          ? { label: 'Refreshed', value: 'never: press "Refresh master inventory"', tone: 'warn' }
          : { label: 'Refreshed', value: new Date(refreshedAt).toISOString() },
      ],
    },
    {
      kind: 'table',
      title: levels.length > shown.length ? `Lowest totals (${shown.length} of ${levels.length})` : 'Lowest totals',
      columns: ['sku', 'total', 'tenants'],
      rows: shown.map((level) => [level.sku, level.quantity, level.tenants]),
      tones: shown.map((level) => (level.quantity <= 0 ? 'warn' : null)),
      empty: 'No copy of the master inventory on this device yet.',
    },
  ];
}

function lineTone(line: StockLine): InspectorTone | null {
  if (!isOutOfStock(line)) return null;
  // Below zero, more was sold than was recorded as received: a count or a delivery is missing.
  return line.quantity < 0 ? 'bad' : 'warn';
}

function price(cents: number | null): string {
  return cents === null ? '' : (cents / 100).toFixed(2);
}

function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
