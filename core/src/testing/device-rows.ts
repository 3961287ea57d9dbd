import { readCloudRows, type TestCloud } from '@equinox-sync/local-cloud/testing';
import type { Row } from '../declarations/index.js';
import type { LocalStore } from '../store/index.js';
import { testCloud } from './run-cloud.js';

/**
 * A device's rows of a table, tombstones included, sorted by id.
 *
 * @example
 * expect(localRows(till, 'notes')).toHaveLength(3);
 */
export function localRows(device: { readonly store: LocalStore }, table: string): Row[] {
  const plugin = device.store.tableDefinitions().find((definition) => definition.name === table)?.plugin;
  if (plugin === undefined) throw new Error(`table ${table} is not declared on this device`);
  return device.store
    .forPlugin(plugin)
    .query(table, {}, { includeDeleted: true })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

/**
 * The cloud's rows of a tenant in a table, read with the service key (no RLS), every
 * page, in id order.
 *
 * @example
 * expect(await cloudRows('notes', tenant)).toHaveLength(3);
 */
export function cloudRows(table: string, tenant: string, cloud: Pick<TestCloud, 'url' | 'serviceKey'> = testCloud()): Promise<Row[]> {
  return readCloudRows<Row>(cloud, table, tenant);
}

/**
 * Only the given columns of each row (a missing one as `undefined`), to compare a device
 * with another or with the cloud.
 *
 * @example
 * expect(pickColumns(localRows(till, 'notes'), ['id', 'body'])).toEqual(pickColumns(await cloudRows('notes', tenant), ['id', 'body']));
 */
export function pickColumns(rows: readonly Row[], columns: readonly string[]): Row[] {
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column]])));
}
