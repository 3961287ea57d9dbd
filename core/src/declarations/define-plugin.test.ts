import { describe, expect, it } from 'vitest';
import { DeclarationError } from './declaration-error.js';
import { assertDistinctTables, definePlugin } from './define-plugin.js';
import type { PluginDeclaration, TableDeclaration } from './index.js';

const table = (overrides: Partial<Record<keyof TableDeclaration, unknown>> = {}): TableDeclaration =>
  ({ name: 'notes', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins', ...overrides }) as TableDeclaration;

const plugin = (...tables: TableDeclaration[]): PluginDeclaration => ({ name: 'acme-notes', version: '1.0.0', tables });

/** The single problem a declaration has, as thrown by definePlugin. */
function problemOf(declaration: PluginDeclaration): { field: string; table: string | undefined; message: string; text: string } {
  try {
    definePlugin(declaration);
  } catch (error) {
    expect(error).toBeInstanceOf(DeclarationError);
    const { problems, message } = error as DeclarationError;
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.plugin).toBe(declaration.name);
    return { field: problem?.field ?? '', table: problem?.table, message: problem?.message ?? '', text: message };
  }
  throw new Error('expected a DeclarationError');
}

describe('definePlugin', () => {
  it('resolves every default', () => {
    const defined = definePlugin(plugin(table()));
    expect(defined.tables[0]).toMatchObject({
      name: 'notes',
      plugin: 'acme-notes',
      columns: [{ name: 'title', type: 'text', nullable: true, default: undefined }],
      indexes: [],
      appendOnly: false,
      direction: 'both',
      orderingKey: [],
    });
    expect(defined.serverSql).toBe('');
  });

  it('refuses a bad table identifier, naming plugin, table and field', () => {
    const problem = problemOf(plugin(table({ name: 'Notes; drop' })));
    expect(problem).toMatchObject({ table: 'Notes; drop', field: 'name' });
    expect(problem.text).toMatch(/^plugin "acme-notes" table "Notes; drop", field "name": .*must match/);
  });

  it('refuses a bad column identifier', () => {
    expect(problemOf(plugin(table({ columns: { 'Title-1': { type: 'text' } } })))).toMatchObject({
      table: 'notes',
      field: 'columns.Title-1',
      message: expect.stringMatching(/must match/),
    });
  });

  it('refuses the reserved _eq_ prefix on tables and columns, with one message each', () => {
    expect(problemOf(plugin(table({ name: '_eq_notes' })))).toMatchObject({
      field: 'name',
      message: 'the prefix "_eq_" is reserved for the engine',
    });
    expect(problemOf(plugin(table({ columns: { _eq_x: { type: 'text' } } })))).toMatchObject({
      field: 'columns._eq_x',
      message: 'the prefix "_eq_" is reserved for the engine',
    });
  });

  it('refuses table names and column names the databases reserve', () => {
    expect(problemOf(plugin(table({ name: 'sqlite_notes' }))).message).toMatch(/"sqlite_" is reserved by the database/);
    expect(problemOf(plugin(table({ columns: { xmin: { type: 'integer' } } }))).field).toBe('columns.xmin');
  });

  it.each(['id', 'tenant_id', 'updated_at', 'deleted', 'server_version', 'txid'])('refuses the system column %s', (name) => {
    expect(problemOf(plugin(table({ columns: { [name]: { type: 'text' } } })))).toMatchObject({
      table: 'notes',
      field: `columns.${name}`,
      message: `"${name}" is a system column added by the engine and cannot be declared`,
    });
  });

  it('refuses an unknown column type', () => {
    expect(problemOf(plugin(table({ columns: { title: { type: 'varchar' } } })))).toMatchObject({
      table: 'notes',
      field: 'columns.title.type',
      message: 'must be one of text, integer, real, boolean, json, timestamp',
    });
  });

  it('refuses an unknown strategy and an unknown direction', () => {
    expect(problemOf(plugin(table({ strategy: 'ServerWins' })))).toMatchObject({
      field: 'strategy',
      message: 'must be one of LocalWins, RemoteWins, LastWriteWins, Manual',
    });
    expect(problemOf(plugin(table({ direction: 'sideways' }))).field).toBe('direction');
  });

  it('refuses a table declared twice in one plugin', () => {
    expect(problemOf(plugin(table(), table()))).toMatchObject({
      table: 'notes',
      field: 'name',
      message: 'table "notes" is declared twice',
    });
  });

  it('refuses an index or ordering key over an unknown column', () => {
    expect(problemOf(plugin(table({ indexes: [{ columns: ['title', 'nope'] }] })))).toMatchObject({
      table: 'notes',
      field: 'indexes[0].columns',
      message: 'unknown column "nope"',
    });
    expect(problemOf(plugin(table({ orderingKey: ['series'] })))).toMatchObject({
      table: 'notes',
      field: 'orderingKey',
      message: 'unknown column "series"',
    });
  });

  it('refuses the same columns indexed twice', () => {
    const twice = table({ indexes: [{ columns: ['title'] }, { columns: ['title'], unique: true }] });
    expect(problemOf(plugin(twice))).toMatchObject({ field: 'indexes[1].columns', message: 'columns (title) are already indexed' });
  });

  it('refuses a default that does not fit its column', () => {
    const bad = (column: object): string => problemOf(plugin(table({ columns: { value: column } }))).message;
    expect(bad({ type: 'integer', default: 1.5 })).toBe('must be an integer');
    expect(bad({ type: 'boolean', default: 'yes' })).toBe('must be true or false');
    expect(bad({ type: 'json', default: '{oops' })).toMatch(/must be JSON text/);
    expect(bad({ type: 'timestamp', default: 'soon' })).toMatch(/ISO-8601/);
    expect(bad({ type: 'text', nullable: false, default: null })).toBe('a non-nullable column cannot default to null');
  });

  it('lists every problem at once: shapes, unknown keys and cross-references, table by table', () => {
    // A key TableDeclaration does not know, as a plugin written in JavaScript could pass.
    const withUnknownKey = { ...table({ name: 'c', columns: { title: { type: 'text', maxLength: -1 } } }), sync: 'always' };
    const declaration = plugin(
      table({ name: 'a', strategy: 'Nope', indexes: [{ columns: ['nope'] }], orderingKey: ['title', 'series'] }),
      table({ name: 'b', columns: { id: { type: 'text' }, count: { type: 'integer', default: 1.5, colour: 'red' }, total: { type: 'real', max: 'x' } } }),
      withUnknownKey,
    );
    let problems: readonly unknown[] = [];
    try {
      definePlugin(declaration);
    } catch (error) {
      expect(error).toBeInstanceOf(DeclarationError);
      problems = (error as DeclarationError).problems;
    }
    const at = (tableName: string, field: string, message: string) => ({ plugin: 'acme-notes', table: tableName, field, message });
    expect(problems).toEqual([
      at('a', 'strategy', 'must be one of LocalWins, RemoteWins, LastWriteWins, Manual'),
      at('a', 'indexes[0].columns', 'unknown column "nope"'),
      at('a', 'orderingKey', 'unknown column "series"'),
      at('b', 'columns.id', '"id" is a system column added by the engine and cannot be declared'),
      at('b', 'columns.count.colour', 'unknown key "colour"'),
      at('b', 'columns.total.max', expect.any(String)),
      at('c', 'sync', 'unknown key "sync"'),
      at('c', 'columns.title.maxLength', expect.any(String)),
    ]);
  });

  it('refuses a bad plugin name without a table', () => {
    expect(problemOf({ name: 'Not A Package', version: '1', tables: [] })).toMatchObject({ table: undefined, field: 'name' });
  });
});

describe('assertDistinctTables', () => {
  it('refuses a table declared by two plugins, naming both', () => {
    const first = definePlugin({ name: 'first', version: '1', tables: [table()] });
    const second = definePlugin({ name: 'second', version: '1', tables: [table()] });
    expect(() => assertDistinctTables([first, second])).toThrow(
      'plugin "second" table "notes", field "name": table "notes" is already declared by plugin "first"',
    );
    expect(assertDistinctTables([first])).toEqual([first]);
  });
});
