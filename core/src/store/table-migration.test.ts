import { describe, expect, it } from 'vitest';
import { definePlugin, type TableDeclaration } from '../declarations/index.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import type { LocalStore } from './local-store.js';
import { SchemaMigrationError } from './store-error.js';

const v1Table: TableDeclaration = {
  name: 'notes',
  columns: { title: { type: 'text', nullable: false, default: '' }, views: { type: 'integer' } },
  strategy: 'LastWriteWins',
};

const version = (v: string, table: Partial<TableDeclaration>) =>
  definePlugin({ name: 'notes', version: v, tables: [{ ...v1Table, ...table }] });

const tempPath = (): string => tempDbPath('migrate');
const reopen = (path: string, plugin: ReturnType<typeof version>): LocalStore => openStore({ path, plugins: [plugin], deviceId: 'device-a' });

/** Opens v1, writes one row, closes; returns its id. */
function seedV1(path: string): string {
  const store = reopen(path, version('1.0.0', {}));
  const { id } = store.forPlugin('notes').insert('notes', { title: 'kept', views: 3 });
  store.close();
  return id as string;
}

describe('schema migration', () => {
  it('adds a new column without losing rows or queued changes', () => {
    const path = tempPath();
    const id = seedV1(path);
    const v2 = version('1.1.0', {
      columns: { ...v1Table.columns, rating: { type: 'real' }, archived: { type: 'boolean', nullable: false, default: false } },
      indexes: [{ columns: ['rating'] }],
    });
    const store = reopen(path, v2);
    expect(store.forPlugin('notes').get('notes', id)).toMatchObject({ title: 'kept', views: 3, rating: null, archived: false });
    expect(store.pendingUploads()).toBe(1);
    store.forPlugin('notes').update('notes', id, { rating: 4.5 });
    expect(store.readOutboxBatch()[0]?.row).toMatchObject({ rating: 4.5 });
    const schema = JSON.parse(store.database.prepare(`SELECT value FROM _eq_meta WHERE key = 'schema:notes'`).pluck().get() as string);
    expect(schema).toMatchObject({ plugin: 'notes', version: '1.1.0' });
    expect(schema.columns.map((c: { name: string }) => c.name)).toEqual(['title', 'views', 'rating', 'archived']);
  });

  it('refuses a removed column, naming plugin, table and column', () => {
    const path = tempPath();
    seedV1(path);
    const v2 = version('2.0.0', { columns: { title: v1Table.columns.title! } });
    expect(() => reopen(path, v2)).toThrow(SchemaMigrationError);
    expect(() => reopen(path, v2)).toThrow(/^plugin "notes" table "notes" column "views": was removed from the declaration/);
  });

  it('refuses a retyped column', () => {
    const path = tempPath();
    seedV1(path);
    const v2 = version('2.0.0', { columns: { ...v1Table.columns, views: { type: 'text' } } });
    try {
      reopen(path, v2);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ plugin: 'notes', table: 'notes', column: 'views' });
      expect((error as Error).message).toContain('changed type from "integer" to "text"');
    }
  });

  it('refuses a new non-nullable column without a default, and leaves the file as it was', () => {
    const path = tempPath();
    const id = seedV1(path);
    const v2 = version('2.0.0', { columns: { ...v1Table.columns, code: { type: 'text', nullable: false } } });
    expect(() => reopen(path, v2)).toThrow(/column "code": a new non-nullable column needs a default/);
    expect(reopen(path, version('1.0.0', {})).forPlugin('notes').get('notes', id)).toMatchObject({ title: 'kept' });
  });

  it('refuses a changed nullability or default', () => {
    const path = tempPath();
    seedV1(path);
    expect(() => reopen(path, version('2.0.0', { columns: { ...v1Table.columns, views: { type: 'integer', nullable: false, default: 0 } } }))).toThrow(
      /column "views": changed nullable from true to false/,
    );
    expect(() => reopen(path, version('2.0.0', { columns: { ...v1Table.columns, title: { type: 'text', nullable: false, default: '-' } } }))).toThrow(
      /column "title": changed its default from "" to "-"/,
    );
  });

  it('drops an index that is no longer declared', () => {
    const path = tempPath();
    reopen(path, version('1.0.0', { indexes: [{ columns: ['views'] }] })).close();
    const store = reopen(path, version('1.1.0', {}));
    const indexes = store.database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'notes' AND name LIKE '_eq%'`).pluck().all();
    expect(indexes).toEqual([]);
  });

  it('refuses to adopt a table the engine did not create', () => {
    const path = tempPath();
    reopen(path, definePlugin({ name: 'other', version: '1', tables: [{ ...v1Table, name: 'others' }] })).database.exec(
      'CREATE TABLE notes (x TEXT)',
    );
    expect(() => reopen(path, version('1.0.0', {}))).toThrow(/table "notes": a table of that name already exists and was not created by the sync engine/);
  });
});
