import { amountProblem } from './amount-rules.js';
import type { FieldProblem } from './field-problem.js';
import { canonicalAmount, isCanonicalAmount } from './decimal-amount.js';
import { isGeneratedAt, isIsoDate } from './fiscal-dates.js';
import { FiscalInputError } from './fiscal-input-error.js';
import type { FiscalRecord, FiscalRecordInput } from './fiscal-record.js';

/**
 * VeriFactu's invoice types (list L2): complete, simplified, substitute, five corrective.
 *
 * @example
 * INVOICE_TYPES.includes('F2'); // true
 */
export const INVOICE_TYPES = ['F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5'] as const;

/**
 * `NumSerieFactura` (series and number together) may not be longer (AEAT limit).
 *
 * @example
 * `${series}${number}`.length <= MAX_INVOICE_NUMBER_LENGTH;
 */
export const MAX_INVOICE_NUMBER_LENGTH = 60;

export type { FieldProblem } from './field-problem.js';

interface Rule {
  readonly field: keyof FiscalRecord;
  readonly expected: string;
  readonly ok: (record: FiscalRecord) => boolean;
}

// The same rules are written in SQL in fiscal-server-sql.ts: a row this accepts must
// rebuild the same preimage in the cloud, byte for byte.
const RULES: readonly Rule[] = [
  { field: 'id', expected: 'a non-empty id', ok: (r) => nonEmpty(r.id) },
  { field: 'installation_id', expected: 'a non-empty installation id', ok: (r) => nonEmpty(r.installation_id) },
  {
    field: 'issuer_tax_id',
    expected: 'a tax id of nine upper-case letters or digits',
    ok: (r) => typeof r.issuer_tax_id === 'string' && /^[0-9A-Z]{9}$/.test(r.issuer_tax_id),
  },
  {
    field: 'series',
    expected:
      'printable ASCII without " \' < > =, no space at either end, not ending in a digit (the number follows it)',
    ok: (r) => isSeries(r.series),
  },
  { field: 'number', expected: 'a whole number from 1', ok: (r) => Number.isSafeInteger(r.number) && r.number >= 1 },
  {
    field: 'number',
    expected: `series and number together at most ${MAX_INVOICE_NUMBER_LENGTH} characters`,
    ok: (r) => `${r.series}${r.number}`.length <= MAX_INVOICE_NUMBER_LENGTH,
  },
  {
    field: 'invoice_type',
    expected: `one of ${INVOICE_TYPES.join(', ')}`,
    ok: (r) => (INVOICE_TYPES as readonly unknown[]).includes(r.invoice_type),
  },
  { field: 'issue_date', expected: 'a date written YYYY-MM-DD', ok: (r) => isIsoDate(r.issue_date) },
  { field: 'tax_total', expected: 'an amount written like "12.35"', ok: (r) => isCanonicalAmount(r.tax_total) },
  { field: 'gross_total', expected: 'an amount written like "123.45"', ok: (r) => isCanonicalAmount(r.gross_total) },
  {
    field: 'currency',
    expected: 'a three-letter ISO 4217 code',
    ok: (r) => typeof r.currency === 'string' && /^[A-Z]{3}$/.test(r.currency),
  },
  {
    field: 'client_tax_id',
    expected: 'null or a non-empty tax id',
    ok: (r) => r.client_tax_id === null || nonEmpty(r.client_tax_id),
  },
  {
    field: 'record_kind',
    expected: '"issue" or "cancellation"',
    ok: (r) => r.record_kind === 'issue' || r.record_kind === 'cancellation',
  },
  {
    field: 'cancels_invoice_id',
    expected: 'the id of the cancelled invoice on a cancellation, null on an issue',
    ok: (r) => (r.record_kind === 'cancellation' ? nonEmpty(r.cancels_invoice_id) : r.cancels_invoice_id === null),
  },
  {
    field: 'corrects_invoice_id',
    expected: 'null, or the id of the corrected invoice on a corrective issue (R1 to R5)',
    ok: (r) => r.corrects_invoice_id === null || (r.record_kind === 'issue' && /^R[1-5]$/.test(r.invoice_type) && nonEmpty(r.corrects_invoice_id)),
  },
  {
    field: 'generated_at',
    expected: 'ISO 8601 with seconds and offset, e.g. 2024-01-01T19:20:30+01:00',
    ok: (r) => isGeneratedAt(r.generated_at),
  },
];

/**
 * The first field of a stored record that breaks the rules, or `undefined`. Stored
 * rows are checked as they are: nothing is trimmed or reformatted first.
 *
 * @example
 * storedFieldProblem({ ...record, tax_total: '12.3' });
 * // { field: 'tax_total', expected: 'an amount written like "12.35"', found: '"12.3"' }
 */
export function storedFieldProblem(record: FiscalRecord): FieldProblem | undefined {
  const rule = RULES.find((candidate) => !candidate.ok(record));
  if (rule === undefined) return undefined;
  return { field: rule.field, expected: rule.expected, found: JSON.stringify(record[rule.field]) ?? 'undefined' };
}

/**
 * The fields of `input` as they will be stored and hashed: text trimmed (the huella
 * trims anyway, so the columns must already hold what was hashed), amounts canonical
 * and within the amount rules (`amountProblem`), defaults filled in. Throws
 * {@link FiscalInputError} naming the first bad field.
 *
 * @example
 * normalizeRecordInput({ ...input, tax_total: '2.1', series: ' A- ' });
 * // { ...input, tax_total: '2.10', series: 'A-', currency: 'EUR', client_tax_id: null, ... }
 */
export function normalizeRecordInput(input: FiscalRecordInput): Omit<
  FiscalRecord,
  'chain_index' | 'prev_hash' | 'preimage' | 'hash' | 'public_key' | 'signature'
> {
  const fields = {
    id: input.id,
    installation_id: input.installation_id,
    issuer_tax_id: trimmed(input.issuer_tax_id),
    series: trimmed(input.series),
    number: input.number,
    invoice_type: trimmed(input.invoice_type),
    issue_date: trimmed(input.issue_date),
    tax_total: canonicalAmount(trimmed(input.tax_total), 'tax_total'),
    gross_total: canonicalAmount(trimmed(input.gross_total), 'gross_total'),
    currency: input.currency ?? 'EUR',
    client_tax_id: input.client_tax_id ?? null,
    lines: input.lines ?? null,
    record_kind: input.record_kind,
    cancels_invoice_id: input.cancels_invoice_id ?? null,
    corrects_invoice_id: input.corrects_invoice_id ?? null,
    generated_at: trimmed(input.generated_at),
  };
  const placeholder = { chain_index: 1, prev_hash: '', preimage: '', hash: '', public_key: null, signature: null };
  // Amount rules bind new links only: a stored link was accepted under the rules of its day and stays verifiable.
  const problem = storedFieldProblem({ ...fields, ...placeholder }) ?? amountProblem(fields);
  if (problem !== undefined) {
    throw new FiscalInputError(problem.field, problem.expected, (fields as Record<string, unknown>)[problem.field]);
  }
  return fields;
}

/**
 * Whether `value` can be a series: the number is appended to it to make the AEAT's
 * `NumSerieFactura`, so it must not end in a digit (else "A1"+23 and "A"+123 would
 * both read "A123") and must use the characters the AEAT accepts there.
 *
 * @example
 * isSeries('12345678/G'); // true
 * isSeries('2024'); // false
 */
export function isSeries(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^[ -~]+$/.test(value) &&
    !/["'<>=]/.test(value) &&
    !/^ | $/.test(value) &&
    !/[0-9]$/.test(value)
  );
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function trimmed(value: unknown): string {
  return typeof value === 'string' ? value.trim() : (value as string);
}
