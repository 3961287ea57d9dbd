import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';
import { openTestStore } from './test-store.fixture.js';

const plugin = definePlugin({
  name: 'tasks',
  version: '1.0.0',
  tables: [
    {
      name: 'tasks',
      columns: { title: { type: 'text' }, points: { type: 'integer', default: 0 }, done: { type: 'boolean', default: false } },
      strategy: 'LastWriteWins',
    },
    { name: 'labels', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' },
  ],
});

interface Entry {
  seq: number;
  row_id: string;
  op: string;
  first_seq: number | null;
}

interface State {
  state: string;
  pending_seq: number | null;
}

// Read in a snapshot, as the engine reads: the captured writes are folded into the queue first.
const entries = (store: LocalStore): Entry[] =>
  store.snapshot(() => store.database.prepare('SELECT seq, row_id, op, first_seq FROM _eq_outbox ORDER BY seq').all() as Entry[]);

const stateOf = (store: LocalStore, id: string): State | undefined =>
  store.snapshot(() => store.database.prepare('SELECT state, pending_seq FROM _eq_row_state WHERE row_id = ?').get(id) as State | undefined);

/** A store whose `count` tasks were inserted and uploaded: each is Synced with nothing queued. */
function syncedTasks(count: number): { store: LocalStore; path: string; ids: string[] } {
  const { store, path } = openTestStore([plugin]);
  const scoped = store.forPlugin('tasks');
  const ids = store.transaction(() => Array.from({ length: count }, (_, i) => String(scoped.insert('tasks', { title: `t${i}` }).id)));
  store.ackOutbox(store.readOutboxBatch({ limit: count }).map((entry) => entry.seq));
  return { store, path, ids };
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

describe('capture of the scoped store’s updates', () => {
  it('queues exactly one update per synced row, its state PendingUpload and pointing at it', () => {
    const { store, ids } = syncedTasks(3);
    const scoped = store.forPlugin('tasks');
    store.transaction(() => ids.forEach((id, i) => scoped.update('tasks', id, { points: i })));
    const queued = entries(store);
    expect(queued.map((entry) => [entry.row_id, entry.op, entry.first_seq])).toEqual(ids.map((id) => [id, 'update', null]));
    for (const entry of queued) expect(stateOf(store, entry.row_id)).toEqual({ state: 'PendingUpload', pending_seq: entry.seq });
  });

  it('replaces a queued entry with a newer seq and keeps its place in the queue', () => {
    const { store, ids } = syncedTasks(2);
    const scoped = store.forPlugin('tasks');
    const [a, b] = ids as [string, string];
    scoped.update('tasks', a, { points: 1 });
    scoped.update('tasks', b, { points: 1 });
    const [firstA] = entries(store);
    scoped.update('tasks', a, { title: 'renamed' });
    scoped.update('tasks', a, { points: 2 });
    const queued = entries(store);
    expect(queued).toHaveLength(2);
    const latestA = queued.find((entry) => entry.row_id === a);
    expect(latestA).toMatchObject({ op: 'update', first_seq: firstA?.seq });
    expect(latestA?.seq).toBeGreaterThan(firstA?.seq as number);
    expect(stateOf(store, a)).toEqual({ state: 'PendingUpload', pending_seq: latestA?.seq });
    // Change order: a was changed first, so it still goes up first.
    expect(store.readOutboxBatch().map((entry) => [entry.id, entry.row.points, entry.row.title])).toEqual([
      [a, 2, 'renamed'],
      [b, 1, 't1'],
    ]);
  });

  it('keeps an insert not yet uploaded an insert, whatever the updates after it', () => {
    const { store } = openTestStore([plugin]);
    const scoped = store.forPlugin('tasks');
    const { id } = scoped.insert('tasks', { title: 'new' });
    scoped.update('tasks', id as string, { points: 5 });
    scoped.update('tasks', id as string, { done: true });
    expect(entries(store).map((entry) => entry.op)).toEqual(['insert']);
    expect(store.readOutboxBatch()[0]?.row).toMatchObject({ points: 5, done: true });
  });

  it('queues nothing when the transaction fails midway', () => {
    const { store, ids } = syncedTasks(2);
    const scoped = store.forPlugin('tasks');
    const mark = store.records.newestChange();
    expect(() =>
      store.transaction(() => {
        scoped.update('tasks', ids[0] as string, { points: 7 });
        scoped.update('tasks', 'missing', { points: 7 });
      }),
    ).toThrow(/no row "missing" to update/);
    expect(entries(store)).toEqual([]);
    expect(stateOf(store, ids[0] as string)).toEqual({ state: 'Synced', pending_seq: null });
    expect(scoped.get('tasks', ids[0] as string)).toMatchObject({ points: 0 });
    expect(store.records.newestChange()).toBe(mark);
  });

  it('uses the right statement when the patched columns or the table change between calls', () => {
    const { store, ids } = syncedTasks(1);
    const scoped = store.forPlugin('tasks');
    const id = ids[0] as string;
    const label = String(scoped.insert('labels', { title: 'l' }).id);
    expect(scoped.update('tasks', id, { points: 1 })).toMatchObject({ points: 1, title: 't0' });
    expect(scoped.update('tasks', id, { title: 'x' })).toMatchObject({ points: 1, title: 'x' });
    expect(scoped.update('labels', label, { title: 'm' })).toMatchObject({ id: label, title: 'm' });
    expect(scoped.update('tasks', id, { title: 'y' })).toMatchObject({ points: 1, title: 'y' });
    expect(scoped.update('tasks', id, { points: 2, title: 'z' })).toMatchObject({ points: 2, title: 'z' });
    expect(store.readOutboxBatch().map((entry) => [entry.table, entry.op])).toEqual([
      ['labels', 'insert'],
      ['tasks', 'update'],
    ]);
  });

  it('still captures plain-SQL updates from another connection, between the store’s own, and signals each', async () => {
    const { store, path, ids } = syncedTasks(2);
    const scoped = store.forPlugin('tasks');
    const [a, b] = ids as [string, string];
    let signals = 0;
    const subscription = store.localChanges$.subscribe(() => (signals += 1));
    onTestFinished(() => subscription.unsubscribe());
    scoped.update('tasks', a, { points: 1 });
    await Promise.resolve(); // the store checks its mark once the writing task is done
    expect(signals).toBe(1);
    hostConnection(path).prepare('UPDATE tasks SET points = 9 WHERE id = ?').run(b);
    await vi.waitFor(() => expect(signals).toBe(2), { timeout: 3000 });
    scoped.update('tasks', a, { points: 2 });
    // One entry each, in the order of the rows' first changes (a, then b), whoever wrote them.
    const queued = entries(store);
    expect(queued.map((entry) => [entry.row_id, entry.op])).toEqual([
      [a, 'update'],
      [b, 'update'],
    ]);
    expect(stateOf(store, b)).toEqual({ state: 'PendingUpload', pending_seq: queued[1]?.seq });
    expect(store.readOutboxBatch().map((entry) => [entry.id, entry.row.points])).toEqual([
      [a, 2],
      [b, 9],
    ]);
  });
});
