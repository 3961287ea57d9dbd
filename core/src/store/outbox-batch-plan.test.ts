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
      .all({ now: 0, table: null, tables: '[1]', skip: '[]' }) as { detail: string }[];
    const steps = plan.map((step) => step.detail);
    // One scan of the outbox (the fresh run, in rowid order, stopped by LIMIT); the replaced run is a search.
    expect(steps.filter((step) => /^SCAN o\b/.test(step))).toHaveLength(1);
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
});
