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

/**
 * Thrown when a write through the store API gives a column a value outside its declared
 * limits (see `ColumnDefinition.limits`): the cloud would refuse it, and a peer might not
 * decode it. Names the plugin, the table, the row, the column and the rule broken.
 *
 * @example
 * try { scoped.insert('orders', { qty: 2 ** 60 }); } catch (e) {
 *   if (e instanceof ColumnLimitError) console.error(e.column, e.rule); // 'qty' 'must be an integer within ±9007199254740991'
 * }
 */
export class ColumnLimitError extends StoreError {
  override readonly name = 'ColumnLimitError';

  constructor(
    readonly plugin: string,
    readonly table: string,
    readonly rowId: string,
    readonly column: string,
    readonly rule: string,
  ) {
    super(`plugin "${plugin}" table "${table}" row "${rowId}" column "${column}": ${rule}`);
  }
}
