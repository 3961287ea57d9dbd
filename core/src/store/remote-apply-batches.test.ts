import { openTestStore } from './test-store.fixture.js';
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../clock/index.js';
import { definePlugin, type Row } from '../declarations/index.js';
import type { LocalStore } from './local-store.js';

// Pages are written several rows a statement; these pages are longer than one statement, so
// a row at fault, a repeated id or a change of columns falls inside a batch, not at its edge.
const plugin = definePlugin({
  name: 'shelf',
  version: '1.0.0',
  tables: [
    { name: 'items', columns: { label: { type: 'text', nullable: false }, note: { type: 'text' }, done: { type: 'boolean' } }, strategy: 'Manual' },
    { name: 'logs', columns: { line: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
  ],
});

const remoteRow = (id: string, fields: Row, version = 7, wallMs = 1_000): Row => ({
  id,
  tenant_id: 'tenant-a',
  updated_at: formatHlc({ wallMs, counter: version, deviceId: 'device-b' }),
  deleted: false,
  server_version: version,
  ...fields,
});

const id = (n: number): string => `r${String(n).padStart(4, '0')}`;

function openStore(): LocalStore {
  return openTestStore([plugin]).store;
}

function contents(store: LocalStore, table: string): unknown[] {
  return store.database.prepare(`SELECT id, label, note, done, deleted, updated_at FROM "${table}" ORDER BY id`).all();
}

function states(store: LocalStore): unknown[] {
  return store.database.prepare(`SELECT row_id, state, server_version, pending_seq FROM _eq_row_state ORDER BY row_id`).all();
}

describe('applyRemote writes a page several rows a statement', () => {
  it('applies a long page that mixes new rows, rows with queued local changes and rows that cannot be taken', () => {
    const store = openStore();
    const shelf = store.forPlugin('shelf');
    // Rows 10 and 200 have local changes queued; the caller (the pull stage) let the cloud win.
    store.applyRemote('items', [remoteRow(id(10), { label: 'old' }, 3), remoteRow(id(200), { label: 'old' }, 3)]);
    shelf.update('items', id(10), { label: 'local edit' });
    shelf.update('items', id(200), { label: 'local edit' });
    // Row 250's conflict is filed in the inbox; the pulled version supersedes it.
    store.records.recordConflict('items', id(250), { id: id(250), label: 'mine' }, remoteRow(id(250), { label: 'theirs' }, 4), 1);
    expect(store.pendingUploads()).toBe(2);

    const page: Row[] = [];
    for (let n = 0; n < 300; n += 1) page.push(remoteRow(id(n), { label: `cloud ${n}`, note: n % 3 === 0 ? null : 'note', done: n % 2 === 0 }, 10 + n));
    page[150] = remoteRow(id(150), { note: 'no label' }, 160); // breaks NOT NULL: SQLite refuses it
    page[151] = { ...remoteRow(id(151), { label: 'x' }, 161), done: 'maybe' }; // cannot be decoded

    const result = store.applyRemote('items', page, { page: 9 }, 5_000);

    expect(result).toEqual({ applied: 298, skipped: 0, quarantined: 2 });
    expect(store.listQuarantined().map(({ id: row, reason }) => ({ row, reason }))).toEqual([
      { row: id(151), reason: 'column "done": expects a boolean, got string' },
      { row: id(150), reason: expect.stringMatching(/^cannot be stored: NOT NULL constraint failed/) as unknown },
    ]);
    expect(store.pendingUploads()).toBe(0);
    expect(store.records.listConflicts()).toEqual([]);
    expect(store.database.prepare('SELECT count(*) FROM items').pluck().get()).toBe(298);
    expect(shelf.get('items', id(10))).toMatchObject({ label: 'cloud 10', done: true });
    expect(shelf.get('items', id(200))).toMatchObject({ label: 'cloud 200', done: true });
    expect(shelf.get('items', id(299))).toMatchObject({ label: 'cloud 299', note: 'note', done: false });
    const synced = states(store) as { row_id: string; state: string; server_version: number; pending_seq: number | null }[];
    expect(synced).toHaveLength(298);
    expect(synced.every((s) => s.state === 'Synced' && s.pending_seq === null && s.server_version === 10 + Number(s.row_id.slice(1)))).toBe(true);
    expect(store.readCursor('items')).toEqual({ page: 9 });
    expect(store.database.prepare('SELECT count(*) FROM _eq_mute').pluck().get()).toBe(0);
  });

  it('ends as one row at a time would: repeated ids and rows that bring fewer columns', () => {
    const page: Row[] = [];
    for (let n = 0; n < 260; n += 1) {
      // Every fifth row leaves `note` out (an older cloud), so it must keep the note it has.
      const fields: Row = n % 5 === 0 ? { label: `v1 ${n}` } : { label: `v1 ${n}`, note: `n${n}` };
      page.push(remoteRow(id(n % 180), fields, n + 1));
    }
    page.push(remoteRow(id(5), { deleted: true, label: 'gone' }, 999));
    const batched = openStore();
    const oneByOne = openStore();
    for (const store of [batched, oneByOne]) store.applyRemote('items', [remoteRow(id(0), { label: 'seed', note: 'kept' }, 1)]);

    const result = batched.applyRemote('items', page, { page: 1 });
    for (const row of page) oneByOne.applyRemote('items', [row]);

    expect(result).toEqual({ applied: 261, skipped: 0, quarantined: 0 });
    expect(contents(batched, 'items')).toEqual(contents(oneByOne, 'items'));
    expect(states(batched)).toEqual(states(oneByOne));
    expect(batched.forPlugin('shelf').get('items', id(0))).toMatchObject({ label: 'v1 180', note: 'kept' });
    expect(batched.forPlugin('shelf').get('items', id(5))).toBeUndefined();
  });

  it('keeps a row held when a bad version of it follows a good one, and releases it when a good one follows', () => {
    const store = openStore();
    const bad = (n: number): Row => ({ ...remoteRow(id(n), { label: 'x' }), done: 'maybe' });
    const result = store.applyRemote('items', [remoteRow(id(1), { label: 'good' }), bad(1), bad(2), remoteRow(id(2), { label: 'good' })]);

    expect(result).toEqual({ applied: 2, skipped: 0, quarantined: 2 });
    expect(store.listQuarantined().map((row) => row.id)).toEqual([id(1)]);
    expect(store.forPlugin('shelf').get('items', id(2))).toMatchObject({ label: 'good' });
  });

  it('counts the rows an append-only table already has as skipped, and leaves them as they were', () => {
    const store = openStore();
    store.applyRemote('logs', Array.from({ length: 150 }, (_, n) => remoteRow(id(n * 2), { line: 'first' })));
    const page = Array.from({ length: 300 }, (_, n) => remoteRow(id(n), { line: 'second' }, 8));

    expect(store.applyRemote('logs', page)).toEqual({ applied: 150, skipped: 150, quarantined: 0 });
    const lines = store.database.prepare(`SELECT line FROM logs ORDER BY id`).pluck().all() as string[];
    expect(lines.filter((line) => line === 'first')).toHaveLength(150);
    expect(lines[0]).toBe('first');
    expect(lines[1]).toBe('second');
  });

  it('quarantines a row a trigger fails (RAISE FAIL) without counting the rows before it in its batch twice', () => {
    const store = openStore();
    store.applyRemote('logs', [remoteRow(id(3), { line: 'here' })]);
    // FAIL keeps what the statement wrote before the row: the batch's own savepoint undoes it.
    store.database.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON logs WHEN NEW.id = '${id(170)}' BEGIN SELECT RAISE(FAIL, 'not this one'); END`);
    const page = Array.from({ length: 200 }, (_, n) => remoteRow(id(n), { line: 'pulled' }));

    expect(store.applyRemote('logs', page, { page: 1 })).toEqual({ applied: 198, skipped: 1, quarantined: 1 });
    expect(store.listQuarantined()).toMatchObject([{ id: id(170), reason: 'cannot be stored: not this one' }]);
    expect(store.database.prepare('SELECT count(*) FROM logs').pluck().get()).toBe(199);
  });

  it('throws a failure of the database itself, and nothing of the page stays', () => {
    const store = openStore();
    const page = Array.from({ length: 200 }, (_, n) => remoteRow(id(n), { label: `l${n}` }));
    // An error that is not the row's (here malformed JSON in a trigger, SQLITE_ERROR) midway through the page.
    store.database.exec(`CREATE TRIGGER break_page AFTER INSERT ON items WHEN NEW.id = '${id(170)}' BEGIN SELECT json('{not json'); END`);

    expect(() => store.applyRemote('items', page, { page: 1 })).toThrow(/malformed JSON/);
    expect(store.database.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
    expect(store.database.prepare('SELECT count(*) FROM _eq_row_state').pluck().get()).toBe(0);
    expect(store.listQuarantined()).toEqual([]);
    expect(store.readCursor('items')).toBeUndefined();
  });
});
