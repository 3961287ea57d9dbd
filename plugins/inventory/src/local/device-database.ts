import { LocalStore, type PluginContext } from '@equinox-sync/core';

/** The device's SQLite connection (better-sqlite3). */
export type DeviceDatabase = LocalStore['database'];

/**
 * The device's database connection, for what a scoped store cannot express: the
 * derived `stock_levels` view and the local `master_inventory` copy, which are not synced
 * tables. The host binds `LocalStore` in its container, the parent of the plugin's; it is
 * resolved on every call because the host reopens the database when a plugin is left out.
 * Synced tables are still written only through `context.store`.
 *
 * @example
 * const db = deviceDatabase(context);
 * db.prepare('SELECT sku, quantity FROM stock_levels').all();
 */
export function deviceDatabase(context: PluginContext): DeviceDatabase {
  return context.container.get<LocalStore>(LocalStore).database;
}

/**
 * Runs `install` once per connection: DDL on every call would churn the schema that
 * other connections (a host app's, the engine's) have compiled their statements against.
 *
 * @example
 * const ensureView = oncePerConnection((db) => db.exec('CREATE VIEW IF NOT EXISTS …'));
 */
export function oncePerConnection(install: (db: DeviceDatabase) => void): (db: DeviceDatabase) => DeviceDatabase {
  const done = new WeakSet<DeviceDatabase>();
  return (db) => {
    if (!done.has(db)) {
      install(db);
      done.add(db);
    }
    return db;
  };
}
