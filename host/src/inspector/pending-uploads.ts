import type { LocalStore, PluginDefinition, Row } from '@equinox-sync/core';

/**
 * A change waiting to upload, with its row as it is now (a deleted one with its `deleted` flag).
 *
 * @example
 * const change: QueuedChange = { id: 'r1', op: 'update', attempts: 0, lastError: null, row: { id: 'r1', body: 'hi' } };
 */
export interface QueuedChange {
  readonly id: string;
  readonly op: 'insert' | 'update' | 'delete';
  readonly attempts: number;
  readonly lastError: string | null;
  readonly row: Row;
}

/**
 * One table's waiting uploads: how many, and the first ones in upload order.
 *
 * @example
 * const part: QueuedTable = { table: 'notes', plugin: '@acme/notes', count: 120, changes: [] };
 */
export interface QueuedTable {
  readonly table: string;
  readonly plugin: string;
  /**
   * Every change of the table waiting to upload, those backing off included. Held deletes
   * and the changes of rows in conflict (they wait for a person, in the conflict inbox)
   * are not: `status.pendingUploads` counts the latter.
   */
  readonly count: number;
  /** The first ones, in the order they go up. */
  readonly changes: readonly QueuedChange[];
}

/**
 * The upload queue per declared table, tables with nothing waiting left out, in
 * declaration order: the count and the first `perTable` changes of each.
 *
 * @example
 * readPendingUploads(store, host.definitions(), 20);
 */
export function readPendingUploads(store: LocalStore, definitions: readonly PluginDefinition[], perTable: number): QueuedTable[] {
  if (!Number.isSafeInteger(perTable) || perTable < 0) throw new RangeError(`rowsPerTable must be a whole number, got ${perTable}`);
  const counts = store.pendingUploadsByTable();
  return definitions.flatMap((plugin) =>
    plugin.tables.flatMap((table) => {
      const count = counts.get(table.name) ?? 0;
      if (count === 0) return [];
      // Backing-off entries are part of the queue too: read as if their time had come.
      const entries = perTable === 0 ? [] : store.readOutboxBatch({ table: table.name, limit: perTable, now: Number.MAX_SAFE_INTEGER });
      const changes = entries.map((entry) => ({ id: entry.id, op: entry.op, attempts: entry.attempts, lastError: entry.lastError ?? null, row: entry.row }));
      return [{ table: table.name, plugin: plugin.name, count, changes }];
    }),
  );
}
