import { describe, expect, it } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import { batchSql } from './outbox-queue.js';
import { openTestStore } from './test-store.fixture.js';

const plugin = definePlugin({
  name: 'tasks',
  version: '1.0.0',
  tables: [{ name: 'tasks', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

describe('reading a batch of a long queue', () => {
  it('walks the queue only as far as the batch: fresh entries by rowid, replaced ones from their partial index', () => {
    const { store } = openTestStore([plugin]);
    const tasks = store.forPlugin('tasks');
    store.transaction(() => {
      for (let i = 0; i < 200; i += 1) tasks.insert('tasks', { title: `t${i}` });
    });
    const plan = store.database
      .prepare(`EXPLAIN QUERY PLAN ${batchSql(10)}`)
      .all({ now: 0, table: null, tables: '[1]', skip: '[]', afterPlace: 0, afterSeq: 0 }) as { detail: string }[];
    const steps = plan.map((step) => step.detail);
    // The fresh run in rowid order from where the last read stopped (a range, stopped by LIMIT); the replaced run from its index.
    expect(steps.filter((step) => /^SCAN o\b/.test(step))).toHaveLength(0);
    expect(steps).toContain('SEARCH o USING INTEGER PRIMARY KEY (rowid>?)');
    expect(steps).toContain('SEARCH o USING INDEX _eq_outbox_replaced (first_seq>?)');
  });

  it('keeps change order when replaced entries and fresh ones interleave', () => {
    const { store } = openTestStore([plugin]);
    const tasks = store.forPlugin('tasks');
    const ids = store.transaction(() => Array.from({ length: 6 }, (_, i) => String(tasks.insert('tasks', { title: `t${i}` }).id)));
    expect(store.pendingUploads()).toBe(6); // queued, as a run would see them before the edits below
    // Edits of queued rows replace their entries, which keep their places (rows 1 and 4).
    tasks.update('tasks', ids[4]!, { title: 'four again' });
    tasks.update('tasks', ids[1]!, { title: 'one again' });
    tasks.update('tasks', ids[1]!, { title: 'one a third time' });
    const replaced = store.snapshot(() => store.database.prepare(`SELECT count(*) FROM _eq_outbox INDEXED BY _eq_outbox_replaced WHERE first_seq IS NOT NULL`).pluck().get());
    expect(replaced).toBe(2);
    expect(store.readOutboxBatch({ limit: 10 }).map((entry) => entry.id)).toEqual(ids);
    expect(store.readOutboxBatch({ limit: 3 }).map((entry) => entry.id)).toEqual(ids.slice(0, 3));
  });

  it('goes on after a given entry, replaced entries and fresh ones alike, as a read while its rows are in flight', () => {
    const { store } = openTestStore([plugin]);
    const tasks = store.forPlugin('tasks');
    const ids = store.transaction(() => Array.from({ length: 6 }, (_, i) => String(tasks.insert('tasks', { title: `t${i}` }).id)));
    expect(store.pendingUploads()).toBe(6);
    tasks.update('tasks', ids[4]!, { title: 'four again' });
    tasks.update('tasks', ids[1]!, { title: 'one again' });
    const first = store.readOutboxBatch({ limit: 2 });
    expect(first.map((entry) => entry.id)).toEqual(ids.slice(0, 2));
    // The second entry was replaced: it keeps its place, below its seq.
    expect(first[1]!.place).toBeLessThan(first[1]!.seq);
    const rest = store.readOutboxBatch({ limit: 10, after: { place: first[1]!.place!, seq: first[1]!.seq } });
    expect(rest.map((entry) => entry.id)).toEqual(ids.slice(2));
    const last = rest[rest.length - 1]!;
    expect(store.readOutboxBatch({ limit: 10, after: { place: last.place!, seq: last.seq } })).toEqual([]);
    // A change to a row read already keeps its place, behind the cursor: the next read from the head finds it.
    tasks.update('tasks', ids[0]!, { title: 'zero again' });
    expect(store.readOutboxBatch({ limit: 10, after: { place: last.place!, seq: last.seq } })).toEqual([]);
    expect(store.readOutboxBatch({ limit: 1 }).map((entry) => entry.id)).toEqual([ids[0]]);
  });
});
