import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'tasks',
  version: '1.0.0',
  tables: [
    { name: 'tasks', columns: { title: { type: 'text' }, done: { type: 'boolean' }, tags: { type: 'json' } }, strategy: 'LastWriteWins' },
    { name: 'labels', columns: { name: { type: 'text' } }, strategy: 'RemoteWins' },
  ],
});

function openStore(): LocalStore {
  return openTestStore([plugin]).store;
}

describe('the outbox queue', () => {
  it('returns entries in change order with the current, decoded row', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const a = tasks.insert('tasks', { title: 'a', done: false, tags: ['x'] });
    const b = tasks.insert('tasks', { title: 'b' });
    tasks.update('tasks', a.id as string, { done: true });
    const batch = store.readOutboxBatch({ limit: 10 });
    expect(batch.map((entry) => entry.id)).toEqual([a.id, b.id]);
    expect(batch[0]).toMatchObject({ table: 'tasks', op: 'insert', attempts: 0, state: 'PendingUpload', lastError: undefined });
    expect(batch[0]?.row).toMatchObject({ id: a.id, tenant_id: 'tenant-a', deleted: false, done: true, tags: ['x'] });
    expect(store.pendingUploads()).toBe(2);
  });

  it('filters by table and honours the limit', () => {
    const store = openStore();
    const scoped = store.forPlugin('tasks');
    scoped.insert('labels', { name: 'l1' });
    for (const title of ['a', 'b', 'c']) scoped.insert('tasks', { title });
    expect(store.readOutboxBatch({ table: 'labels' }).map((entry) => entry.row.name)).toEqual(['l1']);
    expect(store.readOutboxBatch({ table: 'tasks', limit: 2 }).map((entry) => entry.row.title)).toEqual(['a', 'b']);
    expect(() => store.readOutboxBatch({ table: 'nope' })).toThrow('table "nope" is not declared by any loaded plugin');
  });

  it('acks by seq and marks the row Synced with its server version', () => {
    const store = openStore();
    const { id } = store.forPlugin('tasks').insert('tasks', { title: 'a' });
    const [entry] = store.readOutboxBatch();
    expect(store.ackOutbox([{ seq: entry?.seq as number, serverVersion: 42 }])).toBe(1);
    expect(store.pendingUploads()).toBe(0);
    expect(store.rowState('tasks', id as string)).toBe('Synced');
    const version = store.database.prepare('SELECT server_version FROM _eq_row_state WHERE row_id = ?').pluck().get(id);
    expect(version).toBe(42);
    expect(store.ackOutbox([entry?.seq as number])).toBe(0);
  });

  it('keeps a change made while the upload of that row is in flight', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const { id } = tasks.insert('tasks', { title: 'first' });
    const inFlight = store.readOutboxBatch();
    tasks.update('tasks', id as string, { title: 'second' });
    expect(store.ackOutbox(inFlight.map((entry) => entry.seq))).toBe(0);
    expect(store.rowState('tasks', id as string)).toBe('PendingUpload');
    const [next] = store.readOutboxBatch();
    expect(next?.seq).toBeGreaterThan(inFlight[0]?.seq as number);
    expect(next?.row.title).toBe('second');
    expect(next?.op).toBe('insert');
  });

  it('gives a change queued while its row was in flight the version that upload brought, and never an older one', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const { id } = tasks.insert('tasks', { title: 'first' });
    const [sent] = store.readOutboxBatch();
    tasks.update('tasks', id as string, { title: 'second' });
    // The first upload's ack finds its entry replaced: its version is the base of the queued change.
    expect(store.ackOutbox([{ seq: sent!.seq, serverVersion: 10, table: 'tasks', id: id as string }])).toBe(0);
    const [queued] = store.readOutboxBatch();
    expect(queued?.serverVersion).toBe(10);
    // Both acks in one call (the second's upload and a late repeat of the first's): the row ends at the newer one.
    tasks.update('tasks', id as string, { title: 'third' });
    const [last] = store.readOutboxBatch();
    expect(
      store.ackOutbox([
        { seq: last!.seq, serverVersion: 12, table: 'tasks', id: id as string },
        { seq: queued!.seq, serverVersion: 11, table: 'tasks', id: id as string },
      ]),
    ).toBe(1);
    expect(store.records.info('tasks', [id as string]).get(id as string)).toMatchObject({ state: 'Synced', serverVersion: 12, pendingSeq: null });
  });

  it('keeps a row in its place in the queue when it changes again', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const a = tasks.insert('tasks', { title: 'a' });
    tasks.insert('tasks', { title: 'b' });
    tasks.update('tasks', a.id as string, { title: 'a2' });
    expect(store.readOutboxBatch().map((entry) => entry.row.title)).toEqual(['a2', 'b']);
  });

  it('backs a failed entry off until its next attempt, without blocking others', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    tasks.insert('tasks', { title: 'rejected' });
    tasks.insert('tasks', { title: 'fine' });
    const [first] = store.readOutboxBatch({ now: 1000 });
    expect(store.failOutbox(first?.seq as number, 'rejected: bad title', 5000)).toBe(true);
    expect(store.readOutboxBatch({ now: 4999 }).map((entry) => entry.row.title)).toEqual(['fine']);
    const retried = store.readOutboxBatch({ now: 5000 })[0];
    expect(retried).toMatchObject({ attempts: 1, lastError: 'rejected: bad title' });
    expect(store.pendingUploads()).toBe(2);
  });

  it('retries a failed row at once after a new local change', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const { id } = tasks.insert('tasks', { title: 'bad' });
    const [entry] = store.readOutboxBatch({ now: 0 });
    store.failOutbox(entry?.seq as number, 'rejected', Number.MAX_SAFE_INTEGER);
    tasks.update('tasks', id as string, { title: 'good' });
    expect(store.readOutboxBatch({ now: 0 })[0]).toMatchObject({ attempts: 0, row: { title: 'good' } });
  });

  it('holds deletes until they are confirmed, then queues them', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const a = tasks.insert('tasks', { title: 'a' });
    const b = tasks.insert('tasks', { title: 'b' });
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    expect(tasks.delete('tasks', a.id as string)).toBe(true);
    expect(tasks.delete('tasks', a.id as string)).toBe(false);
    tasks.delete('tasks', b.id as string);
    expect(store.listPendingDeletes().map((entry) => entry.id)).toEqual([a.id, b.id]);
    expect(store.readOutboxBatch()).toEqual([]);
    expect(store.pendingUploads()).toBe(0);
    expect(store.rowState('tasks', a.id as string)).toBe('PendingUpload');

    expect(store.confirmDeletes([a.id as string])).toBe(1);
    const [entry] = store.readOutboxBatch();
    expect(entry).toMatchObject({ id: a.id, op: 'delete', row: { deleted: true, title: 'a' } });
    expect(store.listPendingDeletes().map((d) => d.id)).toEqual([b.id]);
    expect(store.confirmDeletes('all')).toBe(1);
    expect(store.readOutboxBatch()).toHaveLength(2);
  });

  it('counts the waiting changes per table, held deletes left out', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const a = tasks.insert('tasks', { title: 'a' });
    tasks.insert('labels', { name: 'l1' });
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    expect(store.pendingUploadsByTable()).toEqual(new Map());
    tasks.insert('tasks', { title: 'b' });
    tasks.insert('tasks', { title: 'c' });
    tasks.insert('labels', { name: 'l2' });
    tasks.delete('tasks', a.id as string);
    expect(store.pendingUploadsByTable()).toEqual(new Map([['tasks', 2], ['labels', 1]]));
    store.confirmDeletes('all');
    expect(store.pendingUploadsByTable().get('tasks')).toBe(3);
  });

  it('releases a held delete as an update when the row is brought back', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const { id } = tasks.insert('tasks', { title: 'a' });
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    tasks.delete('tasks', id as string);
    store.database.prepare('UPDATE tasks SET deleted = 0 WHERE id = ?').run(id);
    expect(store.listPendingDeletes()).toEqual([]);
    expect(store.readOutboxBatch()).toEqual([expect.objectContaining({ op: 'update', row: expect.objectContaining({ deleted: false }) })]);
  });

  it('pages through replaced and fresh entries in change order, one small batch after another', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((title) => tasks.insert('tasks', { title }));
    tasks.update('tasks', d?.id as string, { title: 'd2' });
    tasks.update('tasks', b?.id as string, { title: 'b2' });
    tasks.update('tasks', b?.id as string, { title: 'b3' });
    const seen: string[] = [];
    for (let batch = store.readOutboxBatch({ limit: 2 }); batch.length > 0; batch = store.readOutboxBatch({ limit: 2 })) {
      seen.push(...batch.map((entry) => String(entry.row.title)));
      store.ackOutbox(batch.map((entry) => entry.seq));
    }
    expect(seen).toEqual(['a', 'b3', 'c', 'd2', 'e']);
    expect([a, b, c, d, e].map((row) => store.rowState('tasks', row?.id as string))).toEqual(Array(5).fill('Synced'));
  });

  it('brings each entry with the base version the cloud last confirmed', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const { id } = tasks.insert('tasks', { title: 'a' });
    expect(store.readOutboxBatch()[0]?.serverVersion).toBeNull();
    store.ackOutbox(store.readOutboxBatch().map((entry) => ({ seq: entry.seq, serverVersion: 7n })));
    tasks.update('tasks', id as string, { title: 'b' });
    expect(store.readOutboxBatch()[0]?.serverVersion).toBe(7);
  });

  it('leaves rows in flight, and newer changes to them, out of a batch read ahead', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    for (const title of ['a', 'b', 'c', 'd']) tasks.insert('tasks', { title });
    const inFlight = store.readOutboxBatch({ limit: 2 });
    tasks.update('tasks', inFlight[0]?.id as string, { title: 'a2' });
    expect(store.readOutboxBatch({ skipRows: inFlight }).map((entry) => entry.row.title)).toEqual(['c', 'd']);
    expect(store.readOutboxBatch().map((entry) => entry.row.title)).toEqual(['a2', 'b', 'c', 'd']);
  });

  it('acks a batch at once, rebasing a row whose entry a newer change replaced', () => {
    const store = openStore();
    const tasks = store.forPlugin('tasks');
    const rows = ['a', 'b', 'c'].map((title) => tasks.insert('tasks', { title }));
    const batch = store.readOutboxBatch();
    tasks.update('tasks', rows[1]?.id as string, { title: 'b2' });
    const acks = batch.map((entry, i) => ({ seq: entry.seq, serverVersion: 10 + i, table: 'tasks', id: entry.id }));
    expect(store.ackOutbox(acks)).toBe(2);
    const states = store.database
      .prepare('SELECT row_id, state, server_version FROM _eq_row_state ORDER BY server_version')
      .all() as { row_id: string; state: string; server_version: number }[];
    expect(states).toEqual([
      { row_id: rows[0]?.id, state: 'Synced', server_version: 10 },
      { row_id: rows[1]?.id, state: 'PendingUpload', server_version: 11 },
      { row_id: rows[2]?.id, state: 'Synced', server_version: 12 },
    ]);
    expect(store.readOutboxBatch()).toEqual([expect.objectContaining({ id: rows[1]?.id, serverVersion: 11, row: expect.objectContaining({ title: 'b2' }) })]);
  });
});
