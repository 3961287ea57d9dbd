import type { DeviceDatabase } from './device-database.js';

/**
 * One SKU of the master inventory: its stock summed over every tenant, and how many
 * tenants hold it (have a non-zero total).
 *
 * @example
 * const line: MasterLevel = { sku: 'COFFEE-1KG', quantity: 24, tenants: 2 };
 */
export interface MasterLevel {
  readonly sku: string;
  readonly quantity: number;
  readonly tenants: number;
}

/**
 * A head-office device's local copy of the master inventory: a plain table, not a synced
 * one (the cloud's aggregate spans tenants, which tenant-scoped pulls cannot carry). It is
 * read-only: triggers refuse every write except {@link replaceMasterCopy}'s, which flips
 * the `writing` flag inside its own transaction, so no other connection ever sees it set.
 */
const INSTALL_SQL = `
CREATE TABLE IF NOT EXISTS master_inventory (
  sku TEXT PRIMARY KEY,
  quantity INTEGER NOT NULL,
  tenants INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS master_inventory_refresh (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  refreshed_at INTEGER,
  writing INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO master_inventory_refresh (id, refreshed_at, writing) VALUES (1, NULL, 0);
${['INSERT', 'UPDATE', 'DELETE']
  .map(
    (event) => `CREATE TRIGGER IF NOT EXISTS master_inventory_read_only_${event.toLowerCase()} BEFORE ${event} ON master_inventory
  WHEN (SELECT writing FROM master_inventory_refresh WHERE id = 1) IS NOT 1 BEGIN
  SELECT RAISE(ABORT, 'master_inventory is read-only: it is a copy of the cloud''s master inventory, refreshed by inventory master()');
END;`,
  )
  .join('\n')}`;

/**
 * Creates the local master-inventory tables when missing.
 *
 * @example
 * installMasterCopy(db);
 */
export function installMasterCopy(db: DeviceDatabase): void {
  db.exec(INSTALL_SQL);
}

/**
 * Replaces the local copy with `levels` in one transaction: a reader sees the old copy or
 * the new one, never a mix. `levels` must be the whole master inventory (every page of
 * `inventory_master`): a SKU missing from it is gone from the copy.
 *
 * @example
 * replaceMasterCopy(db, [{ sku: 'COFFEE-1KG', quantity: 24, tenants: 2 }], Date.now());
 */
export function replaceMasterCopy(db: DeviceDatabase, levels: readonly MasterLevel[], refreshedAt: number): void {
  const insert = db.prepare('INSERT INTO master_inventory (sku, quantity, tenants) VALUES (?, ?, ?)');
  db.transaction(() => {
    db.prepare('UPDATE master_inventory_refresh SET writing = 1 WHERE id = 1').run();
    db.prepare('DELETE FROM master_inventory').run();
    for (const level of levels) insert.run(level.sku, level.quantity, level.tenants);
    db.prepare('UPDATE master_inventory_refresh SET writing = 0, refreshed_at = ? WHERE id = 1').run(refreshedAt);
  }).immediate();
}

/**
 * The local copy, by SKU.
 *
 * @example
 * readMasterCopy(db); // [{ sku: 'COFFEE-1KG', quantity: 24, tenants: 2 }]
 */
export function readMasterCopy(db: DeviceDatabase): MasterLevel[] {
  return db.prepare('SELECT sku, quantity, tenants FROM master_inventory ORDER BY sku').all() as MasterLevel[];
}

/**
 * When the local copy was last replaced (ms), or null if never.
 *
 * @example
 * masterRefreshedAt(db); // 1764170000000
 */
export function masterRefreshedAt(db: DeviceDatabase): number | null {
  return (db.prepare('SELECT refreshed_at FROM master_inventory_refresh WHERE id = 1').pluck().get() as number | null | undefined) ?? null;
}
