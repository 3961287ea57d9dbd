import { randomUUID } from 'node:crypto';
import {
  nextInvoiceNumber,
  nextLink,
  signRecord,
  type FiscalRecord,
  type FiscalRecordInput,
  type InstallationKeyPair,
} from '../src/index.js';

/** An issue record's input with plausible values; override what a test is about. */
export function issueInput(overrides: Partial<FiscalRecordInput> = {}): FiscalRecordInput {
  return {
    id: randomUUID(),
    installation_id: 'till-1',
    issuer_tax_id: '89890001K',
    series: 'A-',
    number: 1,
    invoice_type: 'F2',
    issue_date: '2025-03-01',
    tax_total: '2.10',
    gross_total: '12.10',
    client_tax_id: null,
    lines: [{ description: 'Coffee', quantity: '2', unit_price: '5.00', tax_rate: '21' }],
    record_kind: 'issue',
    generated_at: '2025-03-01T10:00:00+01:00',
    ...overrides,
  };
}

/**
 * A signed chain of `count` issued invoices of one series, numbered by
 * `nextInvoiceNumber` and linked by `nextLink`, as the store-bound API will build them.
 */
export function buildChain(
  keys: InstallationKeyPair,
  count: number,
  overrides: Partial<FiscalRecordInput> = {},
): FiscalRecord[] {
  const chain: FiscalRecord[] = [];
  for (let i = 0; i < count; i++) {
    const base = issueInput(overrides);
    const number = nextInvoiceNumber(chain, base.issuer_tax_id, base.series);
    const seconds = String(i % 60).padStart(2, '0');
    const input = { ...base, number, generated_at: `2025-03-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${seconds}+01:00` };
    chain.push(signRecord(nextLink(chain.at(-1), input), keys));
  }
  return chain;
}

/** Appends a signed cancellation of `invoice` to `chain`. */
export function cancel(chain: FiscalRecord[], invoice: FiscalRecord, keys: InstallationKeyPair): FiscalRecord {
  const input = issueInput({
    installation_id: invoice.installation_id,
    issuer_tax_id: invoice.issuer_tax_id,
    series: invoice.series,
    number: invoice.number,
    invoice_type: invoice.invoice_type,
    issue_date: invoice.issue_date,
    tax_total: invoice.tax_total,
    gross_total: invoice.gross_total,
    record_kind: 'cancellation',
    cancels_invoice_id: invoice.id,
    generated_at: '2025-03-02T09:00:00+01:00',
  });
  const record = signRecord(nextLink(chain.at(-1), input), keys);
  chain.push(record);
  return record;
}
