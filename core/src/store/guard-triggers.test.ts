import Database from 'better-sqlite3';
import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { formatHlc } from '../clock/index.js';
import { definePlugin } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'records',
  version: '1.0.0',
  tables: [
    { name: 'entries', columns: { line: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
    { name: 'presets', columns: { label: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
  ],
});

function openStore(): { store: LocalStore; path: string } {
  return openTestStore([plugin]);
}

describe('append-only tables', () => {
  it('refuse DELETE of any row, synced or not', () => {
    const { store } = openStore();
    const records = store.forPlugin('records');
    const { id } = records.insert('entries', { line: 'one' });
    // Plain SQL gets the trigger's literal; the scoped store adds the row it refused.
    expect(() => store.database.prepare('DELETE FROM entries WHERE id = ?').run(id)).toThrow(
      /^append-only table "entries": a row cannot be deleted$/,
    );
    expect(() => records.delete('entries', id as string)).toThrow(`append-only table "entries": a row cannot be deleted (row ${id})`);
    expect(records.get('entries', id as string)).toMatchObject({ deleted: false });
  });

  it('refuse UPDATE before the first upload and after it', () => {
    const { store } = openStore();
    const records = store.forPlugin('records');
    const { id } = records.insert('entries', { line: 'typo' });
    expect(() => records.update('entries', id as string, { line: 'fixed' })).toThrow(`append-only table "entries": a row cannot be updated (row ${id})`);
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    expect(() => records.update('entries', id as string, { line: 'again' })).toThrow(`append-only table "entries": a row cannot be updated (row ${id})`);
    expect(records.get('entries', id as string)?.line).toBe('typo');
  });

  it('refuse UPDATE of a pulled row and replacing a row through INSERT OR REPLACE', () => {
    const { store, path } = openStore();
    const pulled = { id: 'e1', updated_at: formatHlc({ wallMs: 1, counter: 0, deviceId: 'device-b' }), line: 'pulled' };
    store.applyRemote('entries', [pulled]);
    const host = new Database(path);
    onTestFinished(() => {
      host.close();
    });
    expect(() => host.prepare(`UPDATE entries SET line = 'x' WHERE id = 'e1'`).run()).toThrow(/cannot be updated/);
    expect(() => host.prepare(`INSERT OR REPLACE INTO entries (id, line) VALUES ('e1', 'x')`).run()).toThrow(
      'append-only table "entries": a row with this id already exists and cannot be replaced',
    );
  });

  it('accept plain-SQL inserts, stamped by the triggers', () => {
    const { store, path } = openStore();
    const host = new Database(path);
    onTestFinished(() => {
      host.close();
    });
    host.prepare(`INSERT INTO entries (line) VALUES ('from the host')`).run();
    expect(store.readOutboxBatch()).toEqual([expect.objectContaining({ op: 'insert', row: expect.objectContaining({ tenant_id: 'tenant-a' }) })]);
  });
});

describe('download-only tables', () => {
  it('refuse local INSERT, UPDATE and DELETE', () => {
    const { store } = openStore();
    const records = store.forPlugin('records');
    expect(() => records.insert('presets', { label: 'mine' })).toThrow(
      'download-only table "presets": local INSERT is refused; its rows come from the cloud',
    );
    store.applyRemote('presets', [{ id: 'p1', updated_at: formatHlc({ wallMs: 1, counter: 0, deviceId: 'device-b' }), label: 'x' }]);
    expect(() => records.update('presets', 'p1', { label: 'mine' })).toThrow(/local UPDATE is refused/);
    expect(() => store.database.exec(`DELETE FROM presets`)).toThrow(/local DELETE is refused/);
    expect(store.pendingUploads()).toBe(0);
  });
});
