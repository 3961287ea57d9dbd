import { describe, expect, it } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import { META_SCHEMA_VERSION } from './meta-tables.js';

const plugin = definePlugin({
  name: 'tasks',
  version: '1.0.0',
  tables: [{ name: 'tasks', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

const layoutOf = (store: ReturnType<typeof openStore>): string =>
  store.database.prepare(`SELECT value FROM _eq_meta WHERE key = 'store_schema'`).pluck().get() as string;

describe('the store layout', () => {
  it('takes a file of layout 1 (triggers writing the queue directly) with its queue as it was, and captures through the log from then on', () => {
    const path = tempDbPath('layout');
    const before = openStore({ path, plugins: [plugin] });
    const tasks = before.forPlugin('tasks');
    const queued = [tasks.insert('tasks', { title: 'a' }).id, tasks.insert('tasks', { title: 'b' }).id];
    expect(before.pendingUploads()).toBe(2);
    // What layout 1 left: the same queue and states, no capture log, its own triggers.
    before.database.exec(`DROP TABLE _eq_capture; DROP TRIGGER "_eq_tasks_ai"; DROP TRIGGER "_eq_tasks_au";
      UPDATE _eq_meta SET value = '1' WHERE key = 'store_schema';`);
    before.close();

    const after = openStore({ path, plugins: [plugin] });
    expect(layoutOf(after)).toBe(String(META_SCHEMA_VERSION));
    expect(after.readOutboxBatch().map((entry) => [entry.id, entry.op])).toEqual(queued.map((id) => [id, 'insert']));
    after.database.prepare(`UPDATE tasks SET title = 'c' WHERE id = ?`).run(queued[0]);
    const edited = after.readOutboxBatch();
    expect(edited.map((entry) => [entry.id, entry.op, entry.row.title])).toEqual([
      [queued[0], 'insert', 'c'],
      [queued[1], 'insert', 'b'],
    ]);
  });

  it('is refused when newer than this engine knows: an older engine would not fold what a newer one logged', () => {
    const path = tempDbPath('layout');
    const newer = openStore({ path, plugins: [plugin] });
    newer.database.prepare(`UPDATE _eq_meta SET value = ? WHERE key = 'store_schema'`).run(String(META_SCHEMA_VERSION + 1));
    newer.close();
    expect(() => openStore({ path, plugins: [plugin] })).toThrow(`the database uses store layout ${META_SCHEMA_VERSION + 1}; this version of the engine knows ${META_SCHEMA_VERSION}`);
  });
});
