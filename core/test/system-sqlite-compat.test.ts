import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin, formatHlc, LocalStore } from '../src/index.js';
import { sqlite3, sqlite3Rows, systemSqliteVersion } from '../src/testing/index.js';

// Host apps write device databases with their own SQLite, often the distribution's: the
// schema (tables, indexes, triggers) must parse and behave there, not only in the newer
// SQLite better-sqlite3 bundles. core/README.md promises 3.37 (Ubuntu 22.04, Debian 12).
const version = systemSqliteVersion();
console.log(`sqlite-compat: system sqlite3 ${version}`);

/** Every trigger kind core generates: sync capture and tombstones, append-only, download-only, upload-only, the id guard. */
const plugin = definePlugin({
  name: 'compat',
  version: '1.0.0',
  tables: [
    {
      name: 'notes',
      columns: {
        title: { type: 'text', nullable: false },
        body: { type: 'text' },
        meta: { type: 'json' },
        pinned: { type: 'boolean', nullable: false, default: false },
        due_at: { type: 'timestamp' },
      },
      indexes: [{ columns: ['title'], unique: true }, { columns: ['due_at'] }],
      strategy: 'LastWriteWins',
      orderingKey: ['title'],
    },
    { name: 'entries', columns: { line: { type: 'text' }, position: { type: 'integer' } }, strategy: 'LocalWins', appendOnly: true, orderingKey: ['position'] },
    { name: 'presets', columns: { label: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
    { name: 'reports', columns: { total: { type: 'real' } }, strategy: 'LocalWins', direction: 'upload-only' },
  ],
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HLC = /^\d{13}-\d{6}-/;

function open(path: string): LocalStore {
  return LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a', deviceId: 'device-a' });
}

/** A device database with rows of every kind, closed, as a host app finds it. */
function device(): { path: string; entryId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eq-sqlite-compat-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'device.db');
  const store = open(path);
  try {
    const scoped = store.forPlugin('compat');
    scoped.insert('notes', { title: 'first', meta: { tags: ['a'] } });
    scoped.insert('notes', { title: 'gone' });
    const entry = scoped.insert('entries', { line: 'issued', position: 1 });
    store.applyRemote('presets', [{ id: 'p1', updated_at: formatHlc({ wallMs: 1, counter: 0, deviceId: 'device-b' }), label: 'pulled' }]);
    store.ackOutbox(store.readOutboxBatch().map((queued) => queued.seq));
    return { path, entryId: String(entry.id) };
  } finally {
    store.close();
  }
}

function olderThan(major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(/[.\s]/).map(Number);
  return a < major || (a === major && b < minor);
}

describe(`a device database in the system sqlite3 (${version})`, () => {
  it('passes the integrity check and reads every table and view', () => {
    const { path } = device();
    expect(sqlite3(path, 'PRAGMA integrity_check')).toEqual({ ok: true, stdout: 'ok', stderr: '' });
    const names = sqlite3Rows(path, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name`).map((row) => String(row.name));
    expect(names).toEqual(expect.arrayContaining(['notes', 'entries', 'presets', 'reports', '_eq_outbox', '_eq_row_state', '_eq_meta']));
    for (const name of names) {
      expect(sqlite3Rows(path, `SELECT count(*) AS n FROM "${name}"`), name).toEqual([{ n: expect.any(Number) }]);
    }
    expect(sqlite3Rows(path, `SELECT title, meta, pinned FROM notes WHERE title = 'first'`)).toEqual([{ title: 'first', meta: '{"tags":["a"]}', pinned: 0 }]);
  });

  it('takes plain-SQL INSERT, UPDATE and DELETE, captured by the triggers for upload', () => {
    const { path } = device();
    const run = sqlite3(
      path,
      `INSERT INTO notes (title, meta) VALUES ('from sqlite3', '{"n":[1,2]}');
       UPDATE notes SET body = 'edited' WHERE title = 'first';
       DELETE FROM notes WHERE title = 'gone';
       INSERT INTO entries (line, position) VALUES ('appended', 2);
       INSERT INTO reports (total) VALUES (12.5);`,
    );
    expect(run).toMatchObject({ ok: true, stderr: '' });

    // Captured in the writer's own transaction: each write logged a step of its row, folded into the queue when the engine reads it.
    const captured = sqlite3Rows(
      path,
      `SELECT t.name AS tbl, count(DISTINCT c.row_id) AS rows FROM _eq_capture c JOIN _eq_tables t USING (table_id) GROUP BY t.name ORDER BY t.name`,
    );
    expect(captured).toEqual([
      { tbl: 'entries', rows: 1 },
      { tbl: 'notes', rows: 3 },
      { tbl: 'reports', rows: 1 },
    ]);
    const [inserted] = sqlite3Rows(path, `SELECT id, tenant_id, updated_at FROM notes WHERE title = 'from sqlite3'`);
    expect(inserted).toMatchObject({ id: expect.stringMatching(UUID), tenant_id: 'tenant-a', updated_at: expect.stringMatching(HLC) });
    expect(sqlite3Rows(path, `SELECT deleted FROM notes WHERE title = 'gone'`)).toEqual([{ deleted: 1 }]);

    // The engine reads what the other SQLite wrote as its own changes.
    const store = open(path);
    onTestFinished(() => store.close());
    const queued = store.snapshot(() =>
      store.database
        .prepare(
          `SELECT t.name AS tbl, o.op, o.awaiting_confirmation AS held, s.state
             FROM _eq_outbox o JOIN _eq_tables t USING (table_id)
             JOIN _eq_row_state s ON s.table_id = o.table_id AND s.row_id = o.row_id AND s.pending_seq = o.seq
            ORDER BY o.seq`,
        )
        .all(),
    );
    expect(queued).toEqual([
      { tbl: 'notes', op: 'insert', held: 0, state: 'PendingUpload' },
      { tbl: 'notes', op: 'update', held: 0, state: 'PendingUpload' },
      { tbl: 'notes', op: 'delete', held: 1, state: 'PendingUpload' },
      { tbl: 'entries', op: 'insert', held: 0, state: 'PendingUpload' },
      { tbl: 'reports', op: 'insert', held: 0, state: 'PendingUpload' },
    ]);
    const batch = store.readOutboxBatch();
    expect(batch.map((entry) => [entry.table, entry.op])).toEqual([
      ['notes', 'insert'],
      ['notes', 'update'],
      ['entries', 'insert'],
      ['reports', 'insert'],
    ]);
    expect(batch[0]?.row).toMatchObject({ title: 'from sqlite3', meta: { n: [1, 2] }, pinned: false, deleted: false });
    expect(store.rowState('notes', String(inserted?.id))).toBe('PendingUpload');
    expect(store.listPendingDeletes()).toEqual([expect.objectContaining({ table: 'notes' })]);
  });

  it('refuses what the declarations forbid, with the triggers’ messages, and changes nothing', () => {
    const { path, entryId } = device();
    const refusals: [string, string][] = [
      [`UPDATE entries SET line = 'rewritten' WHERE id = '${entryId}'`, 'append-only table "entries": a row cannot be updated'],
      [`DELETE FROM entries WHERE id = '${entryId}'`, 'append-only table "entries": a row cannot be deleted'],
      [`INSERT OR REPLACE INTO entries (id, line) VALUES ('${entryId}', 'x')`, 'append-only table "entries": a row with this id already exists and cannot be replaced'],
      [`INSERT INTO presets (label) VALUES ('mine')`, 'download-only table "presets": local INSERT is refused; its rows come from the cloud'],
      [`UPDATE presets SET label = 'mine'`, 'download-only table "presets": local UPDATE is refused; its rows come from the cloud'],
      [`UPDATE notes SET id = 'other' WHERE title = 'first'`, 'table "notes": the id of a row cannot change'],
    ];
    for (const [sql, message] of refusals) {
      const run = sqlite3(path, sql);
      expect(run.ok, sql).toBe(false);
      expect(run.stderr, sql).toContain(message);
    }
    expect(sqlite3Rows(path, "SELECT (SELECT count(*) FROM _eq_capture WHERE kind <> 'folded') + (SELECT count(*) FROM _eq_outbox) AS n")).toEqual([{ n: 0 }]);
    expect(sqlite3Rows(path, `SELECT line FROM entries`)).toEqual([{ line: 'issued' }]);
  });

  it('opens a device made with the older triggers once the engine has opened it again', () => {
    const { path } = device();
    // What versions before this fix stored: a RAISE message built with ||, which SQLite
    // before 3.48 cannot parse, so the whole file failed to open there.
    const db = new Database(path);
    db.exec(`DROP TRIGGER "_eq_notes_bu_id";
      CREATE TRIGGER "_eq_notes_bu_id" BEFORE UPDATE OF id ON "notes" WHEN NEW.id IS NOT OLD.id BEGIN
        SELECT RAISE(ABORT, 'table "notes": the id of row ' || OLD.id || ' cannot change');
      END`);
    db.close();
    if (olderThan(3, 48)) expect(sqlite3(path, 'PRAGMA integrity_check').stderr).toMatch(/malformed database schema \(_eq_notes_bu_id\)/);

    open(path).close();
    expect(sqlite3(path, 'PRAGMA integrity_check')).toEqual({ ok: true, stdout: 'ok', stderr: '' });
    expect(sqlite3(path, `UPDATE notes SET id = 'other' WHERE title = 'first'`).stderr).toContain('table "notes": the id of a row cannot change');
  });

  it('stores a schema with nothing newer than SQLite 3.37', () => {
    const { path } = device();
    const schema = sqlite3Rows(path, 'SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL');
    expect(schema.length).toBeGreaterThan(0);
    for (const { name, sql } of schema as { name: string; sql: string }[]) {
      for (const raise of sql.match(/RAISE\s*\((?:[^()']|'(?:[^']|'')*')*\)/gi) ?? []) {
        expect(raise, `${name}: a RAISE message must be a string literal before SQLite 3.48`).toMatch(/^RAISE\s*\(\s*(IGNORE|(ABORT|FAIL|ROLLBACK)\s*,\s*'(?:[^']|'')*')\s*\)$/i);
      }
      const code = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*/g, '');
      const newer: [RegExp, string][] = [
        [/->/, '-> and ->> (3.38)'],
        [/\b(unixepoch|format)\s*\(/i, 'unixepoch() and format() (3.38)'],
        [/\bjson\w*\s*\(/i, 'json functions (optional before 3.38)'],
        [/\b(right|full)\s+(outer\s+)?join\b/i, 'RIGHT and FULL JOIN (3.39)'],
        [/\bis\s+(not\s+)?distinct\s+from\b/i, 'IS [NOT] DISTINCT FROM (3.39)'],
        [/\b(unhex|octet_length|timediff|concat|concat_ws|string_agg)\s*\(/i, 'functions of 3.41 and later'],
      ];
      for (const [pattern, what] of newer) expect(code, `${name} uses ${what}`).not.toMatch(pattern);
    }
  });
});
