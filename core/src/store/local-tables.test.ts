import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin, type LocalTableDeclaration, type PluginDefinition } from '../declarations/index.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import type { LocalStore } from './local-store.js';
import { ColumnLimitError, SchemaMigrationError, StoreError } from './store-error.js';

const rates: LocalTableDeclaration = {
  name: 'rates',
  columns: {
    currency: { type: 'text', nullable: false },
    rate: { type: 'real', nullable: false },
    pinned: { type: 'boolean', nullable: false, default: false },
    note: { type: 'json' },
  },
  primaryKey: ['currency'],
};

const plugin = (version = '1.0.0', table: LocalTableDeclaration = rates) =>
  definePlugin({ name: 'acme-rates', version, tables: [{ name: 'quotes', columns: { total: { type: 'integer' } }, strategy: 'LastWriteWins' }], localTables: [table] });
const other = definePlugin({ name: 'acme-other', version: '1.0.0', tables: [] });

const tempPath = (): string => tempDbPath('local-tables');
const open = (path: string, ...plugins: PluginDefinition[]): LocalStore => openStore({ path, plugins, deviceId: 'device-a' });

describe('declared local tables', () => {
  it('are created with their key, written and read through the plugin\'s store, values converted', () => {
    const store = open(tempPath(), plugin(), other);
    const local = store.forPlugin('acme-rates').local;
    expect(local.upsert('rates', { currency: 'USD', rate: 1.08, note: { source: 'ecb' } })).toEqual({ currency: 'USD', rate: 1.08, pinned: false, note: { source: 'ecb' } });
    // Only the given columns change.
    expect(local.upsert('rates', { currency: 'USD', pinned: true })).toEqual({ currency: 'USD', rate: 1.08, pinned: true, note: { source: 'ecb' } });
    local.upsert('rates', { currency: 'CHF', rate: 0.94 });
    expect(local.query('rates').map((row) => row.currency)).toEqual(['CHF', 'USD']);
    expect(local.query('rates', { pinned: true })).toHaveLength(1);
    expect(local.delete('rates', { currency: 'CHF' })).toBe(1);
    expect(store.database.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'rates'`).pluck().get()).toMatch(/PRIMARY KEY \("currency"\)\n\) WITHOUT ROWID$/);

    expect(() => local.upsert('rates', { rate: 1 })).toThrow(new StoreError('plugin "acme-rates" local table "rates": a row needs its primary key column(s) currency'));
    expect(() => local.upsert('rates', { currency: 'EUR', rate: 'one' })).toThrow('plugin "acme-rates" table "rates" row "EUR" column "rate": expects a finite number, got string');
    expect(() => local.upsert('rates', { currency: 'x'.repeat(10_001), rate: 1 })).toThrow(ColumnLimitError);
    expect(() => local.query('rates', { code: 'EUR' })).toThrow('plugin "acme-rates" local table "rates": unknown column "code"');
    expect(() => store.forPlugin('acme-other').local.query('rates')).toThrow('plugin "acme-other" cannot use local table "rates": it belongs to plugin "acme-rates"');
    expect(() => store.forPlugin('acme-rates').insert('rates', { rate: 1 })).toThrow('plugin "acme-rates" has no table "rates"');
  });

  it('are never synced: no outbox entry, no row state, not among the synced tables', () => {
    const store = open(tempPath(), plugin());
    const scoped = store.forPlugin('acme-rates');
    scoped.local.replaceAll('rates', [{ currency: 'EUR', rate: 1 }, { currency: 'USD', rate: 1.08 }]);
    scoped.local.upsert('rates', { currency: 'GBP', rate: 0.85 });
    scoped.local.delete('rates', {});
    expect(store.pendingUploads()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM _eq_outbox').pluck().get()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM _eq_row_state').pluck().get()).toBe(0);
    expect(store.tableDefinitions().map((table) => table.name)).toEqual(['quotes']);
    scoped.insert('quotes', { total: 1 });
    expect(store.pendingUploads()).toBe(1); // the synced table beside it still is
  });

  it('refuse writes with plain SQL from any other connection, and from the store\'s own outside its doors', () => {
    const path = tempPath();
    const store = open(path, plugin());
    store.forPlugin('acme-rates').local.upsert('rates', { currency: 'EUR', rate: 1 });
    const app = new Database(path);
    onTestFinished(() => {
      app.close();
    });
    const refused = /rates is read-only: a local table of plugin acme-rates, written only through that plugin's store/;
    expect(() => app.prepare(`INSERT INTO rates (currency, rate) VALUES ('USD', 2)`).run()).toThrow(refused);
    expect(() => app.prepare(`UPDATE rates SET rate = 2`).run()).toThrow(refused);
    expect(() => app.prepare(`DELETE FROM rates`).run()).toThrow(refused);
    expect(() => store.database.prepare(`DELETE FROM rates`).run()).toThrow(refused);
    expect(app.prepare('SELECT currency, rate FROM rates').all()).toEqual([{ currency: 'EUR', rate: 1 }]);
  });

  it('replace all rows in one transaction: a refused row leaves the old ones', () => {
    const store = open(tempPath(), plugin());
    const local = store.forPlugin('acme-rates').local;
    local.replaceAll('rates', [{ currency: 'EUR', rate: 1 }]);
    expect(() => local.replaceAll('rates', [{ currency: 'USD', rate: 1.08 }, { currency: 'GBP', rate: null }])).toThrow(/expects a value/);
    expect(() => local.replaceAll('rates', [{ currency: 'USD', rate: 1.08 }, { currency: 'USD', rate: 1.09 }])).toThrow(/UNIQUE constraint failed/);
    expect(local.query('rates')).toEqual([{ currency: 'EUR', rate: 1, pinned: false, note: null }]);
    // Inside a transaction of the plugin, the guard still lets its own writes through and refuses plain SQL.
    store.forPlugin('acme-rates').transaction(() => {
      local.upsert('rates', { currency: 'USD', rate: 1.08 });
      expect(() => store.database.prepare(`DELETE FROM rates`).run()).toThrow(/read-only/);
    });
    expect(local.query('rates')).toHaveLength(2);
  });

  it('get the columns a later version adds, keeping their rows; other changes are refused', () => {
    const path = tempPath();
    open(path, plugin()).forPlugin('acme-rates').local.upsert('rates', { currency: 'EUR', rate: 1 });
    const wider: LocalTableDeclaration = { ...rates, columns: { ...rates.columns, source: { type: 'text', nullable: false, default: 'ecb' } } };
    const store = open(path, plugin('1.1.0', wider));
    expect(store.forPlugin('acme-rates').local.query('rates')).toEqual([{ currency: 'EUR', rate: 1, pinned: false, note: null, source: 'ecb' }]);
    store.close();

    const retyped: LocalTableDeclaration = { ...wider, columns: { ...wider.columns, rate: { type: 'text', nullable: false } } };
    expect(() => open(path, plugin('1.2.0', retyped))).toThrow(SchemaMigrationError);
    expect(() => open(path, plugin('1.2.0', { ...wider, columns: { ...wider.columns, day: { type: 'text', nullable: false } }, primaryKey: ['currency', 'day'] }))).toThrow(
      'plugin "acme-rates" local table "rates": its primary key changed from (currency) to (currency, day); declare a new local table instead',
    );
    expect(() => open(path, definePlugin({ name: 'acme-rival', version: '1.0.0', tables: [], localTables: [wider] }))).toThrow(
      'plugin "acme-rival" local table "rates": this database keeps it for plugin "acme-rates"',
    );
  });

  it('adopt a table of that name core did not create, keeping its rows and dropping its own triggers and extra columns', () => {
    const path = tempPath();
    open(path, other).close();
    const db = new Database(path);
    db.exec(`CREATE TABLE rates (currency TEXT PRIMARY KEY, rate INTEGER NOT NULL, pinned INTEGER NOT NULL DEFAULT 0, note TEXT, writing INTEGER);
      INSERT INTO rates VALUES ('EUR', 1, 1, '{"a":1}', 0), ('USD', 2, 0, NULL, 0);
      CREATE TRIGGER rates_read_only BEFORE INSERT ON rates BEGIN SELECT RAISE(ABORT, 'old guard'); END;
      CREATE VIEW pinned_rates AS SELECT currency FROM rates WHERE pinned = 1;`);
    db.close();

    const store = open(path, plugin());
    const local = store.forPlugin('acme-rates').local;
    expect(local.query('rates')).toEqual([
      { currency: 'EUR', rate: 1, pinned: true, note: { a: 1 } },
      { currency: 'USD', rate: 2, pinned: false, note: null },
    ]);
    expect(local.upsert('rates', { currency: 'GBP', rate: 0.85 })).toMatchObject({ currency: 'GBP' }); // the old trigger is gone
    const triggers = store.database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'rates' ORDER BY name`).pluck().all();
    expect(triggers).toEqual(['_eq_rates_bd_local', '_eq_rates_bi_local', '_eq_rates_bu_local']);
    expect(store.database.prepare(`SELECT name FROM pragma_table_info('rates')`).pluck().all()).toEqual(['currency', 'rate', 'pinned', 'note']);
    expect(store.database.prepare('SELECT currency FROM pinned_rates').pluck().all()).toEqual(['EUR']); // a view reading it still works
  });

  it('refuse to adopt a table that lacks declared columns, leaving it as it was', () => {
    const path = tempPath();
    open(path, other).close();
    const db = new Database(path);
    db.exec(`CREATE TABLE rates (code TEXT PRIMARY KEY, value REAL); INSERT INTO rates VALUES ('EUR', 1)`);
    db.close();
    expect(() => open(path, plugin())).toThrow(
      'plugin "acme-rates" local table "rates": a table of that name, not created by the sync engine, lacks the declared column(s) currency, rate, pinned, note; it is left as it is',
    );
    const after = new Database(path, { readonly: true });
    onTestFinished(() => {
      after.close();
    });
    expect(after.prepare('SELECT * FROM rates').all()).toEqual([{ code: 'EUR', value: 1 }]);
  });
});
