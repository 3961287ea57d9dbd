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
    expect(result).toEqual({ applied: 1, skipped: 0, quarantined: 0 });
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

  it('sets aside a row it cannot decode, applies the rest and advances the cursor', () => {
    const store = openStore();
    const bad = { ...remoteRow('r2', {}), done: 'yes' };
    const result = store.applyRemote('cards', [remoteRow('r1', {}), bad], { page: 2 }, 5_000);
    expect(result).toEqual({ applied: 1, skipped: 0, quarantined: 1 });
    expect(store.forPlugin('board').query('cards').map((row) => row.id)).toEqual(['r1']);
    expect(store.readCursor('cards')).toEqual({ page: 2 });
    expect(store.rowState('cards', 'r2')).toBeUndefined();
    expect(store.listQuarantined()).toEqual([
      { table: 'cards', id: 'r2', reason: 'column "done": expects a boolean, got string', receivedAt: 5_000, serverVersion: 7, row: JSON.stringify(bad), truncated: false },
    ]);
    expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(0);
  });

  it('sets aside a row SQLite refuses (a missing NOT NULL value) and keeps the rest of the page', () => {
    const strict = definePlugin({
      name: 'strict',
      version: '1.0.0',
      tables: [{ name: 'tags', columns: { label: { type: 'text', nullable: false } }, strategy: 'LastWriteWins' }],
    });
    const store = openTestStore([strict]).store;
    const result = store.applyRemote('tags', [remoteRow('t1', { label: 'ok' }), remoteRow('t2', {}), remoteRow('t3', { label: 'also ok' })], { page: 1 });
    expect(result).toEqual({ applied: 2, skipped: 0, quarantined: 1 });
    expect(store.forPlugin('strict').query('tags').map((row) => row.id)).toEqual(['t1', 't3']);
    expect(store.listQuarantined()).toMatchObject([{ table: 'tags', id: 't2', reason: expect.stringMatching(/^cannot be stored: NOT NULL constraint failed/) }]);
    expect(store.readCursor('tags')).toEqual({ page: 1 });
  });

  it('names the column and the limit of a value outside it, and a later good version releases the row', () => {
    const store = openStore();
    const deep = JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown;
    store.applyRemote('cards', [remoteRow('r1', { data: deep }), remoteRow('r2', { title: 'x'.repeat(10_001) })]);
    expect(store.listQuarantined().map(({ id, reason }) => ({ id, reason }))).toEqual([
      { id: 'r1', reason: 'column "data": must nest at most 32 levels deep (has 40) (22023)' },
      { id: 'r2', reason: 'column "title": must be at most 10000 characters (has 10001) (22001)' },
    ]);
    store.applyRemote('cards', [remoteRow('r1', { data: { fixed: true } }, 2_000)]);
    expect(store.listQuarantined().map((row) => row.id)).toEqual(['r2']);
    expect(store.forPlugin('board').get('cards', 'r1')).toMatchObject({ data: { fixed: true } });
  });

  it('screens a page: rows that are not objects or have no id are set aside once, the others returned', () => {
    const store = openStore();
    const good = remoteRow('r1', {});
    const page: unknown[] = [good, 42, null, { ...remoteRow('x', {}), id: undefined }, { ...remoteRow('r3', {}), updated_at: 5 }];
    expect(store.screenPulled('cards', page, 1)).toEqual([good]);
    expect(store.screenPulled('cards', page, 2)).toEqual([good]);
    expect(store.listQuarantined().map(({ id, reason }) => ({ id, reason }))).toEqual([
      { id: null, reason: 'not a row object (got number)' },
      { id: null, reason: 'not a row object (got null)' },
      { id: null, reason: 'has no id' },
      { id: 'r3', reason: 'has no updated_at' },
    ]);
    expect(store.quarantinedCount()).toBe(4);
  });

  it('keeps at most 64 KiB of a quarantined row', () => {
    const store = openStore();
    store.applyRemote('cards', [remoteRow('r1', { title: 'x'.repeat(200_000) })]);
    const [held] = store.listQuarantined();
    expect(held?.row).toHaveLength(64 * 1024);
    expect(held?.truncated).toBe(true);
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
    expect(result).toEqual({ applied: 1, skipped: 1, quarantined: 0 });
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
