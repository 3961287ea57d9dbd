/**
 * What a row of the `invoices` table records: the issue of an invoice (VeriFactu
 * "RegistroAlta") or its cancellation ("RegistroAnulacion").
 *
 * @example
 * const kind: RecordKind = 'cancellation';
 */
export type RecordKind = 'issue' | 'cancellation';

/**
 * One row of the `invoices` table as the chain functions read it, under its column
 * names, so rows from the local store or the cloud are verified as they are.
 *
 * - `issue_date` is `YYYY-MM-DD` (sortable); the huella writes it `dd-mm-yyyy`.
 * - Amounts are exact decimal text with two decimals (`"123.45"`), never floats.
 * - A cancellation repeats `issuer_tax_id`, `series`, `number` and `issue_date` of the
 *   invoice it cancels and names it in `cancels_invoice_id`.
 * - `public_key` is set on the first link of a chain only: it registers the
 *   installation's Ed25519 key with the cloud.
 *
 * @example
 * const first: FiscalRecord = {
 *   id: '0190f5a2-0000-7000-8000-000000000001', installation_id: 'till-1',
 *   issuer_tax_id: '89890001K', series: '12345678/G', number: 33, invoice_type: 'F1',
 *   issue_date: '2024-01-01', tax_total: '12.35', gross_total: '123.45', currency: 'EUR',
 *   client_tax_id: null, lines: [], record_kind: 'issue', cancels_invoice_id: null,
 *   corrects_invoice_id: null, chain_index: 1, prev_hash: '', preimage: 'IDEmisorFactura=89890001K&…', hash: '3C46…',
 *   generated_at: '2024-01-01T19:20:30+01:00', public_key: 'MCow…', signature: 'k3F…',
 * };
 */
export interface FiscalRecord {
  readonly id: string;
  readonly installation_id: string;
  readonly issuer_tax_id: string;
  readonly series: string;
  readonly number: number;
  readonly invoice_type: string;
  readonly issue_date: string;
  readonly tax_total: string;
  readonly gross_total: string;
  readonly currency: string;
  readonly client_tax_id: string | null;
  readonly lines: unknown;
  readonly record_kind: RecordKind;
  readonly cancels_invoice_id: string | null;
  /** On a corrective invoice (`R1`…`R5`), the id of the invoice it corrects; else null. */
  readonly corrects_invoice_id: string | null;
  readonly chain_index: number;
  readonly prev_hash: string;
  readonly preimage: string;
  readonly hash: string;
  readonly generated_at: string;
  readonly public_key: string | null;
  readonly signature: string | null;
}

/**
 * What a caller supplies for a new record; {@link nextLink} validates and normalises it
 * and adds the chain columns. Amounts may have zero, one or two decimals.
 *
 * @example
 * const input: FiscalRecordInput = {
 *   id: '0190f5a2-0000-7000-8000-000000000002', installation_id: 'till-1',
 *   issuer_tax_id: '89890001K', series: 'A-', number: 1, invoice_type: 'F2',
 *   issue_date: '2025-03-01', tax_total: '2.1', gross_total: '12.10',
 *   record_kind: 'issue', generated_at: '2025-03-01T10:00:00+01:00',
 * };
 */
export interface FiscalRecordInput
  extends Pick<
      FiscalRecord,
      'id' | 'installation_id' | 'issuer_tax_id' | 'series' | 'number' | 'invoice_type' | 'issue_date' | 'tax_total' | 'gross_total' | 'record_kind'
    >,
    Partial<Pick<FiscalRecord, 'client_tax_id' | 'lines'>> {
  /** Defaults to `EUR`. */
  readonly currency?: string;
  /** Required for a cancellation, absent for an issue. */
  readonly cancels_invoice_id?: string | null;
  /** The invoice a corrective issue (`R1`…`R5`) corrects; absent otherwise. */
  readonly corrects_invoice_id?: string | null;
  /** ISO 8601 with its UTC offset, seconds precision: see {@link isoWithOffset}. */
  readonly generated_at: string;
}
