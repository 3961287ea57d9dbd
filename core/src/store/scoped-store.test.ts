import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it } from 'vitest';
import { compareHlc, isHlc } from '../clock/index.js';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

const cards = definePlugin({
  name: 'cards',
  version: '1.0.0',
  tables: [
    {
      name: 'cards',
      columns: {
        title: { type: 'text', nullable: false },
        done: { type: 'boolean', nullable: false, default: false },
        data: { type: 'json' },
        due_at: { type: 'timestamp' },
        score: { type: 'real' },
        position: { type: 'integer', default: 0 },
      },
      strategy: 'LastWriteWins',
    },
  ],
});
const contacts = definePlugin({
  name: '@acme/contacts',
  version: '1.0.0',
  tables: [{ name: 'contacts', columns: { name: { type: 'text' } }, strategy: 'Manual' }],
});

function openStore(): LocalStore {
  return openTestStore([cards, contacts], undefined).store;
}

describe('ScopedStore', () => {
  it('inserts with a UUIDv7, the tenant, a clock value and the declared defaults', () => {
    const store = openStore();
    const row = store.forPlugin('cards').insert('cards', { title: 'a' });
    expect(row).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      tenant_id: 'tenant-a',
      updated_at: expect.stringMatching(new RegExp(`-${store.deviceId}$`)),
      deleted: false,
      title: 'a',
      done: false,
      data: null,
      due_at: null,
      score: null,
      position: 0,
    });
    expect(store.forPlugin('cards').get('cards', row.id as string)).toEqual(row);
  });

  it('converts booleans, JSON and timestamps both ways', () => {
    const store = openStore();
    const scoped = store.forPlugin('cards');
    const { id } = scoped.insert('cards', {
      title: 'b',
      done: true,
      data: { tags: ['x'], n: 1 },
      due_at: new Date('2024-06-10T08:00:00+02:00'),
      score: 2.5,
    });
    const raw = store.database.prepare('SELECT done, data, due_at FROM cards WHERE id = ?').get(id);
    expect(raw).toEqual({ done: 1, data: '{"tags":["x"],"n":1}', due_at: '2024-06-10T06:00:00.000Z' });
    expect(scoped.get('cards', id as string)).toMatchObject({ done: true, data: { tags: ['x'], n: 1 }, due_at: '2024-06-10T06:00:00.000Z' });
  });

  it('updates with a later clock value and returns the row', () => {
    const store = openStore();
    const scoped = store.forPlugin('cards');
    const first = scoped.insert('cards', { title: 'a', id: 'fixed-id' });
    const second = scoped.update('cards', 'fixed-id', { title: 'b', done: true });
    expect(second).toMatchObject({ id: 'fixed-id', title: 'b', done: true });
    expect(isHlc(second.updated_at)).toBe(true);
    expect(compareHlc(second.updated_at as string, first.updated_at as string)).toBeGreaterThan(0);
    expect(() => scoped.update('cards', 'missing', { title: 'x' })).toThrow('plugin "cards" table "cards": no row "missing" to update');
  });

  it('restores a tombstone with new values, queued as an edit and its held delete dropped', () => {
    const store = openStore();
    const scoped = store.forPlugin('cards');
    const { id, updated_at: created } = scoped.insert('cards', { title: 'a' });
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    scoped.delete('cards', id as string);
    expect(store.listPendingDeletes().map((held) => held.id)).toEqual([id]);
    expect(() => scoped.update('cards', id as string, { title: 'b' })).toThrow(/no row ".*" to update/);

    const restored = scoped.restore('cards', id as string, { title: 'b', done: true });
    expect(restored).toMatchObject({ id, deleted: false, title: 'b', done: true });
    expect(compareHlc(restored.updated_at as string, created as string)).toBeGreaterThan(0);
    expect(store.listPendingDeletes()).toEqual([]);
    expect(store.readOutboxBatch().map((entry) => [entry.op, entry.row.title])).toEqual([['update', 'b']]);
    expect(scoped.restore('cards', id as string)).toMatchObject({ title: 'b' }); // a live row: just updated
    expect(() => scoped.restore('cards', 'missing')).toThrow('plugin "cards" table "cards": no row "missing" to restore');
  });

  it('queries by equality and hides tombstones unless asked', () => {
    const store = openStore();
    const scoped = store.forPlugin('cards');
    const a = scoped.insert('cards', { title: 'a', done: true });
    scoped.insert('cards', { title: 'b' });
    const c = scoped.insert('cards', { title: 'c', done: true, score: null });
    scoped.delete('cards', c.id as string);
    expect(scoped.query('cards', { done: true }).map((row) => row.title)).toEqual(['a']);
    expect(scoped.query('cards', { done: true }, { includeDeleted: true }).map((row) => row.title)).toEqual(['a', 'c']);
    expect(scoped.query('cards', { score: null }).map((row) => row.title)).toEqual(['a', 'b']);
    expect(scoped.query('cards', { id: a.id }).length).toBe(1);
    expect(scoped.query('cards')).toHaveLength(2);
  });

  it('refuses an unknown column, naming plugin, table and column', () => {
    const scoped = openStore().forPlugin('cards');
    expect(() => scoped.insert('cards', { title: 'a', colour: 'red' })).toThrow('plugin "cards" table "cards": unknown column "colour"');
    expect(() => scoped.query('cards', { nope: 1 })).toThrow(/unknown column "nope"/);
  });

  it('refuses system columns the engine manages', () => {
    const scoped = openStore().forPlugin('cards');
    expect(() => scoped.insert('cards', { title: 'a', tenant_id: 'tenant-b' })).toThrow(/"tenant_id" is a system column managed by the engine/);
    const { id } = scoped.insert('cards', { title: 'a' });
    expect(() => scoped.update('cards', id as string, { deleted: true })).toThrow(/"deleted" is a system column/);
  });

  it('refuses values of the wrong type, naming plugin, table, row and column', () => {
    const scoped = openStore().forPlugin('cards');
    expect(() => scoped.insert('cards', { id: 'c-1', title: 'a', done: 'yes' })).toThrow('plugin "cards" table "cards" row "c-1" column "done": expects a boolean, got string');
    const { id } = scoped.insert('cards', { title: 'a' });
    expect(() => scoped.update('cards', id as string, { position: '2' })).toThrow(`plugin "cards" table "cards" row "${String(id)}" column "position": expects an integer, got string`);
    expect(() => scoped.insert('cards', { title: 'a', position: 1.5 })).toThrow(/column "position": expects an integer/);
    expect(() => scoped.insert('cards', { title: null })).toThrow(/column "title": expects a value \(the column is not nullable\)/);
    expect(() => scoped.insert('cards', { title: 'a', due_at: 'someday' })).toThrow(/column "due_at": expects a Date/);
  });

  it("refuses another plugin's table, naming both plugins", () => {
    const store = openStore();
    expect(() => store.forPlugin('cards').insert('contacts', { name: 'x' })).toThrow(
      'plugin "cards" cannot use table "contacts": it belongs to plugin "@acme/contacts"',
    );
    expect(() => store.forPlugin('@acme/contacts').get('cards', 'x')).toThrow(/belongs to plugin "cards"/);
    expect(() => store.forPlugin('cards').query('nothing')).toThrow('plugin "cards" has no table "nothing"');
    expect(() => store.forPlugin('ghost')).toThrow('no plugin "ghost" is loaded');
  });

  it('joins the caller transaction, so many writes commit once', () => {
    const store = openStore();
    const scoped = store.forPlugin('cards');
    store.transaction(() => {
      for (let i = 0; i < 50; i += 1) scoped.insert('cards', { title: `t${i}` });
    });
    expect(store.pendingUploads()).toBe(50);
  });
});
