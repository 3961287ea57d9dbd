import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc } from '../clock/index.js';
import { definePlugin, type Row } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'board',
  version: '1.0.0',
  tables: [
    { name: 'cards', columns: { title: { type: 'text' }, done: { type: 'boolean' }, data: { type: 'json' } }, strategy: 'LastWriteWins' },
    { name: 'entries', columns: { line: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
    { name: 'presets', columns: { label: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
  ],
});

function openStore(): LocalStore {
  return openTestStore([plugin]).store;
}

const remoteClock = (wallMs: number, counter = 0): string => formatHlc({ wallMs, counter, deviceId: 'device-b' });
const remoteRow = (id: string, fields: Row, wallMs = 1_000): Row => ({
  id,
  tenant_id: 'tenant-a',
  updated_at: remoteClock(wallMs),
  deleted: false,
  server_version: 7,
  txid: '900',
  ...fields,
});

describe('applyRemote', () => {
  it('writes pulled rows as Synced without echoing them into the outbox', () => {
    const store = openStore();
    const result = store.applyRemote('cards', [remoteRow('r1', { title: 'from cloud', done: true, data: { n: 1 } })], { txid: '900', v: 7 });
    expect(result).toEqual({ applied: 1, skipped: 0 });
    expect(store.pendingUploads()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM _eq_outbox').pluck().get()).toBe(0);
    expect(store.rowState('cards', 'r1')).toBe('Synced');
    expect(store.forPlugin('board').get('cards', 'r1')).toMatchObject({ title: 'from cloud', done: true, data: { n: 1 } });
    expect(store.readCursor('cards')).toEqual({ txid: '900', v: 7 });
    expect(store.database.prepare('SELECT server_version FROM _eq_row_state').pluck().get()).toBe(7);
  });

  it('unmutes the triggers once the page is applied', () => {
    const store = openStore();
    store.applyRemote('cards', [remoteRow('r1', { title: 'x' })]);
    store.forPlugin('board').update('cards', 'r1', { title: 'local edit' });
    expect(store.rowState('cards', 'r1')).toBe('PendingUpload');
    expect(store.pendingUploads()).toBe(1);
    expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(0);
  });

  it('rolls the rows, the cursor and the mute flag back together on failure', () => {
    const store = openStore();
    const bad = { ...remoteRow('r2', {}), done: 'yes' };
    expect(() => store.applyRemote('cards', [remoteRow('r1', {}), bad], { page: 2 })).toThrow(/column "done": expects a boolean/);
    expect(store.forPlugin('board').query('cards')).toEqual([]);
    expect(store.readCursor('cards')).toBeUndefined();
    expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(0);
  });

  it('merges the newest pulled clock, so later local edits sort after it', () => {
    const store = openStore();
    const farFuture = Date.now() + 3_600_000;
    store.applyRemote('cards', [remoteRow('r1', {}, 1_000), remoteRow('r2', {}, farFuture)]);
    const edited = store.forPlugin('board').update('cards', 'r1', { title: 'after the pull' });
    expect(compareHlc(edited.updated_at as string, remoteClock(farFuture))).toBeGreaterThan(0);
  });

  it('soft-deletes on a remote tombstone and supersedes a queued local change', () => {
    const store = openStore();
    const board = store.forPlugin('board');
    const { id } = board.insert('cards', { title: 'local' });
    store.applyRemote('cards', [remoteRow(id as string, { deleted: true, title: 'local' })]);
    expect(board.get('cards', id as string)).toBeUndefined();
    expect(board.get('cards', id as string, { includeDeleted: true })).toMatchObject({ deleted: true });
    expect(store.pendingUploads()).toBe(0);
    expect(store.rowState('cards', id as string)).toBe('Synced');
  });

  it('never changes a row an append-only table already has', () => {
    const store = openStore();
    store.applyRemote('entries', [remoteRow('e1', { line: 'original' })]);
    const result = store.applyRemote('entries', [remoteRow('e1', { line: 'rewritten' }, 2_000), remoteRow('e2', { line: 'new' })]);
    expect(result).toEqual({ applied: 1, skipped: 1 });
    expect(store.forPlugin('board').query('entries').map((row) => row.line)).toEqual(['original', 'new']);
  });

  it('fills download-only tables, which refuse local writes', () => {
    const store = openStore();
    store.applyRemote('presets', [remoteRow('p1', { label: 'default' })]);
    expect(store.forPlugin('board').get('presets', 'p1')).toMatchObject({ label: 'default' });
    expect(store.pendingUploads()).toBe(0);
  });

  it('ignores columns a newer cloud schema has and this device does not', () => {
    const store = openStore();
    store.applyRemote('cards', [remoteRow('r1', { title: 't', colour: 'red' })]);
    expect(store.forPlugin('board').get('cards', 'r1')).not.toHaveProperty('colour');
  });

  it('nests muted work inside one transaction', () => {
    const store = openStore();
    store.runMuted(() => {
      store.applyRemote('cards', [remoteRow('r1', {})]);
      store.database.prepare(`UPDATE cards SET title = 'engine write' WHERE id = 'r1'`).run();
      expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(1);
    });
    expect(store.pendingUploads()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(0);
  });
});
