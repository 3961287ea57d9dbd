import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import { CaptureLog } from './capture-log.js';
import { LocalStore } from './local-store.js';
import { openTestStore } from './test-store.fixture.js';

const plugin = definePlugin({
  name: 'tasks',
  version: '1.0.0',
  tables: [{ name: 'tasks', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

/** A queued entry as the rules of capture-triggers.ts describe it, write by write. */
interface ModelEntry {
  op: 'insert' | 'update' | 'delete';
  held: 0 | 1;
  place: number;
}

/**
 * The queue the capture rules give when applied one write at a time (what the triggers
 * did before the log): the reference the fold must match, whenever it runs.
 */
class QueueModel {
  readonly entries = new Map<string, ModelEntry>();
  private places = 0;

  insert(id: string): void {
    this.put(id, 'insert', 0);
  }

  update(id: string, oldDeleted: 0 | 1, newDeleted: 0 | 1): void {
    const queued = this.entries.get(id);
    const op = newDeleted === 1 ? 'delete' : queued?.op === 'insert' ? 'insert' : 'update';
    const held = newDeleted === 0 ? 0 : oldDeleted === 0 ? 1 : (queued?.held ?? 1);
    this.put(id, op, held);
  }

  uploaded(ids: readonly string[]): void {
    for (const id of ids) this.entries.delete(id);
  }

  confirmAll(): void {
    for (const entry of this.entries.values()) entry.held = 0;
  }

  /** `[id, op, held]` in queue order. */
  queue(): [string, string, number][] {
    return [...this.entries].sort(([, a], [, b]) => a.place - b.place).map(([id, entry]) => [id, entry.op, entry.held]);
  }

  private put(id: string, op: ModelEntry['op'], held: 0 | 1): void {
    const place = this.entries.get(id)?.place ?? (this.places += 1);
    this.entries.set(id, { op, held, place });
  }
}

/** A small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The queue as stored, read in a snapshot (which folds first), in queue order. */
function storedQueue(store: LocalStore): [string, string, number][] {
  return store.snapshot(() =>
    store.database
      .prepare(`SELECT row_id, op, awaiting_confirmation FROM _eq_outbox ORDER BY coalesce(first_seq, seq), seq`)
      .raw()
      .all() as [string, string, number][],
  );
}

/**
 * Plays `steps` random plain-SQL writes (inserts, edits, deletes, restores, edits of
 * tombstones) of a few rows, with reads of the queue (each folds what was captured
 * since the one before), uploads and confirmations in between at random, on a real
 * store and on the model, and compares the queues at every read and at the end.
 */
function play(seed: number, steps: number): void {
  const next = random(seed);
  const { store } = openTestStore([plugin]);
  const db = store.database;
  const model = new QueueModel();
  const deleted = new Map<string, 0 | 1>();
  const ids = ['r1', 'r2', 'r3', 'r4'];
  const history: string[] = [];
  for (let step = 0; step < steps; step += 1) {
    const id = ids[Math.floor(next() * ids.length)]!;
    const was = deleted.get(id);
    const roll = next();
    let did: string;
    if (was === undefined) {
      db.prepare(`INSERT INTO tasks (id, title) VALUES (?, ?)`).run(id, `t${step}`);
      deleted.set(id, 0);
      model.insert(id);
      did = `insert ${id}`;
    } else if (roll < 0.3) {
      db.prepare(`UPDATE tasks SET title = ? WHERE id = ?`).run(`t${step}`, id);
      model.update(id, was, was);
      did = `edit ${id}`;
    } else if (roll < 0.45) {
      db.prepare(`DELETE FROM tasks WHERE id = ?`).run(id);
      // A tombstone's delete changes nothing: the trigger skips a row already deleted.
      if (was === 0) model.update(id, 0, 1);
      deleted.set(id, 1);
      did = `delete ${id}`;
    } else if (roll < 0.55) {
      db.prepare(`UPDATE tasks SET deleted = 0, title = ? WHERE id = ?`).run(`t${step}`, id);
      model.update(id, was, 0);
      deleted.set(id, 0);
      did = `restore ${id}`;
    } else if (roll < 0.7) {
      // Reading the queue folds what was captured since the last read: compare there.
      expect(storedQueue(store), `seed ${seed}, step ${step}`).toEqual(model.queue());
      did = 'fold';
    } else if (roll < 0.85) {
      const batch = store.readOutboxBatch({ limit: 1 + Math.floor(next() * 3) });
      store.ackOutbox(batch.map((entry) => entry.seq));
      model.uploaded(batch.map((entry) => entry.id));
      did = `upload ${batch.map((entry) => entry.id).join(',')}`;
    } else {
      store.confirmDeletes('all');
      model.confirmAll();
      did = 'confirm';
    }
    history.push(did);
  }
  expect(storedQueue(store), `seed ${seed}: ${history.join('; ')}`).toEqual(model.queue());
  store.close();
}

describe('folding captured writes into the queue', () => {
  it('leaves the queue the capture rules give write by write, wherever the folds fall (300 random histories)', () => {
    for (let seed = 1; seed <= 300; seed += 1) play(seed, 40);
  });

  it('folds many writes of a row between two reads into one entry of its final op', () => {
    const { store } = openTestStore([plugin]);
    const db = store.database;
    db.prepare(`INSERT INTO tasks (id, title) VALUES ('a', 'x')`).run();
    db.prepare(`INSERT INTO tasks (id, title) VALUES ('b', 'x')`).run();
    store.ackOutbox(store.readOutboxBatch().map((entry) => entry.seq));
    for (let i = 0; i < 50; i += 1) db.prepare(`UPDATE tasks SET title = ? WHERE id = 'b'`).run(`v${i}`);
    db.prepare(`DELETE FROM tasks WHERE id = 'a'`).run();
    expect(storedQueue(store)).toEqual([
      ['b', 'update', 0],
      ['a', 'delete', 1],
    ]);
    expect(store.rowState('tasks', 'b')).toBe('PendingUpload');
    // Only the fold's mark is left: the newest step, kept so that seqs keep growing.
    expect(store.database.prepare(`SELECT kind FROM _eq_capture`).pluck().all()).toEqual(['folded']);
    store.close();
  });

  it('keeps the log’s high-water mark growing across folds, so a change after a fold is always a new mark', () => {
    const { store } = openTestStore([plugin]);
    const capture = new CaptureLog(store.database);
    const db = store.database;
    expect(capture.highWater()).toBe(0);
    db.prepare(`INSERT INTO tasks (id, title) VALUES ('a', 'x')`).run();
    db.prepare(`UPDATE tasks SET title = 'y' WHERE id = 'a'`).run();
    const written = capture.highWater();
    expect(written).toBeGreaterThan(0);
    expect(capture.fold()).toBe(1);
    expect(capture.fold()).toBe(0); // nothing new: one lookup
    expect(capture.highWater()).toBe(written);
    db.prepare(`UPDATE tasks SET title = 'z' WHERE id = 'a'`).run();
    expect(capture.highWater()).toBeGreaterThan(written);
    expect(capture.fold()).toBe(1);
    expect(store.readOutboxBatch().map((entry) => [entry.id, entry.op, entry.row.title])).toEqual([['a', 'insert', 'z']]);
    store.close();
  });

  it('does not fold inside a read snapshot, where a write could not commit, and folds at the next read', () => {
    const { store, path } = openTestStore([plugin]);
    store.database.prepare(`INSERT INTO tasks (id, title) VALUES ('a', 'x')`).run();
    const host = new Database(path);
    onTestFinished(() => {
      host.close();
    });
    const counts = store.snapshot(() => {
      // Another program commits after the snapshot folded but before it first reads ...
      host.prepare(`INSERT INTO tasks (id, title) VALUES ('b', 'x')`).run();
      const first = store.pendingUploads();
      // ... and again once it has read: a fold now would have to write over an old snapshot.
      host.prepare(`INSERT INTO tasks (id, title) VALUES ('c', 'x')`).run();
      return [first, store.pendingUploads(), store.rowState('tasks', 'b')];
    });
    expect(counts).toEqual([1, 1, undefined]);
    expect(store.pendingUploads()).toBe(3);
    expect(store.rowState('tasks', 'c')).toBe('PendingUpload');
  });

  it('answers reads with the queue as last folded while another connection holds the write lock, and folds once it is free', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eq-fold-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'device.db');
    const store = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a', deviceId: 'device-a', busyTimeoutMs: 50 });
    onTestFinished(() => store.close());
    store.database.prepare(`INSERT INTO tasks (id, title) VALUES ('a', 'x')`).run();
    const host = new Database(path);
    onTestFinished(() => {
      host.close();
    });
    // A long import on another connection: its write transaction is open.
    host.exec('BEGIN IMMEDIATE');
    host.prepare(`INSERT INTO tasks (id, title) VALUES ('b', 'x')`).run();
    expect(store.snapshot(() => store.database.prepare('SELECT count(*) FROM _eq_outbox').pluck().get())).toBe(0);
    // Every read outside a transaction answers alike (a status lists held deletes and counts outside its snapshot).
    expect(store.pendingUploads()).toBe(0);
    expect(store.listPendingDeletes()).toEqual([]);
    host.exec('COMMIT');
    expect(store.snapshot(() => store.database.prepare('SELECT count(*) FROM _eq_outbox').pluck().get())).toBe(2);
  });
});
