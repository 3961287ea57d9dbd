import { readFileSync } from 'node:fs';
import { parsePluginManifest } from '@equinox-sync/core/plugin';
import { describe, expect, it } from 'vitest';
import { activate, inventoryPlugin, MAX_MOVEMENT_DELTA, serverSql } from './index.js';

describe('inventory plugin declaration', () => {
  it('resolves products by last write and keeps stock movements append-only', () => {
    const tables = Object.fromEntries(inventoryPlugin.tables.map((t) => [t.name, t]));
    expect(tables.products?.strategy).toBe('LastWriteWins');
    expect(tables.products?.indexes).toContainEqual({ columns: ['sku'], unique: true });
    expect(tables.stock_movements?.appendOnly).toBe(true);
    // One movement moves at most MAX_MOVEMENT_DELTA, as the API checks: the device holds back and the cloud refuses the rest.
    expect(tables.stock_movements?.columns.find((c) => c.name === 'delta')).toMatchObject({
      type: 'integer',
      nullable: false,
      limits: { min: -MAX_MOVEMENT_DELTA, max: MAX_MOVEMENT_DELTA },
    });
  });

  it('keeps levels in a view and head office\'s master copy in local tables, none of them synced', () => {
    expect(inventoryPlugin.views.map((view) => view.name)).toEqual(['stock_levels']);
    expect(inventoryPlugin.views[0]?.select).toBe('SELECT sku, SUM(delta) AS quantity FROM stock_movements WHERE deleted = 0 GROUP BY sku');
    expect(inventoryPlugin.localTables.map((table) => [table.name, table.primaryKey])).toEqual([
      ['master_inventory', ['sku']],
      ['master_inventory_refresh', ['id']],
    ]);
    // The cloud's totals are numeric: a double holds any of them, to the nearest value.
    expect(inventoryPlugin.localTables[0]?.columns.find((c) => c.name === 'quantity')?.type).toBe('real');
  });

  it('is declared in its package.json manifest, with an activate for the host', () => {
    const manifest = parsePluginManifest(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    expect(manifest).toMatchObject({ name: inventoryPlugin.name, engines: { equinox: '^0.1.0' }, activationEvents: ['onStartup'], main: './dist/index.js' });
    expect(manifest.definition.tables).toEqual(inventoryPlugin.tables);
    expect(typeof activate).toBe('function');
  });

  it('carries its cloud SQL in the definition, as the host adds the module\'s serverSql', () => {
    expect(inventoryPlugin.serverSql).toBe(serverSql);
    expect(serverSql).toContain('create or replace function public.inventory_master(p_after text default null, p_limit integer default 1000)');
  });
});
