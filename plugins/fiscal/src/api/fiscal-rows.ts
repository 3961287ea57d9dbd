import type { FiscalRecord, RecordKind } from '../chain/fiscal-record.js';

/** The table every fiscal record lives in, on the device and in the cloud. */
export const INVOICES_TABLE = 'invoices';

/**
 * A stored row (from the device's store or the cloud's export) as a {@link FiscalRecord}:
 * its columns only, values as they are (a tampered value must reach the verifier
 * unchanged), a missing nullable column as null and integers as numbers.
 *
 * @example
 * const record = toFiscalRecord(store.get('invoices', id));
 */
export function toFiscalRecord(row: Readonly<Record<string, unknown>>): FiscalRecord {
  return {
    id: row.id as string,
    installation_id: row.installation_id as string,
    issuer_tax_id: row.issuer_tax_id as string,
    series: row.series as string,
    number: integer(row.number),
    invoice_type: row.invoice_type as string,
    issue_date: row.issue_date as string,
    tax_total: row.tax_total as string,
    gross_total: row.gross_total as string,
    currency: row.currency as string,
    client_tax_id: nullable(row.client_tax_id),
    lines: row.lines ?? null,
    record_kind: row.record_kind as RecordKind,
    cancels_invoice_id: nullable(row.cancels_invoice_id),
    corrects_invoice_id: nullable(row.corrects_invoice_id),
    chain_index: integer(row.chain_index),
    prev_hash: row.prev_hash as string,
    hash: row.hash as string,
    preimage: row.preimage as string,
    generated_at: row.generated_at as string,
    public_key: nullable(row.public_key),
    signature: nullable(row.signature),
  };
}

/**
 * Records in chain order: by installation id, then position.
 *
 * @example
 * inChainOrder(records)[0]?.chain_index; // 1
 */
export function inChainOrder(records: readonly FiscalRecord[]): FiscalRecord[] {
  return [...records].sort((a, b) =>
    a.installation_id === b.installation_id ? a.chain_index - b.chain_index : a.installation_id < b.installation_id ? -1 : 1,
  );
}

function nullable(value: unknown): string | null {
  return value === undefined || value === null ? null : (value as string);
}

function integer(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}
