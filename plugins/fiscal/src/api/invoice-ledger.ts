import type { PluginStore, Row } from '@equinox-sync/core/plugin';
import type { FiscalRecord } from '../chain/fiscal-record.js';
import { inChainOrder, INVOICES_TABLE, toFiscalRecord } from './fiscal-rows.js';

/**
 * The device's fiscal records as the API reads and appends them. The chain's last link
 * and each series' highest number are remembered, then checked against the database
 * before every use (one indexed lookup: is there a link or number after it?), so a
 * record written by another connection to the same file is never missed and issuing
 * stays constant-time however long the chain grows.
 *
 * @example
 * const ledger = new InvoiceLedger(context.store, context.device.tenantId, context.device.deviceId);
 * const previous = ledger.last();
 * const number = ledger.nextNumber('B12345678', 'T1-');
 */
export class InvoiceLedger {
  /** undefined: not read yet; null: the chain has no link. */
  private tail: FiscalRecord | null | undefined;
  private readonly highest = new Map<string, number>();

  constructor(
    private readonly store: Pick<PluginStore, 'insert' | 'get' | 'query'>,
    private readonly tenantId: string,
    readonly installationId: string,
  ) {}

  /** Every record on the device, in chain order. */
  all(): FiscalRecord[] {
    return inChainOrder(this.store.query(INVOICES_TABLE).map(toFiscalRecord));
  }

  find(id: string): FiscalRecord | undefined {
    const row = this.store.get(INVOICES_TABLE, id);
    return row === undefined ? undefined : toFiscalRecord(row);
  }

  /** This installation's last link, or undefined for an empty chain. */
  last(): FiscalRecord | undefined {
    let tail = this.tail === undefined ? this.scanTail() : (this.tail ?? undefined);
    for (;;) {
      const next = this.one({ installation_id: this.installationId, chain_index: (tail?.chain_index ?? 0) + 1 });
      if (next === undefined) break;
      tail = next;
    }
    this.tail = tail ?? null;
    return tail;
  }

  /** The link of this installation's chain at `index`. */
  link(index: number): FiscalRecord | undefined {
    return this.one({ installation_id: this.installationId, chain_index: index });
  }

  /** The number the next invoice of `series` takes: one more than the highest issued on the device. */
  nextNumber(issuerTaxId: string, series: string): number {
    const key = `${issuerTaxId}\u0000${series}`;
    let highest = this.highest.get(key) ?? this.scanHighest(issuerTaxId, series);
    while (this.one({ issuer_tax_id: issuerTaxId, series, record_kind: 'issue', number: highest + 1 }) !== undefined) highest += 1;
    this.highest.set(key, highest);
    return highest + 1;
  }

  /** The cancellation of `invoice`, if it was cancelled. */
  cancellationOf(invoice: Pick<FiscalRecord, 'issuer_tax_id' | 'series' | 'number'>): FiscalRecord | undefined {
    const { issuer_tax_id, series, number } = invoice;
    return this.one({ issuer_tax_id, series, number, record_kind: 'cancellation' });
  }

  /** Stores `record`; the local triggers queue it for upload in the same transaction. */
  append(record: FiscalRecord): void {
    this.store.insert(INVOICES_TABLE, { ...record } as Row);
    if (record.installation_id === this.installationId) this.tail = record;
    if (record.record_kind === 'issue') {
      const key = `${record.issuer_tax_id}\u0000${record.series}`;
      this.highest.set(key, Math.max(this.highest.get(key) ?? 0, record.number));
    }
  }

  /** Forgets what was remembered, after another writer won a race for a link or number. */
  forget(): void {
    this.tail = undefined;
    this.highest.clear();
  }

  private scanTail(): FiscalRecord | undefined {
    let tail: FiscalRecord | undefined;
    for (const row of this.store.query(INVOICES_TABLE, { tenant_id: this.tenantId, installation_id: this.installationId })) {
      const record = toFiscalRecord(row);
      if (tail === undefined || record.chain_index > tail.chain_index) tail = record;
    }
    return tail;
  }

  private scanHighest(issuerTaxId: string, series: string): number {
    const rows = this.store.query(INVOICES_TABLE, { tenant_id: this.tenantId, issuer_tax_id: issuerTaxId, series, record_kind: 'issue' });
    return rows.reduce((highest, row) => Math.max(highest, toFiscalRecord(row).number), 0);
  }

  // tenant_id leads every unique index of the table: naming it lets SQLite use them.
  private one(where: Row): FiscalRecord | undefined {
    const [row] = this.store.query(INVOICES_TABLE, { tenant_id: this.tenantId, ...where });
    return row === undefined ? undefined : toFiscalRecord(row);
  }
}
