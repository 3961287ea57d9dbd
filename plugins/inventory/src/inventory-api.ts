import { pluginApi } from '@equinox-sync/core/plugin';
import type { MasterLevel } from './local/master-copy.js';
import type { StockReason } from './stock-rules.js';

/**
 * A product as the API shows it. `taxRateBp` is in basis points (2100 = 21 %), so rates
 * stay exact integers; prices are integer cents.
 *
 * @example
 * const coffee: Product = { id, sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450, taxRateBp: 1000, active: true };
 */
export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly taxRateBp: number;
  readonly active: boolean;
}

/**
 * What {@link InventoryApi.upsertProduct} takes: the SKU picks the product; `taxRateBp`
 * and `active` keep their current values when left out (0 and true for a new product).
 *
 * @example
 * api.upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450, taxRateBp: 1000 });
 */
export interface ProductInput {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly taxRateBp?: number;
  readonly active?: boolean;
}

/**
 * What {@link InventoryApi.adjust} takes: a signed change of stock (negative for a sale)
 * and why. `location` defaults to `main`, `occurredAt` to now.
 *
 * @example
 * api.adjust({ sku: 'COFFEE-1KG', delta: -3, reason: 'sale' });
 */
export interface AdjustInput {
  readonly sku: string;
  readonly delta: number;
  readonly reason: StockReason;
  readonly location?: string;
  readonly occurredAt?: Date | string;
}

/**
 * A recorded stock movement. Movements are never changed or removed: a mistake is
 * corrected by another movement.
 *
 * @example
 * const movement: StockMovement = api.adjust({ sku: 'COFFEE-1KG', delta: 10, reason: 'purchase' });
 */
export interface StockMovement {
  readonly id: string;
  readonly productId: string;
  readonly sku: string;
  readonly delta: number;
  readonly reason: StockReason;
  readonly location: string;
  readonly occurredAt: string;
}

/**
 * A SKU's stock on this device: the sum of every movement it has, its own and those
 * pulled from the tenant's other devices.
 *
 * @example
 * const level: StockLevel = { sku: 'COFFEE-1KG', quantity: 5 };
 */
export interface StockLevel {
  readonly sku: string;
  readonly quantity: number;
}

/**
 * Options of {@link InventoryApi.master}.
 *
 * @example
 * await api.master({ refresh: false }); // the copy pulled last time, without the network
 */
export interface MasterOptions {
  /** Pull the cloud's master inventory first (default true); false reads the local copy only. */
  readonly refresh?: boolean;
}

/**
 * What the inventory plugin's `activate` returns: `host.api<InventoryApi>('@equinox-sync/plugin-inventory')`.
 * Every write is local and queued for the next sync; nothing here waits for the network
 * except {@link InventoryApi.master}.
 *
 * @example
 * const inventory = host.api<InventoryApi>('@equinox-sync/plugin-inventory');
 * inventory.upsertProduct({ sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450 });
 * inventory.adjust({ sku: 'COFFEE-1KG', delta: 10, reason: 'purchase' });
 * inventory.adjust({ sku: 'COFFEE-1KG', delta: -3, reason: 'sale' });
 * inventory.levels(); // [{ sku: 'COFFEE-1KG', quantity: 7 }]
 */
export interface InventoryApi {
  /** Creates the product with this SKU, or changes the given fields of the existing one (a later edit wins on sync). */
  upsertProduct(input: ProductInput): Product;
  /** The live product with this SKU, if any. */
  product(sku: string): Product | undefined;
  /** Every live product on this device (withdrawn ones too, `active: false`), by SKU. */
  products(): Product[];
  /** Records a stock movement of a known product. Stock may go negative: offline tills cannot be stopped from selling. */
  adjust(input: AdjustInput): StockMovement;
  /** Stock per SKU on this device, by SKU. */
  levels(): StockLevel[];
  /** One SKU's stock on this device (0 without movements). */
  level(sku: string): number;
  /**
   * Head office only (a device with role `master`): refreshes the local copy of the
   * master inventory from the cloud, then returns it, by SKU. A store device gets an
   * error without any network call; so does a refresh that fails (offline, refused).
   */
  master(options?: MasterOptions): Promise<MasterLevel[]>;
  /** When the local copy of the master inventory was last refreshed (ms), or null. */
  masterRefreshedAt(): number | null;
}

/**
 * The typed token of {@link InventoryApi}: `host.api(InventoryApi)` returns the inventory plugin's API without a cast.
 *
 * @example
 * host.api(InventoryApi).levels();
 */
export const InventoryApi = pluginApi<InventoryApi>('@equinox-sync/plugin-inventory');
