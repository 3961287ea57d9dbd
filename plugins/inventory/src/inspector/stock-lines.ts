import type { Product, StockLevel } from '../inventory-api.js';

/**
 * One SKU as the inspector's stock panel shows it: its product (when this device holds
 * it) and its quantity on hand, the sum of its movements on this device.
 *
 * @example
 * const line: StockLine = { sku: 'COFFEE-1KG', name: 'Coffee beans 1 kg', priceCents: 1450, active: true, quantity: 7 };
 */
export interface StockLine {
  readonly sku: string;
  /** null: movements of a SKU whose product has not reached this device (pulled before it, or deleted). */
  readonly name: string | null;
  readonly priceCents: number | null;
  readonly active: boolean;
  readonly quantity: number;
}

/**
 * Every product with its quantity (0 without movements), plus the SKUs that have
 * movements but no product here, lowest quantity first (ties by SKU): what runs out
 * tops the list.
 *
 * @example
 * stockLines(inventory.products(), inventory.levels());
 * // [{ sku: 'TEA-50', name: 'Green tea', priceCents: 420, active: true, quantity: -1 }, …]
 */
export function stockLines(products: readonly Product[], levels: readonly StockLevel[]): StockLine[] {
  const quantities = new Map(levels.map((level) => [level.sku, level.quantity]));
  const known = new Set(products.map((product) => product.sku));
  const lines: StockLine[] = [
    ...products.map((product) => ({
      sku: product.sku,
      name: product.name,
      priceCents: product.priceCents,
      active: product.active,
      quantity: quantities.get(product.sku) ?? 0,
    })),
    ...levels.filter((level) => !known.has(level.sku)).map((level) => ({ sku: level.sku, name: null, priceCents: null, active: true, quantity: level.quantity })),
  ];
  return lines.sort((a, b) => a.quantity - b.quantity || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

/**
 * Whether a line is out of stock: an active SKU at or below zero (a product withdrawn
 * from sale is not expected to be stocked).
 *
 * @example
 * isOutOfStock({ sku: 'TEA-50', name: 'Green tea', priceCents: 420, active: true, quantity: 0 }); // true
 */
export function isOutOfStock(line: StockLine): boolean {
  return line.active && line.quantity <= 0;
}
