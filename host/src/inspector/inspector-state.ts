import type { InspectorView, QuarantineNotice, Row, SyncStatus, SyncTrigger } from '@equinox-sync/core';

/**
 * Who the inspected device is: its tenant, its id, its role, its database file and the
 * host's version.
 *
 * @example
 * const device: InspectorDevice = { tenantId: 'shop-1', deviceId: 'till-1', role: 'store', dbPath: '/data/till.db', version: '0.1.0' };
 */
export interface InspectorDevice {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly role: string;
  readonly dbPath: string;
  readonly version: string;
}

/**
 * A queued change as the page lists it: an insert or an update is an `upsert`.
 *
 * @example
 * const row: InspectorQueuedRow = { id: 'r1', op: 'upsert', preview: 'name=Ada', attempts: 0, lastError: null };
 */
export interface InspectorQueuedRow {
  readonly id: string;
  readonly op: 'upsert' | 'delete';
  readonly preview: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

/**
 * One table's part of the upload queue: how many changes wait and the first few of them.
 *
 * @example
 * const part: InspectorQueueTable = { table: 'notes', plugin: '@acme/notes', count: 1, rows: [] };
 */
export interface InspectorQueueTable {
  readonly table: string;
  readonly plugin: string;
  readonly count: number;
  readonly rows: readonly InspectorQueuedRow[];
}

/**
 * An upload the cloud refused, with the row it tries to send.
 *
 * @example
 * const failed: InspectorFailedRow = { table: 'notes', id: 'r1', reason: 'too long', attempts: 2, nextAttemptAt: 0, preview: 'body=…' };
 */
export interface InspectorFailedRow {
  readonly table: string;
  readonly id: string;
  readonly reason: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly preview: string;
}

/**
 * A conflict side by side: both rows, the table's declared columns and those whose
 * values differ.
 *
 * @example
 * const conflict: InspectorConflict = { table: 'notes', id: 'r1', detectedAt: 0, columns: ['body'], differing: ['body'], local: {}, remote: {} };
 */
export interface InspectorConflict {
  readonly table: string;
  readonly id: string;
  readonly detectedAt: number;
  readonly columns: readonly string[];
  readonly differing: readonly string[];
  readonly local: Row;
  readonly remote: Row;
}

/**
 * A local delete held until a person confirms it, with the row it removes.
 *
 * @example
 * const held: InspectorHeldDelete = { table: 'notes', id: 'r1', preview: 'body=old' };
 */
export interface InspectorHeldDelete {
  readonly table: string;
  readonly id: string;
  readonly preview: string;
}

/**
 * One finished sync run as the device recorded it (kept across restarts).
 *
 * @example
 * const run: RecordedRun = { at: Date.now(), trigger: 'manual', durationMs: 84, uploaded: 1, downloaded: 0, conflicts: 0, rejected: 0, offline: false, error: null };
 */
export interface RecordedRun {
  /** When it ended (ms since the epoch). */
  readonly at: number;
  readonly trigger: SyncTrigger;
  readonly durationMs: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly conflicts: number;
  readonly rejected: number;
  readonly offline: boolean;
  readonly error: string | null;
}

/**
 * A plugin's panel as the page shows it: its view, or why it could not be loaded.
 *
 * @example
 * const panel: InspectorPanelState = { plugin: '@acme/notes', id: 'notes', title: 'Notes', view: { sections: [] }, error: null, actions: [] };
 */
export interface InspectorPanelState {
  readonly plugin: string;
  readonly id: string;
  readonly title: string;
  readonly view: InspectorView | null;
  readonly error: string | null;
  readonly actions: readonly { readonly id: string; readonly label: string }[];
}

/**
 * Everything the inspector page shows of one device (`GET <base>api/state`).
 *
 * @example
 * const state: InspectorState = await inspectorState(host);
 * console.log(state.queue.map((part) => `${part.table}: ${part.count}`));
 */
export interface InspectorState {
  readonly device: InspectorDevice;
  readonly status: SyncStatus;
  readonly queue: readonly InspectorQueueTable[];
  readonly failed: readonly InspectorFailedRow[];
  readonly quarantined: readonly QuarantineNotice[];
  readonly conflicts: readonly InspectorConflict[];
  readonly deletes: readonly InspectorHeldDelete[];
  /** Oldest first, at most 100. */
  readonly runs: readonly RecordedRun[];
  readonly panels: readonly InspectorPanelState[];
}
