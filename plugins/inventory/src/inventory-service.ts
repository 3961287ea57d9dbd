import { readKeysetPages, type PluginContext, type Row } from '@equinox-sync/core/plugin';
import { MASTER_PAGE_LIMIT } from './cloud/inventory-server-sql.js';
import type { AdjustInput, InventoryApi, Product, ProductInput, StockLevel, StockMovement } from './inventory-api.js';
import { masterRefreshedAt, readMasterCopy, replaceMasterCopy, type MasterLevel } from './local/master-copy.js';
import { readLevel, readLevels } from './local/stock-levels-view.js';
import { parseMasterLevels } from './master-levels.js';
import { productId } from './product-id.js';
import { checkInteger, checkMovement, checkSku, InventoryInputError, type StockReason } from './stock-rules.js';

/** The highest tax rate accepted, in basis points: 100 %. */
const MAX_TAX_RATE_BP = 10_000;

/**
 * A store device asked for the master inventory, which spans tenants: only head office
 * (a device initialised with `--role master`) may read it.
 *
 * @example
 * catch (e) { if (e instanceof MasterAccessError) console.error(e.message); }
 */
export class MasterAccessError extends Error {
  override readonly name = 'MasterAccessError';
}

/**
 * The inventory API over one plugin context, all through the plugin's store: products
 * and movements in its synced tables (so every change is captured and synced), levels
 * from its `stock_levels` view, the master inventory from the plugin's cloud function
 * into its local tables.
 *
 * @example
 * export function activate(context: PluginContext): InventoryApi { return createInventoryApi(context); }
 */
export function createInventoryApi(context: PluginContext): InventoryApi {
  const { store, device } = context;
  const findProduct = (sku: string): Row | undefined => store.query('products', { sku })[0];

  return {
    upsertProduct(input: ProductInput): Product {
      const sku = checkSku(input.sku);
      if (typeof input.name !== 'string' || input.name.trim() === '') throw new InventoryInputError(`name must be a non-empty text, got ${String(input.name)}`);
      const fields: Row = {
        name: input.name,
        price_cents: checkInteger('priceCents', input.priceCents, 0, Number.MAX_SAFE_INTEGER),
        ...(input.taxRateBp === undefined ? {} : { tax_rate_bp: checkInteger('taxRateBp', input.taxRateBp, 0, MAX_TAX_RATE_BP) }),
        ...(input.active === undefined ? {} : { active: checkBoolean('active', input.active) }),
      };
      const existing = findProduct(sku);
      if (existing !== undefined) {
        const patch = Object.fromEntries(Object.entries(fields).filter(([column, value]) => existing[column] !== value));
        // An unchanged product is not rewritten: a new clock value would upload it again for nothing.
        return toProduct(Object.keys(patch).length === 0 ? existing : store.update('products', String(existing.id), patch));
      }
      const id = productId(device.tenantId, sku);
      // The SKU's product was deleted: it comes back (queued like any edit) rather than a second row with its id.
      if (store.get('products', id, { includeDeleted: true }) !== undefined) return toProduct(store.restore('products', id, { sku, ...fields }));
      return toProduct(store.insert('products', { id, sku, tax_rate_bp: 0, active: true, ...fields }));
    },

    product(sku: string): Product | undefined {
      const row = findProduct(checkSku(sku));
      return row === undefined ? undefined : toProduct(row);
    },

    products(): Product[] {
      return store
        .query('products')
        .map(toProduct)
        .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    },

    adjust(input: AdjustInput): StockMovement {
      const sku = checkSku(input.sku);
      checkMovement({ sku, delta: input.delta, reason: input.reason });
      const product = findProduct(sku);
      if (product === undefined) throw new InventoryInputError(`no product with sku "${sku}": add it first (upsertProduct, or equinox inventory product upsert)`);
      const row = store.insert('stock_movements', {
        product_id: product.id,
        sku,
        delta: input.delta,
        reason: input.reason,
        location: checkLocation(input.location),
        occurred_at: checkTime(input.occurredAt),
      });
      return toMovement(row);
    },

    levels(): StockLevel[] {
      return readLevels(store);
    },

    level(sku: string): number {
      return readLevel(store, checkSku(sku));
    },

    async master(options = {}): Promise<MasterLevel[]> {
      if (device.role !== 'master') {
        throw new MasterAccessError(
          `the master inventory spans every tenant and is for head office only: this device's role is "${device.role}" (initialise a head-office device with --role master)`,
        );
      }
      if (options.refresh !== false) {
        // Every page first, then one replacement: the copy is never replaced with part of the answer.
        const levels = await readKeysetPages<MasterLevel>({
          fn: 'inventory_master',
          fetch: (after, limit) => masterPage(context, after, limit),
          parse: parseMasterLevels,
          key: (level) => level.sku,
          limit: MASTER_PAGE_LIMIT,
        });
        replaceMasterCopy(store, levels, Date.now());
      }
      return readMasterCopy(store);
    },

    masterRefreshedAt(): number | null {
      return device.role === 'master' ? masterRefreshedAt(store) : null;
    },
  };
}

/** One page of the cloud's master inventory; a failed call names what it was for. */
async function masterPage(context: PluginContext, after: string | number | null, limit: number): Promise<unknown> {
  try {
    return await context.cloud.rpc('inventory_master', { p_after: after, p_limit: limit });
  } catch (error) {
    throw new Error(`could not refresh the master inventory from the cloud: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function toProduct(row: Row): Product {
  return {
    id: String(row.id),
    sku: String(row.sku),
    name: String(row.name),
    priceCents: Number(row.price_cents),
    taxRateBp: Number(row.tax_rate_bp),
    active: row.active === true,
  };
}

function toMovement(row: Row): StockMovement {
  return {
    id: String(row.id),
    productId: String(row.product_id),
    sku: String(row.sku),
    delta: Number(row.delta),
    reason: row.reason as StockReason,
    location: String(row.location),
    occurredAt: String(row.occurred_at),
  };
}

function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InventoryInputError(`${field} must be true or false, got ${String(value)}`);
  return value;
}

function checkLocation(location: unknown): string {
  if (location === undefined) return 'main';
  if (typeof location !== 'string' || location.trim() === '') throw new InventoryInputError(`location must be a non-empty text, got ${String(location)}`);
  return location.trim();
}

function checkTime(value: Date | string | undefined): Date {
  const time = value === undefined ? new Date() : new Date(value);
  if (Number.isNaN(time.getTime())) throw new InventoryInputError(`occurredAt must be a date, got ${String(value)}`);
  return time;
}
