import type { MasterLevel } from './local/master-copy.js';

/**
 * Checks what `inventory_master()` answered before it replaces the local copy: a cloud
 * with an outdated schema must not wipe head office's copy with garbage. Quantities are
 * the cloud's `numeric` totals, which PostgREST sends as JSON numbers: any whole number is
 * taken, so one SKU whose total grew past 2^53 (read to the nearest double) cannot stop
 * head office's refresh.
 *
 * @example
 * parseMasterLevels([{ sku: 'COFFEE-1KG', quantity: 24, tenants: 2 }]);
 */
export function parseMasterLevels(answer: unknown): MasterLevel[] {
  if (!Array.isArray(answer)) throw new Error(`the cloud's inventory_master() answered ${typeof answer}, not a list: is the inventory's cloud SQL installed?`);
  return answer.map((item: unknown, index) => {
    const { sku, quantity, tenants } = (item ?? {}) as Record<string, unknown>;
    if (typeof sku !== 'string' || !Number.isInteger(quantity) || !Number.isSafeInteger(tenants)) {
      throw new Error(`the cloud's inventory_master() answered an unexpected row ${index}: ${JSON.stringify(item)}`);
    }
    return { sku, quantity: quantity as number, tenants: tenants as number };
  });
}
