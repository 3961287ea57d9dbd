import type { Row } from '../declarations/index.js';
import type { SyncEngine } from '../engine/index.js';
import type { LocalStore } from '../store/index.js';
import { localRows } from './device-rows.js';
import { sleep } from './polling.js';

/**
 * What {@link awaitInSync} and {@link syncUntil} need of a device.
 *
 * @example
 * const device: SyncingDevice = { name: 'till', store, engine };
 */
export interface SyncingDevice {
  readonly name: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
}

/**
 * Options of {@link awaitInSync}.
 *
 * @example
 * await awaitInSync([till, office], { tables: ['notes'], timeoutMs: 30_000 });
 */
export interface InSyncOptions {
  /** The tables compared; default every table all the devices declare. */
  readonly tables?: readonly string[];
  /** The columns compared; default every column a device holds. */
  readonly columns?: readonly string[];
  /** Default 15 s. At least {@link MIN_ROUNDS} rounds run, however long they take. */
  readonly timeoutMs?: number;
}

/**
 * What it took to come in sync.
 *
 * @example
 * const { rounds, conflicts }: InSyncReport = await awaitInSync(devices);
 */
export interface InSyncReport {
  /** Rounds of one sync per device. */
  readonly rounds: number;
  /** Conflicts the runs met. */
  readonly conflicts: number;
}

/** A change needs a round to go up and one to come down; a third covers a run that met a conflict. */
const MIN_ROUNDS = 3;
/** Differences named in a timeout's message; the rest are counted. */
const NAMED = 8;

/**
 * Syncs every device in turn, round after round, until each has nothing pending (no
 * upload queued, no conflict waiting, its last run without error) and all hold the same
 * rows (tombstones included). Another test file's transaction open in the shared cloud
 * can hold a row back from pulls for a moment, so it keeps going until `timeoutMs`, then
 * fails naming what still differs.
 *
 * @example
 * await awaitInSync([till, office]);
 * expect(localRows(till, 'notes')).toEqual(localRows(office, 'notes'));
 */
export async function awaitInSync(devices: readonly SyncingDevice[], options: InSyncOptions = {}): Promise<InSyncReport> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 15_000);
  let conflicts = 0;
  for (let round = 1; ; round += 1) {
    const errors = new Map<string, string>();
    for (const device of devices) {
      const run = await device.engine.syncNow();
      conflicts += run.conflicts;
      if (run.error !== null) errors.set(device.name, run.error);
    }
    const differences = [...pendingWork(devices, errors), ...rowDifferences(devices, options)];
    if (differences.length === 0) return { rounds: round, conflicts };
    if (Date.now() > deadline && round >= MIN_ROUNDS) {
      const named = differences.slice(0, NAMED).join('; ');
      const more = differences.length > NAMED ? `; and ${differences.length - NAMED} more` : '';
      throw new Error(`${devices.map((d) => d.name).join(', ')} not in sync after ${round} rounds (${Date.now() - started} ms): ${named}${more}`);
    }
    if (round >= MIN_ROUNDS - 1) await sleep(50);
  }
}

/**
 * Syncs `device` (a kit device, or anything that syncs: an engine, a host) until `done`
 * holds: a row committed a moment ago may reach the pull a run later (other test files
 * keep transactions open in the same cloud). Every run must succeed; fails after
 * `timeoutMs`.
 *
 * @example
 * await syncUntil(till, () => localRows(till, 'notes').length === 2);
 * await syncUntil(host, () => host.status.pendingUploads === 0);
 */
export async function syncUntil(device: Pick<SyncingDevice, 'engine'> | Pick<SyncEngine, 'syncNow'>, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const syncing = 'engine' in device ? device.engine : device;
  for (;;) {
    const run = await syncing.syncNow();
    if (run.error !== null) throw new Error(`sync failed: ${run.error}`);
    if (done()) return;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function pendingWork(devices: readonly SyncingDevice[], errors: ReadonlyMap<string, string>): string[] {
  return devices.flatMap((device) => {
    const found: string[] = [];
    const pending = device.store.pendingUploads();
    const conflicts = device.engine.status.conflicts;
    if (pending > 0) found.push(`${device.name} has ${pending} upload(s) pending`);
    if (conflicts > 0) found.push(`${device.name} has ${conflicts} conflict(s) waiting`);
    const error = errors.get(device.name);
    if (error !== undefined) found.push(`${device.name}'s last run failed: ${error}`);
    return found;
  });
}

function rowDifferences(devices: readonly SyncingDevice[], options: InSyncOptions): string[] {
  const [first, ...others] = devices;
  if (first === undefined) return [];
  const tables = options.tables ?? commonTables(devices);
  return tables.flatMap((table) => {
    const reference = keyed(localRows(first, table), options.columns);
    return others.flatMap((other) => {
      const compared = keyed(localRows(other, table), options.columns);
      const found: string[] = [];
      for (const [id, row] of reference) {
        const theirs = compared.get(id);
        if (theirs === undefined) found.push(`${table} ${id} is on ${first.name}, not on ${other.name}`);
        else if (theirs !== row) found.push(`${table} ${id} differs: ${first.name} ${row}, ${other.name} ${theirs}`);
      }
      for (const id of compared.keys()) if (!reference.has(id)) found.push(`${table} ${id} is on ${other.name}, not on ${first.name}`);
      return found;
    });
  });
}

function commonTables(devices: readonly SyncingDevice[]): string[] {
  const [first, ...others] = devices.map((device) => new Set(device.store.tableDefinitions().map((table) => table.name)));
  return [...(first ?? [])].filter((name) => others.every((names) => names.has(name)));
}

/** Rows by id, each as JSON of the compared columns (a missing column as null). */
function keyed(rows: readonly Row[], columns: readonly string[] | undefined): Map<string, string> {
  return new Map(
    rows.map((row) => {
      const shown = columns === undefined ? row : Object.fromEntries(columns.map((column) => [column, row[column] ?? null]));
      return [String(row.id), JSON.stringify(shown)];
    }),
  );
}
