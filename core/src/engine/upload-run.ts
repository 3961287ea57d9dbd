import type { Row, TableDefinition } from '../declarations/index.js';
import type { PushEcho, PushExpectation, PushOutcome } from '../remote/index.js';
import type { OutboxEntry } from '../store/index.js';
import { rowJsonBound, rowJsonBytes } from './push-batches.js';
import type { RefusedRows } from './refused-rows.js';
import type { RunContext, StageCounts } from './run-context.js';

// What one run of the upload stage (upload-stage.ts) keeps and sends: its state, its
// requests in flight, and the small helpers of both.

/**
 * Pushes sent before the oldest one's answer is back, so the cloud always has a batch to
 * settle while the device reads the next and settles the last. Measured (upload bench,
 * three alternating runs each): two in flight 0.77–0.94× of a raw bulk upsert, three
 * 0.97–0.98×.
 */
export const PUSHES_IN_FLIGHT = 3;

/** One run of the stage: what every step needs, and what the run has done so far. */
export interface UploadRun {
  readonly context: RunContext;
  readonly counts: StageCounts;
  /** Entries that met a conflict in this run (by seq). */
  readonly conflicted: Set<number>;
  readonly refused: RefusedRows;
  /** What the cloud must still be for a push to be written, when the run did not probe it. */
  readonly expect: PushExpectation | undefined;
  /** The last entry read, where a read made while pushes are in flight starts. */
  lastRead?: { readonly place: number; readonly seq: number };
}

/**
 * What a push brought back: outcomes in the entries' order (`undefined`: settled already,
 * or not sent), a gate's reason if it paused, and the echoes the cloud gave (one per call).
 */
export interface PushSent {
  readonly outcomes: readonly (PushOutcome | undefined)[];
  readonly paused?: string;
  readonly echoes?: readonly PushEcho[];
}

/** One table's batch of a request. */
export interface PushPartInFlight {
  readonly definition: TableDefinition;
  readonly entries: readonly OutboxEntry[];
}

/** A request sent and not yet settled: the batches it carries (one per table), answered in their order. */
export interface PushInFlight {
  readonly parts: readonly PushPartInFlight[];
  readonly pushing: Promise<PushSent[]>;
}

/**
 * The bytes a batch's rows take as JSON, or an upper bound of them (found without writing
 * the rows out when it can be).
 *
 * @example
 * const fits = batchJsonBytes(first) + batchJsonBytes(second) <= BATCH_BYTES;
 */
export function batchJsonBytes(entries: readonly OutboxEntry[]): number {
  let bytes = 0;
  for (const entry of entries) {
    const bound = rowJsonBound(entry.row);
    bytes += (Number.isFinite(bound) ? bound : rowJsonBytes(entry.row)) + 1;
  }
  return bytes;
}

/**
 * `outcomes` made exactly `length` long, `undefined` for the entries it has no outcome for.
 *
 * @example
 * padded([applied], 3); // [applied, undefined, undefined]
 */
export function padded(outcomes: readonly (PushOutcome | undefined)[], length: number): (PushOutcome | undefined)[] {
  return Array.from({ length }, (_, index) => outcomes[index]);
}

/**
 * A row's ordering key as one comparable string (the values of the table's `orderingKey` columns).
 *
 * @example
 * orderingKey(notes, row); // '["chain-1"]'
 */
export function orderingKey(table: TableDefinition, row: Row | undefined): string {
  return JSON.stringify(table.orderingKey.map((column) => row?.[column] ?? null));
}

/**
 * Lets the push just started reach the socket before the synchronous outbox read holds the thread.
 *
 * @example
 * await sendBeforeReading();
 * waiting = read();
 */
export function sendBeforeReading(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
