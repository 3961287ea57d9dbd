/**
 * The messages between the fleet case (the bench's process) and its worker processes,
 * over the IPC channel `child_process.fork` opens. Each request carries an id; the
 * worker answers it once, with the result or the error.
 */

/** Where the cloud is, and where a worker keeps its devices' files. Given in `EQUINOX_FLEET_JOB`. */
export interface FleetWorkerJob {
  readonly url: string;
  readonly anonKey: string;
  readonly dir: string;
  readonly worker: number;
}

/** One simulated till: its global index, tenant, device id (also its installation) and token. */
export interface FleetDeviceSpec {
  readonly key: number;
  readonly tenant: string;
  readonly deviceId: string;
  readonly token: string;
}

/** Latencies of one timed phase of one worker, in ms, and how many operations it finished. */
export interface PhaseOutcome {
  readonly count: number;
  readonly elapsedMs: number;
  readonly latencies: number[];
  /** Operations that failed, or (no-op phase) found work to do; the first error text. */
  readonly failures: number;
  readonly firstFailure: string | null;
  /** HTTP requests the devices made, by path (sync phases only). */
  readonly requests: Record<string, number>;
  /** CPU time the worker process used during the phase (user + system), in ms. */
  readonly cpuMs: number;
}

/** What a worker's mixed phase did. */
export interface MixedOutcome extends PhaseOutcome {
  /** Rows the devices wrote locally (movements, invoices, product edits). */
  readonly written: number;
  readonly uploaded: number;
  readonly rejected: number;
  /** Rows still queued on the devices at the end (should be 0). */
  readonly pending: number;
}

/** What a worker's open-loop phase did; `latencies` are write → upload acknowledged. */
export interface ShopOutcome extends MixedOutcome {
  /** Write → the end of the run that carried it (its pull included), in ms. */
  readonly runLatencies: number[];
  /** Sales made (each one sync request of the till). */
  readonly sales: number;
  /** How long sales arrived, in seconds (the phase also waits for the last one's run). */
  readonly offeredSeconds: number;
}

export interface MemoryOutcome {
  readonly devices: number;
  /** RSS when the worker started (Node and the modules loaded), and now, in KiB. */
  readonly baseRssKiB: number;
  readonly rssKiB: number;
  readonly heapUsedKiB: number;
}

export type FleetRequest =
  | { readonly op: 'open'; readonly devices: readonly FleetDeviceSpec[] }
  | { readonly op: 'syncAll'; readonly concurrency: number }
  | { readonly op: 'noop'; readonly seconds: number; readonly concurrency: number }
  | { readonly op: 'raw'; readonly seconds: number; readonly concurrency: number; readonly path: string }
  | { readonly op: 'prepareMixed'; readonly keys: readonly number[] }
  | { readonly op: 'mixed'; readonly keys: readonly number[]; readonly seconds: number }
  | { readonly op: 'shop'; readonly keys: readonly number[]; readonly seconds: number; readonly meanGapMs: number; readonly editEvery: number }
  | { readonly op: 'memory' }
  | { readonly op: 'close' };

export interface FleetResults {
  open: { readonly ms: number };
  syncAll: { readonly ms: number; readonly downloaded: number; readonly failures: number; readonly firstFailure: string | null };
  noop: PhaseOutcome;
  raw: PhaseOutcome;
  prepareMixed: { readonly ms: number };
  mixed: MixedOutcome;
  shop: ShopOutcome;
  memory: MemoryOutcome;
  close: { readonly ms: number };
}

export type FleetMessage = FleetRequest & { readonly id: number };

export type FleetAnswer =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The hot SKUs every tenant sells (one master-inventory row each), and each tenant's own SKUs. */
export const HOT_SKUS = ['HOT-COFFEE', 'HOT-MILK', 'HOT-BREAD', 'HOT-WATER', 'HOT-SUGAR'] as const;
export const OWN_SKUS = 20;

/** The tenant of device `key`: devices are dealt to tenants in turn, so the first `tenants` keys are in different tenants. */
export function fleetTenant(key: number, tenants: number): string {
  return `fleet-t${String(key % tenants).padStart(3, '0')}`;
}

export function fleetDeviceId(key: number): string {
  return `fleet-d${String(key).padStart(5, '0')}`;
}
