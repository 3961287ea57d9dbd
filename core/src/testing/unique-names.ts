import { randomUUID } from 'node:crypto';

/**
 * A tenant id no other test uses: every test file of a run shares one cloud, so tests
 * keep apart by tenant.
 *
 * @example
 * const tenant = uniqueTenant('converge'); // 'converge-0b7c…'
 */
export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID()}`;
}

/**
 * A name no other test file uses, `<prefix>_<10 hex digits>`: a table or schema (every
 * file installs its tables in the one cloud of the run), or a value that spans tenants,
 * such as a SKU in a cross-tenant total.
 *
 * @example
 * const notes = uniqueName('notes'); // 'notes_3f9a0c…'
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${uniqueSuffix(10)}`;
}

/**
 * Hex digits no other test uses, for names a test builds itself.
 *
 * @example
 * const table = `items_${uniqueSuffix()}`;
 */
export function uniqueSuffix(length = 8): string {
  return randomUUID().replaceAll('-', '').slice(0, length);
}
