/**
 * Thrown by the local store for a misuse it can name: an unknown table or column, a
 * table of another plugin, a value of the wrong type, a database of another tenant.
 *
 * @example
 * try { scoped.insert('clients', { nmae: 'Ada' }); } catch (e) {
 *   if (e instanceof StoreError) console.error(e.message); // ... unknown column "nmae"
 * }
 */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/**
 * Thrown when a plugin's tables cannot be migrated forward without losing data, e.g.
 * a column was removed or its type changed. Names the plugin, the table and the column.
 *
 * @example
 * try { LocalStore.open(options); } catch (e) {
 *   if (e instanceof SchemaMigrationError) console.error(e.plugin, e.table, e.column);
 * }
 */
export class SchemaMigrationError extends StoreError {
  override readonly name = 'SchemaMigrationError';

  constructor(
    readonly plugin: string,
    readonly table: string,
    readonly column: string,
    problem: string,
  ) {
    super(`plugin "${plugin}" table "${table}" column "${column}": ${problem}`);
  }
}
