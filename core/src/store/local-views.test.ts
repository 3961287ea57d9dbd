import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DeclarationError, definePlugin, type PluginDeclaration, type PluginDefinition, type ViewDeclaration } from '../declarations/index.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import type { LocalStore } from './local-store.js';
import { StoreError } from './store-error.js';

const movements = { name: 'movements', columns: { sku: { type: 'text', nullable: false }, delta: { type: 'integer', nullable: false } }, strategy: 'LocalWins' } as const;
const levels: ViewDeclaration = { name: 'levels', select: 'SELECT sku, SUM(delta) AS quantity FROM movements WHERE deleted = 0 GROUP BY sku' };

const stock = (views: readonly ViewDeclaration[] = [levels], extra: Partial<PluginDeclaration> = {}) =>
  definePlugin({ name: 'acme-stock', version: '1.0.0', tables: [movements], views, ...extra });
const contacts = definePlugin({ name: 'acme-contacts', version: '1.0.0', tables: [{ name: 'contacts', columns: { name: { type: 'text' } }, strategy: 'Manual' }] });

const tempPath = (): string => tempDbPath('views');
const open = (path: string, ...plugins: PluginDefinition[]): LocalStore => openStore({ path, plugins, deviceId: 'device-a' });

const viewSql = (store: LocalStore, name: string): unknown => store.database.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = ?`).pluck().get(name);
const schemaVersion = (store: LocalStore): unknown => store.database.pragma('schema_version', { simple: true });

function refusalOf(open: () => unknown): DeclarationError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(DeclarationError);
    return error as DeclarationError;
  }
  throw new Error('expected a DeclarationError');
}

describe('declared views', () => {
  it('are created when the store opens, marked with their plugin, and read through its store', () => {
    const store = open(tempPath(), stock(), contacts);
    const scoped = store.forPlugin('acme-stock');
    scoped.insert('movements', { sku: 'B', delta: 2 });
    scoped.insert('movements', { sku: 'A', delta: 5 });
    scoped.insert('movements', { sku: 'A', delta: -1 });
    expect(viewSql(store, 'levels')).toBe(`CREATE VIEW "levels" /* equinox view of plugin acme-stock */ AS\n${levels.select}`);
    expect(scoped.view('levels', {}, { orderBy: ['sku'] })).toEqual([
      { sku: 'A', quantity: 4 },
      { sku: 'B', quantity: 2 },
    ]);
    expect(scoped.view('levels', { sku: 'B' })).toEqual([{ sku: 'B', quantity: 2 }]);
    expect(store.tableDefinitions().map((table) => table.name)).not.toContain('levels');
    expect(() => scoped.view('levels', { price: 1 })).toThrow('plugin "acme-stock" view "levels": unknown column "price" (it has sku, quantity)');
    expect(() => store.forPlugin('acme-contacts').view('levels')).toThrow(new StoreError('plugin "acme-contacts" cannot read view "levels": it belongs to plugin "acme-stock"'));
    expect(() => scoped.view('nothing')).toThrow('plugin "acme-stock" has no view "nothing"');
  });

  it('are left alone when unchanged, replaced when their select changed, dropped when no longer declared', () => {
    const path = tempPath();
    open(path, stock()).close();
    const again = open(path, stock());
    const before = schemaVersion(again);
    again.close();
    const same = open(path, stock());
    expect(schemaVersion(same)).toBe(before); // nothing rewritten: other connections keep their statements
    same.close();

    const changed = { name: 'levels', select: 'SELECT sku, SUM(delta) AS quantity, COUNT(*) AS moves FROM movements WHERE deleted = 0 GROUP BY sku' };
    const sold = { name: 'sold', select: 'SELECT sku FROM movements WHERE delta < 0' };
    const store = open(path, stock([changed, sold]));
    store.forPlugin('acme-stock').insert('movements', { sku: 'A', delta: -3 });
    expect(store.forPlugin('acme-stock').view('levels')).toEqual([{ sku: 'A', quantity: -3, moves: 1 }]);
    store.close();

    const fewer = open(path, stock([changed]));
    expect(viewSql(fewer, 'sold')).toBeUndefined();
    expect(viewSql(fewer, 'levels')).toContain('COUNT(*) AS moves');
  });

  it('take over a view of the same name that core did not create (an earlier version of the plugin made it)', () => {
    const path = tempPath();
    open(path, stock([])).close();
    const db = new Database(path);
    db.exec('CREATE VIEW levels (sku, quantity) AS SELECT sku, SUM(delta) FROM movements GROUP BY sku');
    db.close();
    const store = open(path, stock());
    expect(viewSql(store, 'levels')).toContain('/* equinox view of plugin acme-stock */');
  });

  it('refuse a view reading another plugin\'s table, an _eq_ table, the schema or a table-valued function, leaving the file as it was', () => {
    const path = tempPath();
    open(path, stock(), contacts).close();
    const reading = (select: string) => () => open(path, stock([levels, { name: 'peek', select }]), contacts);
    expect(refusalOf(reading('SELECT m.sku, c.name FROM movements m JOIN contacts c ON c.id = m.sku')).problems).toEqual([
      {
        plugin: 'acme-stock',
        table: 'peek',
        kind: 'view',
        field: 'select',
        message: 'reads "contacts"; a view may read only its plugin\'s own tables (movements)',
      },
    ]);
    // Hidden in a subquery, a CTE and a view of a view: read off the compiled program, not the text.
    expect(refusalOf(reading('WITH q AS (SELECT row_id FROM _eq_row_state) SELECT sku FROM movements WHERE id IN (SELECT row_id FROM q)')).message).toBe(
      'plugin "acme-stock" view "peek", field "select": reads "_eq_row_state"; a view may read only its plugin\'s own tables (movements)',
    );
    expect(refusalOf(reading('SELECT name FROM sqlite_schema')).message).toContain('reads "sqlite_schema"');
    expect(refusalOf(reading(`SELECT value FROM json_each('[1]')`)).message).toContain('reads a virtual table or table-valued function');
    expect(refusalOf(reading('SELECT * FROM nowhere')).message).toContain('SQLite cannot read it: no such table: main.nowhere');
    expect(refusalOf(reading('SELECT 1 AS one; DROP TABLE movements')).message).toContain('SQLite cannot create it: The supplied SQL string contains more than one statement');

    const db = new Database(path, { readonly: true });
    onTestFinished(() => {
      db.close();
    });
    expect(db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name`).pluck().all()).toEqual(['levels']);
    expect(db.prepare('SELECT count(*) FROM movements').pluck().get()).toBe(0);
  });

  it('may read the plugin\'s local tables and its other views', () => {
    const plugin = stock(
      [levels, { name: 'priced', select: 'SELECT l.sku, l.quantity * p.cents AS value FROM levels l JOIN prices p ON p.sku = l.sku' }],
      { localTables: [{ name: 'prices', columns: { sku: { type: 'text', nullable: false }, cents: { type: 'integer', nullable: false } }, primaryKey: ['sku'] }] },
    );
    const store = open(tempPath(), plugin);
    const scoped = store.forPlugin('acme-stock');
    scoped.insert('movements', { sku: 'A', delta: 3 });
    scoped.local.upsert('prices', { sku: 'A', cents: 250 });
    expect(scoped.view('priced')).toEqual([{ sku: 'A', value: 750 }]);
  });

  it('never take over a view another plugin owns in the file', () => {
    const path = tempPath();
    open(path, stock(), contacts).close();
    const rival = definePlugin({ name: 'acme-rival', version: '1.0.0', tables: [], views: [{ name: 'levels', select: 'SELECT 1 AS one' }] });
    expect(() => open(path, rival)).toThrow(new StoreError('plugin "acme-rival" declares view "levels", which this database keeps for plugin "acme-stock"'));
    expect(() => open(path, stock([{ name: 'movements_view', select: 'SELECT 1 AS one' }, { name: 'contacts', select: 'SELECT 1 AS one' }]))).toThrow(
      /view "contacts": a table of that name is already in this database/,
    );
  });
});
