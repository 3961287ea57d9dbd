/**
 * A local view: one SQLite `SELECT` over the plugin's own tables (synced or local),
 * created on the device when the store opens and replaced when its `select` changes. It
 * reads live rows and tombstones alike, so filter `deleted = 0` on synced tables. It is
 * never synced; the plugin reads it through `store.view(name)`, host apps with plain SQL.
 * A view that reads anything else (another plugin's table, an `_eq_` table, a virtual
 * table) is refused when the store opens.
 *
 * @example
 * const totals: ViewDeclaration = {
 *   name: 'order_totals',
 *   select: 'SELECT order_id, SUM(amount_cents) AS total_cents FROM order_lines WHERE deleted = 0 GROUP BY order_id',
 * };
 */
export interface ViewDeclaration {
  readonly name: string;
  /** One SELECT statement (or `WITH … SELECT`), without a trailing semicolon; columns are named by their aliases. */
  readonly select: string;
}

/**
 * A local view after validation: its `select` trimmed.
 *
 * @example
 * const names = (views: readonly ViewDefinition[]) => views.map((view) => view.name);
 */
export interface ViewDefinition {
  readonly name: string;
  readonly plugin: string;
  readonly select: string;
}
