import { describe, expect, it } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';
import { openTestStore } from './test-store.fixture.js';

const notes = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [
    {
      name: 'notes',
      columns: {
        title: { type: 'text', nullable: false },
        pinned: { type: 'boolean', nullable: false, default: false },
        body: { type: 'json', default: '{"blocks":[]}' },
        due_at: { type: 'timestamp' },
        weight: { type: 'real' },
        rank: { type: 'integer', default: 0 },
      },
      strategy: 'LastWriteWins',
    },
  ],
});

function openStore(): LocalStore {
  return openTestStore([notes]).store;
}

/** Every column as SQLite stores it, in table order: what the returned row must agree with. */
function storedRow(store: LocalStore, id: string): unknown[] {
  return store.database.prepare('SELECT * FROM notes WHERE id = ?').raw(true).get(id) as unknown[];
}

describe('ScopedStore update and restore: the returned row', () => {
  it('is the row a read returns, column for column and in table order, for every column type', () => {
    const store = openStore();
    const scoped = store.forPlugin('notes');
    const { id } = scoped.insert('notes', { title: 'a', body: { blocks: ['x'] }, weight: 1.5 });
    const patches = [
      { pinned: true, due_at: new Date('2026-03-01T10:00:00Z'), rank: 7n },
      { body: { blocks: [{ text: 'y' }] }, weight: 2 },
      { weight: null, title: 'b' },
      { title: 'c', weight: 3.25 },
    ];
    for (const patch of patches) {
      const returned = scoped.update('notes', id as string, patch);
      const read = scoped.get('notes', id as string);
      expect(returned).toEqual(read);
      expect(Object.keys(returned)).toEqual(Object.keys(read!));
      expect(Object.values(returned).length).toBe(storedRow(store, id as string).length);
    }
    expect(scoped.get('notes', id as string)).toMatchObject({ title: 'c', weight: 3.25, pinned: true, rank: 7, due_at: '2026-03-01T10:00:00.000Z' });
  });

  it('gives each call its own objects, never one shared with an earlier result', () => {
    const store = openStore();
    const scoped = store.forPlugin('notes');
    const { id } = scoped.insert('notes', { title: 'a' });
    const first = scoped.update('notes', id as string, { rank: 1 });
    const second = scoped.update('notes', id as string, { rank: 2 });
    (first.body as { blocks: unknown[] }).blocks.push('changed');
    expect(second.body).toEqual({ blocks: [] });
    expect(first.rank).toBe(1);
  });

  it('includes a column the table still has but no longer declares, as a read does', () => {
    const store = openStore();
    store.database.exec(`ALTER TABLE notes ADD COLUMN legacy TEXT DEFAULT 'kept'`);
    const scoped = store.forPlugin('notes');
    const { id } = scoped.insert('notes', { title: 'a' });
    const returned = scoped.update('notes', id as string, { title: 'b' });
    expect(returned.legacy).toBe('kept');
    expect(returned).toEqual(scoped.get('notes', id as string));
  });

  it('restores a tombstone as live and queued, refuses to update one, and leaves the queue as it was on a refusal', () => {
    const store = openStore();
    const scoped = store.forPlugin('notes');
    const { id } = scoped.insert('notes', { title: 'a' });
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    scoped.delete('notes', id as string);
    const held = store.listPendingDeletes().length;

    expect(() => scoped.update('notes', id as string, { title: 'b' })).toThrow(/no row ".*" to update/);
    expect(() => scoped.update('notes', 'missing', { title: 'b' })).toThrow(/no row "missing" to update/);
    expect(() => scoped.restore('notes', 'missing')).toThrow(/no row "missing" to restore/);
    expect(store.listPendingDeletes()).toHaveLength(held);
    expect(scoped.get('notes', id as string, { includeDeleted: true })).toMatchObject({ title: 'a', deleted: true });

    const restored = scoped.restore('notes', id as string, { title: 'back' });
    expect(restored).toEqual(scoped.get('notes', id as string));
    expect(restored).toMatchObject({ title: 'back', deleted: false });
    expect(store.listPendingDeletes()).toHaveLength(0);
    expect(store.readOutboxBatch()).toEqual([expect.objectContaining({ id, op: 'update' })]);
    // A restore of a live row is an update.
    expect(scoped.restore('notes', id as string, { rank: 3 })).toEqual(scoped.get('notes', id as string));
  });

  it('keeps the capture atomic with the write: one entry per row, and nothing of a rolled-back transaction', () => {
    const store = openStore();
    const scoped = store.forPlugin('notes');
    const ids = [1, 2, 3].map((n) => scoped.insert('notes', { title: `n${n}` }).id as string);
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));

    store.transaction(() => {
      for (const id of ids) scoped.update('notes', id, { rank: 1 });
      scoped.update('notes', ids[0]!, { rank: 2, title: 'again' });
    });
    expect(store.readOutboxBatch().map((entry) => [entry.id, entry.op, entry.row.rank])).toEqual([
      [ids[0], 'update', 2],
      [ids[1], 'update', 1],
      [ids[2], 'update', 1],
    ]);
    expect(ids.map((id) => store.rowState('notes', id))).toEqual(['PendingUpload', 'PendingUpload', 'PendingUpload']);
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));

    expect(() =>
      store.transaction(() => {
        scoped.update('notes', ids[1]!, { rank: 9 });
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(scoped.get('notes', ids[1]!)?.rank).toBe(1);
    expect(store.readOutboxBatch()).toEqual([]);
    expect(store.rowState('notes', ids[1]!)).toBe('Synced');
  });

  it('writes each column set with its own statement, whatever order the patch names them in', () => {
    const store = openStore();
    const scoped = store.forPlugin('notes');
    const { id } = scoped.insert('notes', { title: 'a' });
    scoped.update('notes', id as string, { rank: 1, title: 'b' });
    scoped.update('notes', id as string, { title: 'c', rank: 2 });
    expect(scoped.update('notes', id as string, { rank: 3 })).toMatchObject({ title: 'c', rank: 3 });
    expect(scoped.update('notes', id as string, { pinned: true })).toEqual(scoped.get('notes', id as string));
  });
});
