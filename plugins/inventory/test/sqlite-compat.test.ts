import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openPluginDevice, sqlite3, sqlite3Rows, systemSqliteVersion, tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { activate, inventoryPlugin } from '../src/index.js';

// The plugin's own schema objects (the stock_levels view, the read-only master copy and
// its triggers) sit beside core's in the device file: a host app's older SQLite parses
// all of them when it opens the file (core/README.md promises 3.37).
const version = systemSqliteVersion();
console.log(`inventory sqlite-compat: system sqlite3 ${version}`);

/** A head-office device with products, movements and a master copy, closed, as a host app finds it. */
async function headOffice(): Promise<string> {
  const dir = tempDir('inventory');
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const { api, store, close } = openPluginDevice(inventoryPlugin, activate, { dir, role: 'master', device: 'office', rpc: () => Promise.resolve([{ sku: 'A', quantity: 12, tenants: 2 }]) });
  api.upsertProduct({ sku: 'A', name: 'Apples', priceCents: 100 });
  api.adjust({ sku: 'A', delta: 5, reason: 'purchase' });
  await api.master();
  store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
  close();
  return join(dir, 'office.db');
}

describe(`an inventory device database in the system sqlite3 (${version})`, () => {
  it('passes the integrity check and reads every table and the view', async () => {
    const path = await headOffice();
    expect(sqlite3Rows(path, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const names = sqlite3Rows(path, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`).map((row) => String(row.name));
    expect(names).toEqual(expect.arrayContaining(['products', 'stock_movements', 'stock_levels', 'master_inventory', 'master_inventory_refresh']));
    for (const name of names) expect(sqlite3Rows(path, `SELECT count(*) AS n FROM "${name}"`), name).toEqual([{ n: expect.any(Number) }]);
    expect(sqlite3Rows(path, 'SELECT sku, quantity FROM stock_levels')).toEqual([{ sku: 'A', quantity: 5 }]);
    expect(sqlite3Rows(path, 'SELECT sku, quantity, tenants FROM master_inventory')).toEqual([{ sku: 'A', quantity: 12, tenants: 2 }]);
  });

  it('takes plain-SQL writes, captured for upload and counted by the view', async () => {
    const path = await headOffice();
    const write = sqlite3(
      path,
      `UPDATE products SET price_cents = 120 WHERE sku = 'A';
       INSERT INTO stock_movements (product_id, sku, delta, reason, occurred_at)
         SELECT id, sku, -2, 'sale', '2025-01-02T03:04:05.000Z' FROM products WHERE sku = 'A';`,
    );
    expect(write).toMatchObject({ ok: true, stderr: '' });
    // Captured in the writer's own transaction, as steps of each row (the engine folds them into its queue when it reads).
    const captured = sqlite3Rows(
      path,
      `SELECT t.name AS tbl, CASE WHEN sum(c.kind = 'insert') > 0 THEN 'insert' ELSE 'update' END AS kind FROM _eq_capture c JOIN _eq_tables t USING (table_id) GROUP BY c.table_id, c.row_id ORDER BY min(c.seq)`,
    );
    expect(captured).toEqual([
      { tbl: 'products', kind: 'update' },
      { tbl: 'stock_movements', kind: 'insert' },
    ]);
    expect(sqlite3Rows(path, 'SELECT sku, quantity FROM stock_levels')).toEqual([{ sku: 'A', quantity: 3 }]);
  });

  it('refuses changing a movement and writing the master copy, with their messages', async () => {
    const path = await headOffice();
    const update = sqlite3(path, 'UPDATE stock_movements SET delta = 50');
    expect(update.ok).toBe(false);
    expect(update.stderr).toContain('append-only table "stock_movements": a row cannot be updated');
    const master = sqlite3(path, `INSERT INTO master_inventory (sku, quantity, tenants) VALUES ('B', 1, 1)`);
    expect(master.ok).toBe(false);
    expect(master.stderr).toContain('master_inventory is read-only');
    expect(sqlite3Rows(path, "SELECT (SELECT count(*) FROM _eq_capture WHERE kind <> 'folded') + (SELECT count(*) FROM _eq_outbox) AS n")).toEqual([{ n: 0 }]);
  });
});
