import { describe, expect, it } from 'vitest';
import { DeclarationError, type DeclarationProblem } from './declaration-error.js';
import { assertDistinctTables, definePlugin } from './define-plugin.js';
import type { PluginDeclaration } from './plugin-declaration.js';
import { parsePluginManifest } from './plugin-manifest.js';

const movements = { name: 'movements', columns: { sku: { type: 'text', nullable: false }, delta: { type: 'integer' } }, strategy: 'LocalWins' } as const;
const rates = { name: 'rates', columns: { currency: { type: 'text', nullable: false }, rate: { type: 'real', nullable: false } }, primaryKey: ['currency'] } as const;
const levels = { name: 'levels', select: '  SELECT sku, SUM(delta) AS quantity FROM movements WHERE deleted = 0 GROUP BY sku\n' } as const;

const declaration = (overrides: Partial<Record<keyof PluginDeclaration, unknown>> = {}): PluginDeclaration =>
  ({ name: 'acme-stock', version: '1.0.0', tables: [movements], localTables: [rates], views: [levels], ...overrides }) as PluginDeclaration;

function problemsOf(value: PluginDeclaration): DeclarationProblem[] {
  try {
    definePlugin(value);
  } catch (error) {
    expect(error).toBeInstanceOf(DeclarationError);
    return [...(error as DeclarationError).problems];
  }
  throw new Error('expected a DeclarationError');
}

describe('local tables and views in a declaration', () => {
  it('resolve to definitions owned by the plugin, the select trimmed', () => {
    const plugin = definePlugin(declaration());
    expect(plugin.localTables).toEqual([
      {
        name: 'rates',
        plugin: 'acme-stock',
        columns: [
          { name: 'currency', type: 'text', nullable: false, default: undefined, limits: { maxLength: 10_000 } },
          { name: 'rate', type: 'real', nullable: false, default: undefined, limits: {} },
        ],
        primaryKey: ['currency'],
      },
    ]);
    expect(plugin.views).toEqual([{ name: 'levels', plugin: 'acme-stock', select: levels.select.trim() }]);
    expect(definePlugin(declaration({ localTables: undefined, views: undefined }))).toMatchObject({ localTables: [], views: [] });
  });

  it('let a local table use the names core adds to synced tables, since it adds none', () => {
    const plugin = definePlugin(declaration({ localTables: [{ name: 'refresh', columns: { id: { type: 'integer', nullable: false }, deleted: { type: 'boolean' } }, primaryKey: ['id'] }] }));
    expect(plugin.localTables[0]?.columns.map((column) => column.name)).toEqual(['id', 'deleted']);
  });

  it('report every problem in one pass, each naming the plugin, the kind and name, and the field', () => {
    const problems = problemsOf(
      declaration({
        localTables: [
          { name: '_eq_cache', columns: { key: { type: 'text', nullable: false } }, primaryKey: ['key'] },
          { name: 'rates', columns: { currency: { type: 'text' }, rate: { type: 'real', min: 'low' } }, primaryKey: ['code', 'currency'] },
          { name: 'empty', columns: {}, primaryKey: [] },
        ],
        views: [
          { name: 'Levels', select: 'SELECT 1' },
          { name: 'rates', select: 'DELETE FROM movements' },
          { name: 'totals', select: 'SELECT 1;' },
          { name: 'movements', select: 'SELECT 1', columns: ['a'] },
        ],
      }),
    );
    const local = (table: string, field: string, message: unknown) => ({ plugin: 'acme-stock', table, kind: 'local table', field, message });
    const view = (table: string, field: string, message: unknown) => ({ plugin: 'acme-stock', table, kind: 'view', field, message });
    expect(problems).toEqual([
      local('_eq_cache', 'name', 'the prefix "_eq_" is reserved for the engine'),
      local('rates', 'columns.rate.min', expect.any(String)),
      local('rates', 'primaryKey', 'unknown column "code"'),
      local('rates', 'columns.currency.nullable', 'must be false: "currency" is part of the primary key'),
      local('empty', 'primaryKey', 'a local table needs a primary key'),
      local('empty', 'columns', 'a table needs at least one declared column'),
      view('Levels', 'name', expect.stringMatching(/must match/)),
      view('rates', 'select', 'must be one SELECT statement (or WITH … SELECT)'),
      view('rates', 'name', '"rates" is already the name of a local table of this plugin'),
      view('totals', 'select', 'must not end with a semicolon'),
      view('movements', 'columns', 'unknown key "columns"'),
      view('movements', 'name', '"movements" is already the name of a table of this plugin'),
    ]);
    expect(new DeclarationError(problems).message.split('\n')[0]).toBe(
      'plugin "acme-stock" local table "_eq_cache", field "name": the prefix "_eq_" is reserved for the engine',
    );
  });

  it('come from the manifest\'s contributes, checked with everything else', () => {
    const pkg = (contributes: Record<string, unknown>) => ({
      name: '@acme/stock',
      version: '2.0.0',
      equinox: { engines: { equinox: '^0.1.0' }, contributes: { tables: [movements], ...contributes } },
    });
    const manifest = parsePluginManifest(pkg({ localTables: [rates], views: [levels] }));
    expect(manifest.definition.localTables.map((table) => [table.plugin, table.name])).toEqual([['@acme/stock', 'rates']]);
    expect(manifest.definition.views.map((view) => [view.plugin, view.name])).toEqual([['@acme/stock', 'levels']]);
    expect(() => parsePluginManifest(pkg({ views: [{ name: 'levels' }], localTables: {} }))).toThrow(
      [
        'plugin "@acme/stock", field "equinox.contributes.localTables": must be a list of local table declarations',
        'plugin "@acme/stock" view "levels", field "select": must be the text of one SELECT statement',
      ].join('\n'),
    );
  });

  it('share one namespace across plugins: a view may not take another plugin\'s table name', () => {
    const first = definePlugin(declaration());
    const second = definePlugin({ name: 'acme-other', version: '1.0.0', tables: [], views: [{ name: 'movements', select: 'SELECT 1 AS one' }] });
    const third = definePlugin({ name: 'acme-third', version: '1.0.0', tables: [{ ...movements, name: 'levels' }] });
    expect(() => assertDistinctTables([first, second, third])).toThrow(
      [
        'plugin "acme-other" view "movements", field "name": table "movements" is already declared by plugin "acme-stock"',
        'plugin "acme-third" table "levels", field "name": view "levels" is already declared by plugin "acme-stock"',
      ].join('\n'),
    );
  });
});
