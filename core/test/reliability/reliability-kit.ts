import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { PullCursor, RemoteStore, Row } from '../../src/index.js';
import {
  deviceRemote,
  hasIds,
  openDevice,
  pullAll,
  uniqueSuffix,
  type DeviceCloud,
  type TestDevice,
  type TestDeviceOptions,
} from '../../src/testing/index.js';

// What this suite adds to the shared kit (src/testing): its scale, its seeds, its report
// lines, its devices' quick retries, and ways to compare many rows at once.

/** `EQUINOX_CHAOS=1` runs the long version of every reliability test. */
export const CHAOS = process.env.EQUINOX_CHAOS === '1';

/** A figure for the fast suite or, under `EQUINOX_CHAOS=1`, the long one. */
export function scale(fast: number, chaos: number): number {
  return CHAOS ? chaos : fast;
}

export const workDir = mkdtempSync(join(tmpdir(), 'equinox-reliability-'));
// Device files of a run (huge rows, corrupted copies, hundreds of schedules) go when the test file ends.
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** One line of figures per test, so a run's output carries what each guarantee rests on. */
export function report(test: string, figures: Record<string, number | string | boolean>): void {
  console.log(`[reliability] ${test}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(', ')}`);
}

/** The seed of this run: `EQUINOX_SEED` replays one, else a fresh one (always printed). */
export function runSeed(): number {
  const given = process.env.EQUINOX_SEED;
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

/**
 * The kit's device as this suite runs it: its file in `workDir`, retries after 20–100 ms
 * (a refused row comes back within the few hundred ms a fault lasts), and closed by the
 * suite itself, which keeps devices across the steps of a scenario.
 */
export function openQuickRetryDevice(options: TestDeviceOptions & { readonly cloud: DeviceCloud }): Promise<TestDevice> {
  return openDevice({
    path: join(workDir, `${options.name}-${uniqueSuffix()}.db`),
    closeAfterTest: false,
    ...options,
    sync: { retry: { baseMs: 20, maxMs: 100, maxAttempts: 3 }, ...options.sync },
  });
}

/** A remote that forwards to `real` with some calls replaced. */
export function wrapRemote(real: RemoteStore, override: Partial<RemoteStore>): RemoteStore {
  return {
    push: override.push ?? ((table, items) => real.push(table, items)),
    pull: override.pull ?? ((table, cursor, limit) => real.pull(table, cursor, limit)),
    rpc: override.rpc ?? (<T,>(fn: string, args?: Record<string, unknown>) => real.rpc<T>(fn, args)),
    health: override.health ?? ((timeoutMs) => real.health(timeoutMs)),
  };
}

/**
 * Waits until a pull from `device`'s current cursor would deliver `ids`. Other test files
 * share the cloud, and a transaction open anywhere in it holds the pull horizon back, so
 * a row committed a moment ago may be pulled a moment later. Reads with a token of the
 * device's tenant; changes nothing on the device.
 */
export async function waitPullable(cloud: DeviceCloud, device: TestDevice, table: string, ids: readonly string[], timeoutMs = 10_000): Promise<void> {
  const remote = await deviceRemote(device.store.tenantId, device.name, { cloud });
  const cursor = (device.store.readCursor(table) as PullCursor | undefined) ?? null;
  const { rows } = await pullAll(remote, table, { cursor, until: hasIds(ids), timeoutMs });
  const seen = new Set(rows.map((row) => String(row.id)));
  const missing = ids.filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`rows ${missing.join(', ')} of ${table} were not pullable within ${timeoutMs} ms`);
}

/** Rows reduced to the given columns, keyed by id, for comparing a device with the cloud. */
export function byId(rows: readonly Row[], columns: readonly string[]): Map<string, string> {
  return new Map(rows.map((row) => [String(row.id), JSON.stringify(columns.map((column) => normalise(row[column])))]));
}

function normalise(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** How many rows differ between two keyed views (missing on either side, or different). */
export function divergence(a: Map<string, string>, b: Map<string, string>): { missing: number; extra: number; different: number } {
  let missing = 0;
  let different = 0;
  for (const [id, value] of a) {
    const other = b.get(id);
    if (other === undefined) missing += 1;
    else if (other !== value) different += 1;
  }
  let extra = 0;
  for (const id of b.keys()) if (!a.has(id)) extra += 1;
  return { missing, extra, different };
}
