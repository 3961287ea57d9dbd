import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '@equinox-sync/core';
import { pluginFromPackageJson } from '@equinox-sync/core/plugin';
import { openPluginDevice, tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { activate, inventoryPlugin } from '../src/index.js';

// Before views and local tables were declared, the plugin made them itself with this SQL
// on the device's connection. Kept here verbatim, to make such a device.
const OLD_VIEW_SQL = `CREATE VIEW stock_levels (sku, quantity) AS
  SELECT sku, SUM(delta) FROM stock_movements WHERE deleted = 0 GROUP BY sku`;
const OLD_MASTER_COPY_SQL = `
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

const REFRESHED_AT = 1_764_170_000_000;

/** The plugin as it was declared then: its synced tables only. */
function previousInventory(): typeof inventoryPlugin {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { equinox: { contributes: Record<string, unknown> } };
  delete pkg.equinox.contributes.views;
  delete pkg.equinox.contributes.localTables;
  return pluginFromPackageJson(pkg);
}

/** A device database as the previous version of the plugin left it: movements, its own view and, on head office, its master copy. */
function previousDevice(role: 'store' | 'master'): string {
  const dir = tempDir('inventory');
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const store = LocalStore.open({ path: join(dir, 'till-1.db'), plugins: [previousInventory()], tenantId: 'tenant-1', deviceId: 'till-1' });
  const scoped = store.forPlugin(inventoryPlugin.name);
  const product = scoped.insert('products', { sku: 'A', name: 'Apples', price_cents: 100 });
  scoped.insert('stock_movements', { product_id: product.id, sku: 'A', delta: 7, reason: 'purchase', occurred_at: new Date() });
  const db = store.database;
  db.exec(OLD_VIEW_SQL);
  if (role === 'master') {
    db.exec(OLD_MASTER_COPY_SQL);
    db.transaction(() => {
      db.prepare('UPDATE master_inventory_refresh SET writing = 1 WHERE id = 1').run();
      db.prepare(`INSERT INTO master_inventory (sku, quantity, tenants) VALUES ('A', 24, 2), ('B', -1, 1)`).run();
      db.prepare('UPDATE master_inventory_refresh SET writing = 0, refreshed_at = ? WHERE id = 1').run(REFRESHED_AT);
    }).immediate();
  }
  store.close();
  return dir;
}

describe('a device database made by the previous inventory plugin', () => {
  it('keeps head office\'s master copy and when it was refreshed, under core\'s view, tables and guards', async () => {
    const dir = previousDevice('master');
    const cloud = [{ sku: 'C', quantity: 3, tenants: 1 }];
    const { api, store } = openPluginDevice(inventoryPlugin, activate, { dir, role: 'master', rpc: () => Promise.resolve(cloud) });

    expect(await api.master({ refresh: false })).toEqual([
      { sku: 'A', quantity: 24, tenants: 2 },
      { sku: 'B', quantity: -1, tenants: 1 },
    ]);
    expect(api.masterRefreshedAt()).toBe(REFRESHED_AT);
    expect(api.levels()).toEqual([{ sku: 'A', quantity: 7 }]);

    const db = store.database;
    const schema = (name: string): unknown => db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(name);
    expect(schema('stock_levels')).toContain(`/* equinox view of plugin ${inventoryPlugin.name} */`);
    const triggers = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name LIKE 'master_inventory%' ORDER BY name`).pluck().all();
    expect(triggers).toEqual([
      '_eq_master_inventory_bd_local',
      '_eq_master_inventory_bi_local',
      '_eq_master_inventory_bu_local',
      '_eq_master_inventory_refresh_bd_local',
      '_eq_master_inventory_refresh_bi_local',
      '_eq_master_inventory_refresh_bu_local',
    ]);
    expect(db.prepare(`SELECT name FROM pragma_table_info('master_inventory_refresh')`).pluck().all()).toEqual(['id', 'refreshed_at']);
    expect(() => db.prepare(`INSERT INTO master_inventory VALUES ('X', 1, 1)`).run()).toThrow(/master_inventory is read-only/);
    expect(() => db.prepare('UPDATE master_inventory_refresh SET refreshed_at = 0').run()).toThrow(/master_inventory_refresh is read-only/);
    expect(store.pendingUploads()).toBe(2); // the product and the movement, still queued; nothing else

    expect(await api.master()).toEqual(cloud);
    expect(api.masterRefreshedAt()).toBeGreaterThan(REFRESHED_AT);
  });

  it('opens a store device the same way: its view replaced, empty master tables beside it', () => {
    const dir = previousDevice('store');
    const { api, store } = openPluginDevice(inventoryPlugin, activate, { dir, role: 'store' });
    expect(api.levels()).toEqual([{ sku: 'A', quantity: 7 }]);
    expect(api.level('A')).toBe(7);
    expect(api.masterRefreshedAt()).toBeNull();
    expect(store.database.prepare('SELECT count(*) FROM master_inventory').pluck().get()).toBe(0);
  });
});
