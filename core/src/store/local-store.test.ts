import { describe, expect, it } from 'vitest';
import { compareHlc, parseHlc } from '../clock/index.js';
import { definePlugin } from '../declarations/index.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import type { LocalStore, LocalStoreOptions } from './local-store.js';

const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [{ name: 'notes', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

const tempPath = (): string => tempDbPath('local');
const open = (options: Partial<LocalStoreOptions> & { path: string }): LocalStore => openStore({ plugins: [plugin], ...options });

describe('LocalStore.open', () => {
  it('opens with WAL, synchronous=NORMAL and a busy timeout, and creates the metadata tables', () => {
    const store = open({ path: tempPath(), busyTimeoutMs: 1234 });
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    const tables = store.database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '\\_eq\\_%' ESCAPE '\\' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['_eq_capture', '_eq_conflicts', '_eq_cursors', '_eq_local_write', '_eq_meta', '_eq_mute', '_eq_outbox', '_eq_quarantine', '_eq_row_state', '_eq_tables']);
    const columns = store.database.prepare(`SELECT name, type FROM pragma_table_info('notes')`).all();
    expect(columns).toEqual([
      { name: 'id', type: 'TEXT' },
      { name: 'tenant_id', type: 'TEXT' },
      { name: 'updated_at', type: 'TEXT' },
      { name: 'deleted', type: 'INTEGER' },
      { name: 'title', type: 'TEXT' },
    ]);
    expect(store.tableDefinitions().map((table) => table.name)).toEqual(['notes']);
  });

  it('keeps the clock monotonic across a restart, even with the wall clock an hour back', () => {
    const path = tempPath();
    const now = Date.now();
    const first = open({ path, now: () => now });
    const { updated_at: last } = first.forPlugin('notes').insert('notes', { title: 'a' });
    first.close();
    const second = open({ path, now: () => now - 3_600_000 });
    const { updated_at: next } = second.forPlugin('notes').insert('notes', { title: 'b' });
    expect(compareHlc(next as string, last as string)).toBeGreaterThan(0);
    expect(parseHlc(next as string).wallMs).toBe(now);
  });

  it('writes the stored clock once per reservation, not once per write, and never below a value it issued', () => {
    const path = tempPath();
    const now = Date.now();
    const store = open({ path, now: () => now });
    const stored = (): string => store.database.prepare(`SELECT value FROM _eq_meta WHERE key = 'hlc'`).pluck().get() as string;
    const notes = store.forPlugin('notes');
    const marks = new Set<string>();
    let last = '';
    store.transaction(() => {
      for (let i = 0; i < 2_500; i += 1) {
        last = notes.insert('notes', { title: `n${i}` }).updated_at as string;
        marks.add(stored());
        expect(compareHlc(stored(), last)).toBeGreaterThanOrEqual(0);
      }
    });
    // One millisecond, 2,500 values: a mark each CLOCK_RESERVATION (1,000) values.
    expect(parseHlc(last)).toMatchObject({ wallMs: now, counter: 2_499 });
    expect(marks.size).toBe(3);
    store.close();
    const next = open({ path, now: () => now }).forPlugin('notes').insert('notes', { title: 'after restart' }).updated_at as string;
    expect(compareHlc(next, last)).toBeGreaterThan(0);
  });

  it('writes the clock afresh after a rolled-back transaction took its mark back', () => {
    const path = tempPath();
    const now = Date.now();
    const store = open({ path, now: () => now });
    const notes = store.forPlugin('notes');
    notes.insert('notes', { title: 'kept' });
    let issued = '';
    expect(() =>
      store.transaction(() => {
        for (let i = 0; i < 1_500; i += 1) issued = notes.insert('notes', { title: 'undone' }).updated_at as string;
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    // The clock stays past the rolled-back values, and the row says so again after its next write.
    const next = notes.insert('notes', { title: 'later' }).updated_at as string;
    expect(compareHlc(next, issued)).toBeGreaterThan(0);
    const stored = store.database.prepare(`SELECT value FROM _eq_meta WHERE key = 'hlc'`).pluck().get() as string;
    expect(compareHlc(stored, next)).toBeGreaterThanOrEqual(0);
  });

  it('orders a plain-SQL write between two API writes of one transaction', () => {
    const store = open({ path: tempPath() });
    const notes = store.forPlugin('notes');
    const stamps = store.transaction(() => {
      const first = notes.insert('notes', { title: 'api 1' }).updated_at as string;
      store.database.prepare(`INSERT INTO notes (title) VALUES ('plain sql')`).run();
      const plain = store.database.prepare(`SELECT updated_at FROM notes WHERE title = 'plain sql'`).pluck().get() as string;
      const second = notes.insert('notes', { title: 'api 2' }).updated_at as string;
      return [first, plain, second];
    });
    expect(compareHlc(stamps[1]!, stamps[0]!)).toBeGreaterThan(0);
    expect(compareHlc(stamps[2]!, stamps[1]!)).toBeGreaterThan(0);
  });

  it('remembers its device id and refuses another tenant or device', () => {
    const path = tempPath();
    const first = open({ path });
    const deviceId = first.deviceId;
    first.close();
    expect(open({ path }).deviceId).toBe(deviceId);
    expect(() => open({ path, tenantId: 'tenant-b' })).toThrow(`this database belongs to tenant "tenant-a", not "tenant-b"`);
    expect(() => open({ path, deviceId: 'another-device' })).toThrow(`this database belongs to device "${deviceId}", not "another-device"`);
  });

  it('refuses a table this database keeps for another plugin', () => {
    const path = tempPath();
    open({ path }).close();
    const impostor = definePlugin({ name: 'impostor', version: '1', tables: [{ name: 'notes', columns: { title: { type: 'text' } }, strategy: 'Manual' }] });
    expect(() => open({ path, plugins: [impostor] })).toThrow(
      'plugin "impostor" declares table "notes", which this database keeps for plugin "notes"',
    );
  });

  it('refuses two plugins declaring one table before touching the file', () => {
    const twin = definePlugin({ name: 'twin', version: '1', tables: [{ name: 'notes', columns: { title: { type: 'text' } }, strategy: 'Manual' }] });
    expect(() => open({ path: tempPath(), plugins: [plugin, twin] })).toThrow(/already declared by plugin "notes"/);
  });

  it('leaves queued changes of tables no loaded plugin declares untouched', () => {
    const path = tempPath();
    const other = definePlugin({ name: 'other', version: '1', tables: [{ name: 'others', columns: { x: { type: 'text' } }, strategy: 'Manual' }] });
    const both = open({ path, plugins: [plugin, other] });
    both.forPlugin('other').insert('others', { x: '1' });
    both.forPlugin('notes').insert('notes', { title: 'a' });
    both.close();
    const onlyNotes = open({ path });
    const batch = onlyNotes.readOutboxBatch();
    expect(batch.map((entry) => entry.table)).toEqual(['notes']);
    onlyNotes.ackOutbox(batch.map((entry) => entry.seq));
    expect(onlyNotes.listPendingDeletes()).toEqual([]);
    onlyNotes.close();
    expect(open({ path, plugins: [plugin, other] }).readOutboxBatch()).toEqual([
      expect.objectContaining({ table: 'others', row: expect.objectContaining({ x: '1' }) }),
    ]);
  });

  it('records the last sync time', () => {
    const store = open({ path: tempPath() });
    expect(store.lastSync()).toBeUndefined();
    store.recordLastSync(1_718_000_000_000);
    expect(store.lastSync()).toBe(1_718_000_000_000);
  });
});
