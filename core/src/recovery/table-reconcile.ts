import { isHlc, parseHlc } from '../clock/index.js';
import type { TableDefinition } from '../declarations/index.js';
import type { RemoteStore } from '../remote/index.js';
import type { LedgerRow, LedgerScope, RecoveryLedger } from '../store/index.js';
import { CloudDigests } from './cloud-digests.js';
import { rangeHash, type DigestRow, type IdRange } from './digest-protocol.js';
import { compareRanges } from './range-compare.js';

/**
 * What a comparison of one table found and did.
 *
 * @example
 * const { reuploaded, missingLocally }: TableReconcileResult = await reconcileTable({ remote, ledger, table, deviceId });
 */
export interface TableReconcileResult {
  readonly table: string;
  /** Rows compared (by range hash or one by one). */
  readonly checked: number;
  /** Rows the cloud lacked or held older, queued for upload again. */
  readonly reuploaded: number;
  /** Rows the cloud holds that the device lacks or holds older: the next pull brings them. */
  readonly missingLocally: number;
  /**
   * Rows the cloud lacks that this device does not send: a download-only table's, or
   * append-only rows another device wrote (evidence its writer sends, such as a chain
   * bound to that device).
   */
  readonly notReuploaded: number;
}

/**
 * Compares one table with the cloud by hash ranges and repairs both ways, per the
 * table's rules, never deleting anything: a row the cloud lacks or holds older (by clock)
 * that the device holds Synced is queued for upload again, over the cloud's version, in
 * clock order (an append-only chain goes up link by link; the cloud answers `duplicate`
 * for what it has); a row the cloud holds newer, or the device lacks, is pulled again
 * (its pulled version forgotten, the table's cursor reset). Rows with a change queued
 * are left to that upload. `recovery`: the cloud was replaced or rewound, so every
 * pulled version and the cursor are reset as well.
 *
 * @example
 * const result = await reconcileTable({ remote, ledger: store.records.ledger, table, deviceId: store.deviceId });
 */
export async function reconcileTable(options: {
  readonly remote: RemoteStore;
  readonly ledger: RecoveryLedger;
  readonly table: TableDefinition;
  readonly deviceId: string;
  readonly recovery?: boolean;
  /** A table with a pull scope: the device's rows of that scope, as the cloud compares its own. */
  readonly scope?: LedgerScope;
}): Promise<TableReconcileResult> {
  const { ledger, table } = options;
  const name = table.name;
  const rowsIn = (range: IdRange): Generator<LedgerRow> => ledger.rows(name, range[0], range[1], options.scope);
  let checked = 0;
  let missingLocally = 0;
  let notReuploaded = 0;

  const cloudLacks = (row: LedgerRow, cloud: DigestRow | undefined): void => {
    if (row.pending || (row.state !== undefined && row.state !== 'Synced')) return;
    const writtenHere = isHlc(row.updatedAt) && parseHlc(row.updatedAt).deviceId === options.deviceId;
    if (table.direction === 'download-only' || (table.appendOnly && !writtenHere)) {
      notReuploaded += 1;
      return;
    }
    ledger.markUpload(row, { base: cloud?.serverVersion ?? null, update: cloud !== undefined });
  };

  ledger.begin(name);
  const comparison = await compareRanges({
    cloud: new CloudDigests(options.remote, name),
    local: (range) => {
      let count = 0;
      const hash = rangeHash(
        (function* () {
          for (const row of rowsIn(range)) {
            count += 1;
            yield row;
          }
        })(),
      );
      return { count, hash };
    },
    onLeaf: (range, cloudRows) => {
      const cloud = new Map(cloudRows.map((row) => [row.id, row]));
      for (const row of rowsIn(range)) {
        checked += 1;
        const held = cloud.get(row.id);
        cloud.delete(row.id);
        // HLC text orders as the clock does; a tombstone ticks the clock, so equal clocks mean equal rows.
        if (held === undefined || row.updatedAt > held.updatedAt) cloudLacks(row, held);
        else if (row.updatedAt < held.updatedAt) {
          missingLocally += 1;
          if (!row.pending) ledger.markPull(row.id);
        }
      }
      for (const held of cloud.values()) {
        checked += 1;
        missingLocally += 1;
        ledger.markPull(held.id);
      }
    },
  });
  const recovery = options.recovery === true;
  const { queued } = ledger.commit(name, { resetCursor: recovery, forgetVersions: recovery });
  return { table: name, checked: checked + comparison.equalRows, reuploaded: queued, missingLocally, notReuploaded };
}
