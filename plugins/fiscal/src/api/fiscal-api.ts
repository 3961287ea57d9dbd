import { pluginApi } from '@equinox-sync/core/plugin';
import type { ChainBreak, ChainBreakReason } from '../chain/chain-break.js';
import type { FiscalRecord } from '../chain/fiscal-record.js';

/**
 * An invoice to issue. Amounts are exact decimal text (`"121.00"`, at most two
 * decimals), never numbers: a float cannot hold cents.
 *
 * @example
 * const input: IssueInvoiceInput = { issuerTaxId: 'B12345678', series: 'T1-', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' };
 */
export interface IssueInvoiceInput {
  /** The series; it must not end in a digit (the number is appended). One series belongs to one installation. */
  readonly series: string;
  /** VeriFactu's invoice type; default `F1`. Corrective invoices (`R1`…`R5`) are made by `correctInvoice`. */
  readonly type?: 'F1' | 'F2' | 'F3';
  readonly taxTotal: string;
  readonly grossTotal: string;
  /**
   * The issuer's tax id (NIF, nine letters or digits). Default: the issuer of this
   * installation's last record; required for its first one.
   */
  readonly issuerTaxId?: string;
  readonly clientTaxId?: string | null;
  /** ISO 4217 code; default `EUR`. */
  readonly currency?: string;
  /** The invoice lines, any JSON; signed with the record, not part of the huella. */
  readonly lines?: unknown;
  /** `YYYY-MM-DD`; default today on this device's clock. */
  readonly issueDate?: string;
}

/**
 * A corrective invoice. By default it reverses the corrected invoice in full (its
 * amounts negated); give the amounts of a partial correction (the difference, usually
 * negative) instead. Corrective invoices take their own series.
 *
 * @example
 * const input: CorrectInvoiceInput = { series: 'R-', type: 'R1', taxTotal: '-2.10', grossTotal: '-12.10' };
 */
export interface CorrectInvoiceInput {
  readonly series: string;
  /** Default `R1` (an error founded in law, art. 80.1–2 LIVA); `R5` corrects a simplified invoice. */
  readonly type?: 'R1' | 'R2' | 'R3' | 'R4' | 'R5';
  readonly taxTotal?: string;
  readonly grossTotal?: string;
  readonly lines?: unknown;
  readonly issueDate?: string;
}

/**
 * Why a comparison with the cloud failed, beyond the chain rules of {@link ChainBreakReason}:
 * - `missing-in-cloud`: the cloud no longer holds a link it held (a removed tail);
 * - `missing-on-device`: the cloud holds links of this installation the device lacks;
 * - `differs`: the device and the cloud hold different records at one position.
 *
 * @example
 * const reason: CloudBreakReason = 'missing-in-cloud';
 */
export type CloudBreakReason = 'missing-in-cloud' | 'missing-on-device' | 'differs';

/**
 * The first broken link: a {@link ChainBreak} that also says where it was found, in
 * the device's database or in the cloud.
 *
 * @example
 * const broken: FiscalBreak = { where: 'cloud', chain: 'till-1', index: 3, expected: '8F1C…', found: 'none', reason: 'missing-in-cloud' };
 */
export interface FiscalBreak extends Omit<ChainBreak, 'reason'> {
  readonly where: 'device' | 'cloud';
  readonly reason: ChainBreakReason | CloudBreakReason;
}

/**
 * What `verify` found. `chains` and `records` count the device's copy; with
 * `{ remote: true }`, `cloud` counts the cloud's copy and this installation's links not
 * uploaded yet (`pending`, which is not a fault).
 *
 * @example
 * const result: FiscalVerification = { ok: true, chains: 2, records: 7, brokenAt: null, cloud: { chains: 2, records: 6, pending: 1 } };
 */
export interface FiscalVerification {
  readonly ok: boolean;
  readonly chains: number;
  readonly records: number;
  readonly brokenAt: FiscalBreak | null;
  readonly cloud?: { readonly chains: number; readonly records: number; readonly pending: number };
}

/**
 * The fiscal plugin's API, returned by its `activate`: reach it with
 * `host.api(FiscalApi)` (the token below). Records are only ever added: there is no way
 * to edit or delete one.
 *
 * @example
 * const fiscal = host.api(FiscalApi);
 * const invoice = fiscal.issueInvoice({ issuerTaxId: 'B12345678', series: 'T1-', taxTotal: '21.00', grossTotal: '121.00' });
 * fiscal.cancelInvoice(invoice.id);
 * await host.syncNow();
 * const { ok, brokenAt } = await fiscal.verify({ remote: true });
 */
export interface FiscalApi {
  /** This device's installation id (its device id): the chain it appends to. */
  readonly installationId: string;
  /**
   * Issues the next invoice of `input.series` (numbered with no gap) as the next link of
   * this installation's chain, hashed (VeriFactu huella) and signed, in one local write.
   * Throws a `FiscalInputError` naming a bad field, or a `FiscalError`.
   */
  issueInvoice(input: IssueInvoiceInput): FiscalRecord;
  /** Appends the cancellation of invoice `id` to this installation's chain; the invoice stays. */
  cancelInvoice(id: string): FiscalRecord;
  /** Issues a corrective invoice (`R1`…`R5`) of invoice `id` in `input.series`. */
  correctInvoice(id: string, input: CorrectInvoiceInput): FiscalRecord;
  /**
   * Walks every chain on the device: links, huellas, numbering, signatures. With
   * `remote: true` it also reads the cloud's chains and registered keys, verifies them,
   * and compares them with the device's (a removed tail shows there). Rejects with a
   * `RemoteError` when the cloud cannot be read.
   */
  verify(options?: { readonly remote?: boolean }): Promise<FiscalVerification>;
  /** One record of the device's copy (any installation's), or undefined. */
  record(id: string): FiscalRecord | undefined;
  /** Every record on the device, by installation then chain position. */
  records(): FiscalRecord[];
}

/**
 * The typed token of {@link FiscalApi}: `host.api(FiscalApi)` and `context.api(FiscalApi)`
 * return the fiscal plugin's API without a cast.
 *
 * @example
 * const { ok } = await host.api(FiscalApi).verify();
 */
export const FiscalApi = pluginApi<FiscalApi>('@equinox-sync/plugin-fiscal');
