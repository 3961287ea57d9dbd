/**
 * Why a stock movement moved stock. A `transfer` between locations is two movements
 * (out of one, into the other); a `count` records what a stock count found missing or
 * extra, as a delta.
 *
 * @example
 * STOCK_REASONS.includes('sale'); // true
 */
export const STOCK_REASONS = ['sale', 'purchase', 'adjustment', 'transfer', 'count'] as const;

/** One of {@link STOCK_REASONS}. */
export type StockReason = (typeof STOCK_REASONS)[number];

/**
 * The largest stock one movement may move, either way. The manifest declares the same
 * bounds on `delta` (`min`, `max`), so the device holds back and the cloud refuses a
 * movement beyond them; the totals are `numeric` in the cloud, so even many movements
 * at the limit cannot overflow them.
 *
 * @example
 * Math.abs(delta) <= MAX_MOVEMENT_DELTA; // a movement the inventory accepts
 */
export const MAX_MOVEMENT_DELTA = 1_000_000_000;

/**
 * Input the inventory refuses before anything is written: a bad SKU, delta, reason,
 * price or tax rate. The message names the field and the value.
 *
 * @example
 * try { api.adjust({ sku: 'A-1', delta: 0, reason: 'sale' }); } catch (e) { if (e instanceof InventoryInputError) console.error(e.message); }
 */
export class InventoryInputError extends Error {
  override readonly name = 'InventoryInputError';
}

/**
 * Why a movement row must not be stored or uploaded, or undefined when it is fine: the
 * same rules the cloud enforces with CHECK constraints, so a bad row written with plain
 * SQL is held back on the device with a reason rather than refused by the cloud.
 *
 * @example
 * movementProblem({ sku: 'A-1', delta: 0, reason: 'sale' }); // 'delta must be a non-zero integer, got 0'
 */
export function movementProblem(row: { readonly sku?: unknown; readonly delta?: unknown; readonly reason?: unknown }): string | undefined {
  if (typeof row.sku !== 'string' || row.sku.trim() === '') return `sku must be a non-empty text, got ${show(row.sku)}`;
  if (!isNonZeroInteger(row.delta)) return `delta must be a non-zero integer, got ${show(row.delta)}`;
  const delta = row.delta as number | bigint;
  if (delta > MAX_MOVEMENT_DELTA || delta < -MAX_MOVEMENT_DELTA) return `delta must be within ±${MAX_MOVEMENT_DELTA} per movement, got ${show(delta)}`;
  if (!STOCK_REASONS.includes(row.reason as StockReason)) return `reason must be one of ${STOCK_REASONS.join(', ')}, got ${show(row.reason)}`;
  return undefined;
}

/** A SKU as stored: trimmed, non-empty. */
export function checkSku(sku: unknown): string {
  if (typeof sku !== 'string' || sku.trim() === '') throw new InventoryInputError(`sku must be a non-empty text, got ${show(sku)}`);
  return sku.trim();
}

/** A whole number within [min, max] (both safe integers). */
export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InventoryInputError(`${field} must be a whole number from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** Throws {@link InventoryInputError} with {@link movementProblem}'s reason. */
export function checkMovement(row: { readonly sku: unknown; readonly delta: unknown; readonly reason: unknown }): void {
  const problem = movementProblem(row);
  if (problem !== undefined) throw new InventoryInputError(problem);
}

function isNonZeroInteger(value: unknown): boolean {
  return typeof value === 'number' ? Number.isSafeInteger(value) && value !== 0 : typeof value === 'bigint' && value !== 0n;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
