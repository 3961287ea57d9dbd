import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin, type Row } from '../declarations/index.js';
import { eventually, sleep } from '../testing/polling.js';
import { openStore, tempDbPath } from '../testing/test-store.js';
import { CaptureLog } from './capture-log.js';
import { ChangeSignal } from './change-signal.js';
import type { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'board',
  version: '1.0.0',
  tables: [{ name: 'cards', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
  localTables: [{ name: 'drafts', columns: { key: { type: 'text', nullable: false }, text: { type: 'text' } }, primaryKey: ['key'] }],
});

const remoteRow = (id: string, title: string): Row => ({
  id,
  tenant_id: 'tenant-a',
  updated_at: '000001700000000:00000:device-b',
  deleted: false,
  server_version: 7,
  txid: '900',
  title,
});

/** Counts what a store's signal emits. */
function listen(store: LocalStore): { readonly count: () => number } {
  let count = 0;
  const subscription = store.localChanges$.subscribe(() => (count += 1));
  onTestFinished(() => subscription.unsubscribe());
  return { count: () => count };
}

/** Lets queued microtasks (the store's checks) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Another connection to the same file, as a host app or another process has it. */
function secondConnection(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  onTestFinished(() => {
    db.close();
  });
  return db;
}

describe("the store's change signal", () => {
  it("signals the store's own writes once per tick, after they committed", async () => {
    const store = openStore({ path: tempDbPath('signal'), plugins: [plugin] });
    const signal = listen(store);
    const cards = store.forPlugin('board');
    const first = cards.insert('cards', { title: 'a' });
    cards.insert('cards', { title: 'b' });
    cards.update('cards', String(first.id), { title: 'a2' });
    // Not inside the write: a listener never runs while the writer's call is on the stack.
    expect(signal.count()).toBe(0);
    await settle();
    expect(signal.count()).toBe(1);

    cards.transaction(() => {
      cards.insert('cards', { title: 'c' });
      cards.delete('cards', String(first.id));
    });
    store.transaction(() => store.database.prepare(`UPDATE cards SET title = 'plain SQL in the store transaction' WHERE title = 'b'`).run());
    await settle();
    expect(signal.count()).toBe(2);
  });

  it('stays quiet for writes that queue nothing: refused or empty ones, local tables, rolled-back transactions', async () => {
    const store = openStore({ path: tempDbPath('signal-quiet'), plugins: [plugin] });
    const signal = listen(store);
    const cards = store.forPlugin('board');
    expect(() => cards.update('cards', 'missing', { title: 'x' })).toThrow('no row "missing" to update');
    expect(cards.delete('cards', 'missing')).toBe(false);
    cards.local.upsert('drafts', { key: 'k', text: 'on this device only' });
    expect(() =>
      cards.transaction(() => {
        cards.insert('cards', { title: 'rolled back' });
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    await settle();
    expect(signal.count()).toBe(0);
    expect(store.pendingUploads()).toBe(0);
  });

  it("stays quiet for the engine's bookkeeping: pulls applied, uploads acknowledged, cursors and marks", async () => {
    const store = openStore({ path: tempDbPath('signal-bookkeeping'), plugins: [plugin] });
    store.forPlugin('board').insert('cards', { title: 'queued' });
    await settle();
    const signal = listen(store);
    // The ack empties the queue: its newest seq falls to 0, which a max(seq) poll took for a change.
    expect(store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq))).toBe(1);
    store.transaction(() => store.applyRemote('cards', [remoteRow('r1', 'from the cloud')], { txid: '900', v: 7 }));
    store.recordLastSync(Date.now());
    store.runMuted(() => store.database.prepare(`UPDATE cards SET title = 'muted' WHERE id = 'r1'`).run());
    await settle();
    expect(signal.count()).toBe(0);
  });

  it('notices a plain-SQL write of another connection by its poll, and not that connection\'s pulls or acks', async () => {
    const path = tempDbPath('signal-other');
    const store = openStore({ path, plugins: [plugin] });
    const signal = new ChangeSignal(store.database, new CaptureLog(store.database), 10);
    let count = 0;
    const subscription = signal.changes$.subscribe(() => (count += 1));
    onTestFinished(() => subscription.unsubscribe());

    // The same device's engine in another process: its pull and its upload's ack move data_version, not the mark.
    const other = openStore({ path, plugins: [plugin] });
    other.forPlugin('board').insert('cards', { title: 'queued there' });
    expect(await eventually(() => count === 1, 5_000, 5)).toBe(true);
    other.applyRemote('cards', [remoteRow('r2', 'pulled there')], { txid: '901', v: 8 });
    other.ackOutbox(other.readOutboxBatch().map((entry) => entry.seq));
    expect(store.database.prepare('SELECT count(*) FROM cards').pluck().get()).toBe(2);
    await sleep(100); // ten polls
    expect(count).toBe(1);

    // A host app's plain SQL: the capture triggers queue it, the poll sees data_version move.
    secondConnection(path).prepare(`INSERT INTO cards (id, title) VALUES ('plain', 'from a host app')`).run();
    expect(await eventually(() => count === 2, 5_000, 5)).toBe(true);
    expect(store.rowState('cards', 'plain')).toBe('PendingUpload');
  });

  it('checks on demand: a moved mark is reported once', () => {
    const path = tempDbPath('signal-check');
    const store = openStore({ path, plugins: [plugin] });
    const signal = new ChangeSignal(store.database, new CaptureLog(store.database));
    expect(signal.check()).toBe(false);
    secondConnection(path).prepare(`INSERT INTO cards (id, title) VALUES ('x', 'y')`).run();
    expect(signal.check()).toBe(true);
    expect(signal.check()).toBe(false);
  });
});
