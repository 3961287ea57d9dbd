import Database from 'better-sqlite3';
import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { compareHlc, isHlc } from '../clock/index.js';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [
    {
      name: 'notes',
      columns: { title: { type: 'text' }, slug: { type: 'text' }, pinned: { type: 'boolean', default: false } },
      indexes: [{ columns: ['slug'], unique: true }],
      strategy: 'LastWriteWins',
    },
  ],
});

function openStore(): { store: LocalStore; path: string } {
  return openTestStore([plugin]);
}

/** A second connection, as a host app writing plain SQL would have. */
function hostConnection(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  onTestFinished(() => {
    db.close();
  });
  return db;
}

interface OutboxRow {
  seq: number;
  row_id: string;
  op: string;
  awaiting_confirmation: number;
}

// Read in a snapshot, as the engine reads: the captured writes are folded into the queue first.
const outbox = (store: LocalStore): OutboxRow[] =>
  store.snapshot(() => store.database.prepare(`SELECT seq, row_id, op, awaiting_confirmation FROM _eq_outbox ORDER BY seq`).all() as OutboxRow[]);

describe('change-capture triggers', () => {
  it('queue an insert with its row state in the same transaction', () => {
    const { store } = openStore();
    const { id } = store.forPlugin('notes').insert('notes', { title: 'a' });
    expect(outbox(store)).toEqual([expect.objectContaining({ row_id: id, op: 'insert', awaiting_confirmation: 0 })]);
    expect(store.rowState('notes', id as string)).toBe('PendingUpload');
  });

  it('leave nothing behind when the writing transaction rolls back', () => {
    const { store } = openStore();
    expect(() =>
      store.transaction(() => {
        store.forPlugin('notes').insert('notes', { title: 'a' });
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(outbox(store)).toEqual([]);
    expect(store.snapshot(() => store.database.prepare('SELECT count(*) FROM _eq_row_state').pluck().get())).toBe(0);
  });

  it('coalesce 100 updates of one row into one entry that stays an insert', () => {
    const { store } = openStore();
    const notes = store.forPlugin('notes');
    const { id } = notes.insert('notes', { title: 'v0' });
    for (let i = 1; i <= 100; i += 1) notes.update('notes', id as string, { title: `v${i}` });
    const entries = outbox(store);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ row_id: id, op: 'insert' });
    expect(store.readOutboxBatch()[0]?.row).toMatchObject({ title: 'v100' });
  });

  it('queue an update of a synced row as an update', () => {
    const { store } = openStore();
    const notes = store.forPlugin('notes');
    const { id } = notes.insert('notes', { title: 'a' });
    store.ackOutbox(outbox(store).map((entry) => entry.seq));
    expect(store.rowState('notes', id as string)).toBe('Synced');
    notes.update('notes', id as string, { title: 'b' });
    expect(outbox(store)).toEqual([expect.objectContaining({ op: 'update' })]);
    expect(store.rowState('notes', id as string)).toBe('PendingUpload');
  });

  it('turn a DELETE into a tombstone awaiting confirmation', () => {
    const { store } = openStore();
    const notes = store.forPlugin('notes');
    const { id, updated_at: before } = notes.insert('notes', { title: 'a' });
    store.database.prepare('DELETE FROM notes WHERE id = ?').run(id);
    const row = notes.get('notes', id as string, { includeDeleted: true });
    expect(row).toMatchObject({ id, deleted: true, title: 'a' });
    expect(compareHlc(row?.updated_at as string, before as string)).toBeGreaterThan(0);
    expect(notes.get('notes', id as string)).toBeUndefined();
    expect(outbox(store)).toEqual([expect.objectContaining({ op: 'delete', awaiting_confirmation: 1 })]);
    expect(store.readOutboxBatch()).toEqual([]);
  });

  it('tombstone every row of a multi-row DELETE, and leave existing tombstones alone', () => {
    const { store } = openStore();
    const notes = store.forPlugin('notes');
    for (const title of ['a', 'b', 'c']) notes.insert('notes', { title });
    store.database.exec('DELETE FROM notes');
    store.confirmDeletes('all');
    store.ackOutbox(outbox(store).map((entry) => entry.seq));
    store.database.exec('DELETE FROM notes');
    expect(store.database.prepare('SELECT count(*) FROM notes WHERE deleted = 1').pluck().get()).toBe(3);
    expect(outbox(store)).toEqual([]);
  });

  it('free a unique key once its row is a tombstone', () => {
    const { store } = openStore();
    const notes = store.forPlugin('notes');
    const first = notes.insert('notes', { slug: 'intro' });
    expect(() => notes.insert('notes', { slug: 'intro' })).toThrow(/UNIQUE/);
    notes.delete('notes', first.id as string);
    expect(notes.insert('notes', { slug: 'intro' }).slug).toBe('intro');
  });

  it('refuse to change a row id', () => {
    const { store } = openStore();
    const { id } = store.forPlugin('notes').insert('notes', { title: 'a' });
    expect(() => store.database.prepare(`UPDATE notes SET id = 'other' WHERE id = ?`).run(id)).toThrow(/cannot change/);
  });
});

describe('plain-SQL writes from another connection', () => {
  it('are captured and stamped with id, tenant and clock', () => {
    const { store, path } = openStore();
    const host = hostConnection(path);
    host.prepare(`INSERT INTO notes (title) VALUES ('from the host')`).run();
    const row = host.prepare(`SELECT * FROM notes`).get() as Record<string, unknown>;
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row).toMatchObject({ tenant_id: 'tenant-a', deleted: 0, pinned: 0 });
    expect(isHlc(row.updated_at)).toBe(true);
    expect(row.updated_at).toMatch(/-device-a$/);
    expect(outbox(store)).toEqual([expect.objectContaining({ row_id: row.id, op: 'insert' })]);
    expect(store.rowState('notes', row.id as string)).toBe('PendingUpload');
  });

  it('get a new clock value on update, later than any the store issued', () => {
    const { store, path } = openStore();
    const { id } = store.forPlugin('notes').insert('notes', { title: 'a' });
    store.ackOutbox(outbox(store).map((entry) => entry.seq));
    const issued = store.clock.tick();
    const host = hostConnection(path);
    host.prepare(`UPDATE notes SET title = 'edited' WHERE id = ?`).run(id);
    const updatedAt = host.prepare(`SELECT updated_at FROM notes WHERE id = ?`).pluck().get(id) as string;
    expect(compareHlc(updatedAt, issued)).toBeGreaterThan(0);
    expect(compareHlc(store.clock.tick(), updatedAt)).toBeGreaterThan(0);
    expect(outbox(store)).toEqual([expect.objectContaining({ op: 'update' })]);
  });

  it('get a clock value back when an update blanks it', () => {
    const { store, path } = openStore();
    const { id } = store.forPlugin('notes').insert('notes', { title: 'a' });
    hostConnection(path).prepare(`UPDATE notes SET updated_at = NULL, tenant_id = tenant_id WHERE id = ?`).run(id);
    expect(isHlc(store.forPlugin('notes').get('notes', id as string)?.updated_at)).toBe(true);
  });

  it('delete as a tombstone', () => {
    const { store, path } = openStore();
    const { id } = store.forPlugin('notes').insert('notes', { title: 'a' });
    hostConnection(path).prepare(`DELETE FROM notes WHERE id = ?`).run(id);
    expect(store.listPendingDeletes()).toEqual([expect.objectContaining({ table: 'notes', id })]);
  });

  it('keep one entry with a new seq whatever conflict clause the writer uses', () => {
    const { store, path } = openStore();
    const host = hostConnection(path);
    host.prepare(`INSERT INTO notes (id, title) VALUES ('n1', 'a')`).run();
    const [first] = outbox(store);
    host.prepare(`UPDATE OR ABORT notes SET title = 'b' WHERE id = 'n1'`).run();
    host.prepare(`UPDATE OR IGNORE notes SET title = 'c' WHERE id = 'n1'`).run();
    host.prepare(`INSERT OR REPLACE INTO notes (id, title) VALUES ('n1', 'd')`).run();
    host.prepare(`INSERT INTO notes (id, title) VALUES ('n1', 'e') ON CONFLICT (id) DO UPDATE SET title = excluded.title`).run();
    const entries = outbox(store);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.seq).toBeGreaterThan(first?.seq as number);
    expect(store.readOutboxBatch()[0]?.row).toMatchObject({ id: 'n1', title: 'e' });
  });
});
