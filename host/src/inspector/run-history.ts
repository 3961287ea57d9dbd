import type { LocalStore, SyncRunResult, SyncTrigger } from '@equinox-sync/core';
import type { RecordedRun } from './inspector-state.js';

/** How many runs a device keeps: about a day of `watch` at one run a few minutes. */
export const RUN_HISTORY_LIMIT = 500;

// The host's own table in the device's database, beside the engine's `_eq_*` tables (the
// prefix plugins may not use): the runs outlive the process, so `equinox inspect` charts
// the runs of an earlier `sync` or of a `watch` in another process.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS _eq_run_history (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    trigger     TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    uploaded    INTEGER NOT NULL,
    downloaded  INTEGER NOT NULL,
    conflicts   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    offline     INTEGER NOT NULL,
    error       TEXT
  )`;

type Database = LocalStore['database'];

interface RunRow {
  at: number;
  trigger: SyncTrigger;
  duration_ms: number;
  uploaded: number;
  downloaded: number;
  conflicts: number;
  rejected: number;
  offline: number;
  error: string | null;
}

/**
 * The device's recent sync runs, kept in its database (the last {@link RUN_HISTORY_LIMIT}),
 * whichever process ran them.
 *
 * @example
 * const history = new RunHistory(store.database);
 * engine.onDidRun.subscribe(({ trigger, result }) => history.record(trigger, result));
 * history.recent(100); // oldest first
 */
export class RunHistory {
  private readonly statements: ReturnType<typeof prepare>;

  constructor(private readonly db: Database) {
    db.exec(SCHEMA);
    this.statements = prepare(db);
  }

  /** Keeps one finished run, and forgets the oldest beyond the limit. */
  record(trigger: SyncTrigger, result: SyncRunResult, at: number = Date.now()): void {
    if (!this.db.open) return;
    this.db.transaction(() => {
      const { durationMs, uploaded, downloaded, conflicts, rejected, error } = result;
      this.statements.insert.run({ at, trigger, durationMs, uploaded, downloaded, conflicts, rejected, offline: result.offline ? 1 : 0, error });
      this.statements.trim.run();
    }).immediate();
  }

  /** The last `limit` runs, oldest first. */
  recent(limit: number): RecordedRun[] {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    return this.statements.select.all(limit).map((row) => ({
      at: row.at,
      trigger: row.trigger,
      durationMs: row.duration_ms,
      uploaded: row.uploaded,
      downloaded: row.downloaded,
      conflicts: row.conflicts,
      rejected: row.rejected,
      offline: row.offline === 1,
      error: row.error,
    }));
  }
}

function prepare(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO _eq_run_history (at, trigger, duration_ms, uploaded, downloaded, conflicts, rejected, offline, error)
       VALUES (@at, @trigger, @durationMs, @uploaded, @downloaded, @conflicts, @rejected, @offline, @error)`,
    ),
    trim: db.prepare<[]>(`DELETE FROM _eq_run_history WHERE seq <= (SELECT max(seq) FROM _eq_run_history) - ${RUN_HISTORY_LIMIT}`),
    select: db.prepare<[number], RunRow>(`SELECT * FROM (SELECT * FROM _eq_run_history ORDER BY seq DESC LIMIT ?) ORDER BY seq`),
  };
}
