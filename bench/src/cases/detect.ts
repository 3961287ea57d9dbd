import { HybridLogicalClock, LocalStore, newRecordId } from '@equinox-sync/core';
import type { Statement } from 'better-sqlite3';
import { DATA_COLUMNS, dataRow, TABLES, tableOf } from '../bench-tables.js';
import { compare, type Variant } from '../measure.js';
import { row, speedRatio, type CaseReport } from '../report.js';
import { removeDb, scratchDb } from '../scratch-files.js';

const plugin = TABLES.detect;
const table = tableOf(plugin);
const tenant = 'bench-detect';

interface Prepared {
  readonly path: string;
  readonly store: LocalStore;
  readonly ids: string[];
}

/** A store as the engine opens it; `raw` drops the table's `_eq_` triggers, leaving the very same table and pragmas. */
function openStore(dir: string, raw: boolean): Prepared {
  const path = scratchDb(dir, raw ? 'detect-raw' : 'detect');
  const store = LocalStore.open({ path, plugins: [plugin], tenantId: tenant, deviceId: 'bench-device' });
  if (raw) {
    const triggers = store.database
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?`)
      .pluck()
      .all(table) as string[];
    for (const name of triggers) store.database.exec(`DROP TRIGGER "${name}"`);
  }
  return { path, store, ids: [] };
}

function close(prepared: Prepared): void {
  prepared.store.close();
  removeDb(prepared.path);
}

/** The raw loop's row: the same values the scoped store would bind (booleans as 0/1). */
function rawValues(i: number): (string | number | null)[] {
  const data = dataRow(i);
  return DATA_COLUMNS.map((column) => {
    const value = data[column];
    return typeof value === 'boolean' ? (value ? 1 : 0) : (value as string | number);
  });
}

function rawInsert(store: LocalStore): Statement<unknown[]> {
  const columns = ['id', 'tenant_id', 'updated_at', ...DATA_COLUMNS];
  return store.database.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
}

/**
 * detect: the engine's change capture against raw better-sqlite3 writes of the same
 * table with no triggers. Both loops make a UUIDv7 per row (`newRecordId`, npm uuid)
 * and an HLC per row (the store's persisted clock vs an in-memory one), and build the
 * same row object; each repetition writes a fresh database file.
 */
export async function detectCase(options: { n: number; reps: number; scratch: string }): Promise<CaseReport> {
  const { n, reps, scratch } = options;
  // The same loop runs on a table with the capture triggers and on one without: only the triggers differ.
  const plainInserts = ({ store }: { store: LocalStore }): void => {
    const insert = rawInsert(store);
    const clock = new HybridLogicalClock({ deviceId: 'bench-device' });
    store.transaction(() => {
      for (let i = 0; i < n; i += 1) insert.run(newRecordId(), tenant, clock.tick(), ...rawValues(i));
    });
  };
  const inserts: Variant<Prepared>[] = [
    {
      name: 'tracked insert (scoped store)',
      prepare: () => openStore(scratch, false),
      run: ({ store }) => {
        const scoped = store.forPlugin(plugin.name);
        store.transaction(() => {
          for (let i = 0; i < n; i += 1) scoped.insert(table, dataRow(i));
        });
      },
      cleanup: close,
    },
    {
      name: 'tracked insert (plain SQL, triggers only)',
      prepare: () => openStore(scratch, false),
      run: plainInserts,
      cleanup: close,
    },
    {
      name: 'raw insert (no triggers)',
      prepare: () => openStore(scratch, true),
      run: plainInserts,
      cleanup: close,
    },
  ];
  const [tracked, plain, raw] = await compare('detect insert', reps, inserts as Variant<never>[]);

  // Updates of rows already synced: each queues a fresh entry (the common case of editing existing data).
  const syncedRows = (): Prepared => {
    const prepared = openStore(scratch, false);
    const scoped = prepared.store.forPlugin(plugin.name);
    prepared.store.transaction(() => {
      for (let i = 0; i < n; i += 1) prepared.ids.push(String(scoped.insert(table, dataRow(i)).id));
    });
    prepared.store.ackOutbox(prepared.store.readOutboxBatch({ limit: n }).map((entry) => entry.seq));
    return prepared;
  };
  // The same loop on the table with and without the capture triggers.
  const plainUpdates = ({ store, ids }: Prepared): void => {
    const update = store.database.prepare(`UPDATE ${table} SET qty = ?, price = ?, updated_at = ? WHERE id = ?`);
    const clock = new HybridLogicalClock({ deviceId: 'bench-device' });
    store.transaction(() => {
      ids.forEach((id, i) => update.run(i % 7, i / 100, clock.tick(), id));
    });
  };
  // The raw table's rows, written without triggers: the limits below update these.
  const rawRows = (): Prepared => {
    const prepared = openStore(scratch, true);
    const insert = rawInsert(prepared.store);
    const clock = new HybridLogicalClock({ deviceId: 'bench-device' });
    prepared.store.transaction(() => {
      for (let i = 0; i < n; i += 1) {
        const id = newRecordId();
        prepared.ids.push(id);
        insert.run(id, tenant, clock.tick(), ...rawValues(i));
      }
    });
    return prepared;
  };
  // The least any capture can cost: one trigger that appends the row's id to a log, no row
  // state, no clock, no entry replaced. Every capture that records the change in the
  // writer's own transaction (DESIGN.md §4) pays at least this.
  const floorRows = (): Prepared => {
    const prepared = rawRows();
    prepared.store.database.exec(`CREATE TABLE bench_capture_floor (row_id TEXT NOT NULL);
      CREATE TRIGGER bench_capture_floor_au AFTER UPDATE ON ${table} BEGIN
        INSERT INTO bench_capture_floor (row_id) VALUES (NEW.id);
      END;`);
    return prepared;
  };
  const updates: Variant<Prepared>[] = [
    {
      name: 'tracked update (scoped store)',
      prepare: syncedRows,
      run: ({ store, ids }) => {
        const scoped = store.forPlugin(plugin.name);
        store.transaction(() => {
          ids.forEach((id, i) => scoped.update(table, id, { qty: i % 7, price: i / 100 }));
        });
      },
      cleanup: close,
    },
    {
      name: 'tracked update (plain SQL, triggers only)',
      prepare: syncedRows,
      run: plainUpdates,
      cleanup: close,
    },
    {
      name: 'raw update (no triggers)',
      prepare: rawRows,
      run: plainUpdates,
      cleanup: close,
    },
    {
      // What the scoped store's update owes its caller besides the write: the row as
      // stored. Same table, no triggers; the row comes back as the store reads it (RETURNING *).
      name: 'raw update returning the row (no triggers)',
      prepare: rawRows,
      run: ({ store, ids }) => {
        const update = store.database
          .prepare(`UPDATE ${table} SET qty = ?, price = ?, updated_at = ? WHERE id = ? AND deleted = 0 RETURNING *`)
          .raw(true);
        const clock = new HybridLogicalClock({ deviceId: 'bench-device' });
        store.transaction(() => {
          ids.forEach((id, i) => update.get(i % 7, i / 100, clock.tick(), id));
        });
      },
      cleanup: close,
    },
    {
      name: 'raw update with a one-append trigger (the floor of any capture)',
      prepare: floorRows,
      run: plainUpdates,
      cleanup: close,
    },
  ];
  const [trackedUpdate, plainUpdate, rawUpdate, returningUpdate, floorUpdate] = await compare('detect update', reps, updates as Variant<never>[]);

  // What the capture leaves for later: the next read of the queue (a sync run's first)
  // folds the logged writes into queue entries and row states, set-based. Timed on its
  // own, so the writer's saving is not hidden work.
  const folds: Variant<Prepared>[] = [
    {
      name: 'fold of the captured updates into the queue (next sync run)',
      prepare: () => {
        const prepared = syncedRows();
        plainUpdates(prepared);
        return prepared;
      },
      run: ({ store }) => {
        store.pendingUploads();
      },
      cleanup: close,
    },
  ];
  const [fold] = await compare('detect fold', reps, folds as Variant<never>[]);

  const r = (samples: { name: string; median: number; samples: readonly number[] }) =>
    row({ case: 'detect', variant: samples.name, rows: n, medianMs: samples.median, samplesMs: samples.samples });
  const rawInsertRow = r(raw!);
  const rawUpdateRow = r(rawUpdate!);
  const trackedRow = r(tracked!);
  const plainRow = r(plain!);
  const trackedUpdateRow = r(trackedUpdate!);
  const plainUpdateRow = r(plainUpdate!);
  const returningUpdateRow = r(returningUpdate!);
  const floorUpdateRow = r(floorUpdate!);
  const foldRow = r(fold!);
  // Costs add up as times: the row returned and the least capture together, in the same run.
  const returnFloor = speedRatio(returningUpdateRow, rawUpdateRow);
  const captureFloor = speedRatio(floorUpdateRow, rawUpdateRow);
  const combinedFloor = 1 / (1 / returnFloor + 1 / captureFloor - 1);
  const insertRatio = speedRatio(trackedRow, rawInsertRow);
  // A tracked update is the same write with its capture: plain SQL against the raw UPDATE,
  // the scoped store's call (which returns the row) against the raw UPDATE returning it.
  const updateRatio = speedRatio(plainUpdateRow, rawUpdateRow);
  const scopedUpdateRatio = speedRatio(trackedUpdateRow, returningUpdateRow);
  return {
    rows: [
      { ...trackedRow, ratio: { value: insertRatio, against: 'raw insert' } },
      { ...plainRow, ratio: { value: speedRatio(plainRow, rawInsertRow), against: 'raw insert' } },
      rawInsertRow,
      { ...trackedUpdateRow, ratio: { value: scopedUpdateRatio, against: 'raw update returning the row' } },
      { ...plainUpdateRow, ratio: { value: updateRatio, against: 'raw update' } },
      rawUpdateRow,
      { ...returningUpdateRow, ratio: { value: returnFloor, against: 'raw update' } },
      { ...floorUpdateRow, ratio: { value: captureFloor, against: 'raw update' } },
      { ...foldRow, ratio: { value: speedRatio(foldRow, rawUpdateRow), against: 'raw update' } },
    ],
    targets: [
      { case: 'detect', target: 'tracked inserts ≥ 0.5× raw', measured: `${insertRatio.toFixed(3)}×`, met: insertRatio >= 0.5 },
      { case: 'detect', target: 'tracked updates ≥ 0.5× raw (plain SQL vs the same UPDATE)', measured: `${updateRatio.toFixed(3)}×`, met: updateRatio >= 0.5 },
      {
        case: 'detect',
        target: 'tracked updates ≥ 0.5× raw (scoped store vs the same UPDATE returning the row)',
        measured: `${scopedUpdateRatio.toFixed(3)}× (${speedRatio(trackedUpdateRow, rawUpdateRow).toFixed(3)}× of the bare UPDATE)`,
        met: scopedUpdateRatio >= 0.5,
      },
    ],
    notes: [
      `detect: one transaction of ${n} writes per run, a fresh file each run; ids are UUIDv7 from npm uuid (newRecordId) in every loop; ` +
        'updates change two columns of rows already synced (each queues a new outbox entry). ' +
        "A capture appends one step to the store's capture log in the writer's transaction; the queue entry and the row state are folded from it at the next read of the queue, timed on its own ('fold'). " +
        "The scoped store's update returns the row as stored, so it is compared with 'raw update returning the row', the same UPDATE and the row read back without capture. " +
        `'One-append trigger' is the least a capture in the writer's transaction costs; with the row returned they bound the scoped store's update at ${combinedFloor.toFixed(2)}× of the bare UPDATE in this run (bench/README.md).`,
    ],
  };
}
