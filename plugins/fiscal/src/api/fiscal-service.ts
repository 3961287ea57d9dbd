import { newRecordId, type PluginStore } from '@equinox-sync/core/plugin';
import { negateAmount } from '../chain/decimal-amount.js';
import { isoWithOffset } from '../chain/fiscal-dates.js';
import { FiscalInputError } from '../chain/fiscal-input-error.js';
import type { FiscalRecord, FiscalRecordInput } from '../chain/fiscal-record.js';
import type { InstallationKeyPair } from '../chain/installation-keys.js';
import { nextLink } from '../chain/next-link.js';
import { signRecord } from '../chain/record-signature.js';
import { verifyFiscalChains } from './fiscal-verification.js';
import type { CloudRpc } from './cloud-chains.js';
import type { CloudMarks } from './cloud-marks.js';
import type { CorrectInvoiceInput, FiscalApi, FiscalVerification, IssueInvoiceInput } from './fiscal-api.js';
import { FiscalError } from './fiscal-error.js';
import type { InstallationKeyFile } from './installation-key-file.js';
import { InvoiceLedger } from './invoice-ledger.js';

/**
 * The plugin's store. `transaction`, when the host offers it, wraps the reads and the
 * insert of one record in one SQLite transaction; without it the record is one insert,
 * and the unique indexes on the chain position, the prev_hash and the series number
 * refuse a record built from a stale read (another connection won the race), which is
 * then built again.
 *
 * @example
 * const store: FiscalStore = context.store;
 */
export type FiscalStore = Omit<PluginStore, 'transaction'> & { readonly transaction?: <T>(fn: () => T) => T };

/**
 * What {@link FiscalService} works with: the parts of the plugin's context it needs.
 *
 * @example
 * const deps: FiscalServiceDeps = { store: context.store, device: context.device, cloud: context.cloud, keys, marks };
 */
export interface FiscalServiceDeps {
  readonly store: FiscalStore;
  readonly device: { readonly tenantId: string; readonly deviceId: string };
  readonly cloud: { rpc: CloudRpc };
  readonly keys: InstallationKeyFile;
  readonly marks: CloudMarks;
  /** The clock of `generated_at` and of the default issue date. */
  readonly now?: () => Date;
}

/** Tries to build a record again after losing a race for its position or number. */
const ATTEMPTS = 3;

/**
 * The {@link FiscalApi} over the device's store: builds each record with the chain's
 * pure functions (`nextInvoiceNumber`'s rule, `nextLink`, `signRecord`) from the chain's
 * last link, and appends it.
 *
 * @example
 * const fiscal = new FiscalService({ store, device, cloud, keys: new InstallationKeyFile(dir), marks: new CloudMarks(dir) });
 * fiscal.issueInvoice({ issuerTaxId: 'B12345678', series: 'T1-', taxTotal: '21.00', grossTotal: '121.00' });
 */
export class FiscalService implements FiscalApi {
  readonly installationId: string;
  private readonly ledger: InvoiceLedger;
  private readonly now: () => Date;
  private checkedKey: string | undefined;

  constructor(private readonly deps: FiscalServiceDeps) {
    this.installationId = deps.device.deviceId;
    this.ledger = new InvoiceLedger(deps.store, deps.device.tenantId, this.installationId);
    this.now = deps.now ?? (() => new Date());
  }

  issueInvoice(input: IssueInvoiceInput): FiscalRecord {
    const type = input.type ?? 'F1';
    if (!['F1', 'F2', 'F3'].includes(type)) {
      throw new FiscalInputError('invoice_type', 'F1, F2 or F3 (a corrective invoice is made by correctInvoice)', type);
    }
    return this.append((previous, generatedAt) => {
      const issuer = trimmed(input.issuerTaxId) ?? previous?.issuer_tax_id;
      if (issuer === undefined) {
        throw new FiscalError(`installation "${this.installationId}" issues its first invoice: give the issuer's tax id (issuerTaxId)`, { missing: 'issuerTaxId' });
      }
      const series = trimmed(input.series) as string;
      return {
        ...this.recordBase(generatedAt, input.issueDate),
        issuer_tax_id: issuer,
        series,
        number: this.ledger.nextNumber(issuer, series),
        invoice_type: type,
        tax_total: input.taxTotal,
        gross_total: input.grossTotal,
        currency: input.currency ?? 'EUR',
        client_tax_id: input.clientTaxId ?? null,
        lines: input.lines ?? null,
        record_kind: 'issue',
      };
    });
  }

  cancelInvoice(id: string): FiscalRecord {
    return this.append((_previous, generatedAt) => {
      const invoice = this.openInvoice(id, 'cancel');
      return {
        ...this.recordBase(generatedAt, invoice.issue_date),
        // A cancellation repeats the invoice's identity (the huella's "...Anulada" fields).
        issuer_tax_id: invoice.issuer_tax_id,
        series: invoice.series,
        number: invoice.number,
        invoice_type: invoice.invoice_type,
        tax_total: invoice.tax_total,
        gross_total: invoice.gross_total,
        currency: invoice.currency,
        client_tax_id: invoice.client_tax_id,
        record_kind: 'cancellation',
        cancels_invoice_id: invoice.id,
      };
    });
  }

  correctInvoice(id: string, input: CorrectInvoiceInput): FiscalRecord {
    const type = input.type ?? 'R1';
    if (!/^R[1-5]$/.test(type)) throw new FiscalInputError('invoice_type', 'R1, R2, R3, R4 or R5', type);
    if ((input.taxTotal === undefined) !== (input.grossTotal === undefined)) {
      throw new FiscalInputError('tax_total', 'both amounts of a partial correction, or neither for a full one', input.taxTotal ?? input.grossTotal);
    }
    return this.append((_previous, generatedAt) => {
      const invoice = this.openInvoice(id, 'correct');
      const series = trimmed(input.series) as string;
      return {
        ...this.recordBase(generatedAt, input.issueDate),
        issuer_tax_id: invoice.issuer_tax_id,
        series,
        number: this.ledger.nextNumber(invoice.issuer_tax_id, series),
        invoice_type: type,
        tax_total: input.taxTotal ?? negateAmount(invoice.tax_total),
        gross_total: input.grossTotal ?? negateAmount(invoice.gross_total),
        currency: invoice.currency,
        client_tax_id: invoice.client_tax_id,
        lines: input.lines ?? null,
        record_kind: 'issue',
        corrects_invoice_id: invoice.id,
      };
    });
  }

  async verify(options: { readonly remote?: boolean } = {}): Promise<FiscalVerification> {
    return verifyFiscalChains({
      own: this.installationId,
      device: this.ledger.all(),
      ownKey: this.deps.keys.read()?.publicKey,
      ...(options.remote === true ? { cloud: (fn: string, args?: Record<string, unknown>) => this.deps.cloud.rpc(fn, args), marks: this.deps.marks } : {}),
    });
  }

  record(id: string): FiscalRecord | undefined {
    return this.ledger.find(id);
  }

  records(): FiscalRecord[] {
    return this.ledger.all();
  }

  /**
   * Builds and stores the next link: the chain's last link is read, the record built
   * from it, signed and inserted, in one transaction when the store offers one.
   */
  private append(build: (previous: FiscalRecord | undefined, generatedAt: string) => FiscalRecordInput): FiscalRecord {
    const { store } = this.deps;
    // Called as the store's method: a store may be a class whose `transaction` needs its `this`.
    const atomically = <T>(fn: () => T): T => (store.transaction === undefined ? fn() : store.transaction(fn));
    for (let attempt = 1; ; attempt += 1) {
      try {
        return atomically(() => {
          const previous = this.ledger.last();
          const keys = this.signingKeys(previous);
          const record = signRecord(nextLink(previous, build(previous, isoWithOffset(this.now()))), keys);
          this.ledger.append(record);
          return record;
        });
      } catch (error) {
        this.ledger.forget();
        if (!isUniqueViolation(error) || attempt === ATTEMPTS) throw error;
      }
    }
  }

  /** The installation's key, which must be the one that started its chain. */
  private signingKeys(previous: FiscalRecord | undefined): InstallationKeyPair {
    if (previous === undefined) return this.deps.keys.readOrCreate();
    const keys = this.deps.keys.read();
    if (keys === undefined) {
      throw new FiscalError(
        `installation "${this.installationId}" has ${previous.chain_index} record(s) but no key at ${this.deps.keys.path}: restore that file; another key cannot continue its chain`,
      );
    }
    if (this.checkedKey !== keys.publicKey) {
      const first = this.ledger.link(1);
      if (first?.public_key !== keys.publicKey) {
        throw new FiscalError(
          `the key at ${this.deps.keys.path} did not start installation "${this.installationId}"'s chain (link 1 carries ${String(first?.public_key ?? 'no link')}): restore the original key`,
        );
      }
      this.checkedKey = keys.publicKey;
    }
    return keys;
  }

  /** An issued invoice that is not cancelled: the only kind that can be cancelled or corrected. */
  private openInvoice(id: string, action: 'cancel' | 'correct'): FiscalRecord {
    const invoice = this.ledger.find(id);
    if (invoice === undefined) throw new FiscalError(`cannot ${action} "${id}": no such invoice on this device`);
    if (invoice.record_kind !== 'issue') {
      throw new FiscalError(`cannot ${action} "${id}": it is the cancellation of invoice ${invoice.series}${invoice.number}, not an invoice`);
    }
    if (this.ledger.cancellationOf(invoice) !== undefined) {
      throw new FiscalError(`cannot ${action} invoice ${invoice.series}${invoice.number}: it is already cancelled`);
    }
    return invoice;
  }

  private recordBase(generatedAt: string, issueDate: string | undefined): Pick<FiscalRecordInput, 'id' | 'installation_id' | 'generated_at' | 'issue_date'> {
    // The default issue date is the day of generated_at, in the same offset.
    return { id: newRecordId(), installation_id: this.installationId, generated_at: generatedAt, issue_date: issueDate ?? generatedAt.slice(0, 10) };
  }
}

function trimmed(value: string | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : value;
}

function isUniqueViolation(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as Error & { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
  }
  return false;
}
