import { describe, expect, it } from 'vitest';
import { issueInput } from '../../test/chain-fixtures.js';
import {
  canonicalAmount,
  FiscalInputError,
  isCanonicalAmount,
  isGeneratedAt,
  isIsoDate,
  isoWithOffset,
  isSeries,
  normalizeRecordInput,
  spanishDate,
} from '../index.js';

describe('amounts', () => {
  it('accepts exact decimal text and writes it with exactly two decimals', () => {
    expect(canonicalAmount('12.3', 'tax_total')).toBe('12.30');
    expect(canonicalAmount('123.45', 'tax_total')).toBe('123.45');
    expect(canonicalAmount('007', 'tax_total')).toBe('7.00');
    expect(canonicalAmount('-0.5', 'tax_total')).toBe('-0.50');
    expect(canonicalAmount('-0.00', 'tax_total')).toBe('0.00');
    // Beyond what a double holds exactly: the digits go through untouched.
    expect(canonicalAmount('90071992547409931.99', 'gross_total')).toBe('90071992547409931.99');
  });

  it('refuses anything that is not ^-?\\d+(\\.\\d{1,2})?$, naming the field', () => {
    for (const bad of ['12,50', '1e3', '1.234', '.5', '5.', '+5', '', ' ', 'NaN']) {
      expect(() => canonicalAmount(bad, 'gross_total')).toThrow(FiscalInputError);
    }
    expect(() => canonicalAmount(12.5 as unknown as string, 'gross_total')).toThrow(/gross_total/);
  });

  it('knows the canonical spelling stored rows must use', () => {
    expect(isCanonicalAmount('0.00')).toBe(true);
    expect(isCanonicalAmount('-1.05')).toBe(true);
    expect(['12.3', '012.30', '-0.00', '12', 12.3].some((v) => isCanonicalAmount(v))).toBe(false);
  });
});

describe('dates', () => {
  it('writes the issue date as the huella does, refusing impossible dates', () => {
    expect(spanishDate('2024-01-01')).toBe('01-01-2024');
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('0000-01-01')).toBe(false);
    expect(() => spanishDate('01-01-2024')).toThrow(FiscalInputError);
  });

  it('requires the generation time with seconds and an explicit offset', () => {
    expect(isGeneratedAt('2024-01-01T19:20:30+01:00')).toBe(true);
    expect(isGeneratedAt('2024-07-01T08:00:00-03:30')).toBe(true);
    for (const bad of ['2024-01-01T18:20:30Z', '2024-01-01T19:20:30.123+01:00', '2024-01-01T24:00:00+01:00', '2024-02-30T10:00:00+01:00']) {
      expect(isGeneratedAt(bad)).toBe(false);
    }
  });

  it('spells a moment with its offset, dropping milliseconds', () => {
    const moment = new Date('2024-01-01T18:20:30.250Z');
    expect(isoWithOffset(moment, 60)).toBe('2024-01-01T19:20:30+01:00');
    expect(isoWithOffset(moment, -210)).toBe('2024-01-01T14:50:30-03:30');
    expect(isoWithOffset(moment, 0)).toBe('2024-01-01T18:20:30+00:00');
    expect(isGeneratedAt(isoWithOffset(new Date()))).toBe(true);
  });
});

describe('record fields', () => {
  it('normalises what it will hash: trimmed text, canonical amounts, defaults', () => {
    const fields = normalizeRecordInput(issueInput({ series: ' A- ', tax_total: '2.1', gross_total: ' 12.1 ' }));
    expect(fields).toMatchObject({ series: 'A-', tax_total: '2.10', gross_total: '12.10', currency: 'EUR', cancels_invoice_id: null });
  });

  it('keeps series and number apart: a series may not end in a digit', () => {
    expect(isSeries('12345678/G')).toBe(true);
    expect(isSeries('FAC-2025-')).toBe(true);
    for (const bad of ['2025', 'A=', 'A"', ' A', 'A ', 'Ñ-', '']) expect(isSeries(bad)).toBe(false);
  });

  it('names the first bad field', () => {
    const attempt = (overrides: Parameters<typeof issueInput>[0]): unknown => {
      try {
        normalizeRecordInput(issueInput(overrides));
        return undefined;
      } catch (error) {
        return error instanceof FiscalInputError ? error.field : error;
      }
    };
    expect(attempt({ issuer_tax_id: '8989' })).toBe('issuer_tax_id');
    expect(attempt({ number: 0 })).toBe('number');
    expect(attempt({ number: 1.5 })).toBe('number');
    expect(attempt({ series: 'X'.repeat(59), number: 10 })).toBe('number');
    expect(attempt({ invoice_type: 'F9' })).toBe('invoice_type');
    expect(attempt({ issue_date: '2025-13-01' })).toBe('issue_date');
    expect(attempt({ currency: 'eur' })).toBe('currency');
    expect(attempt({ record_kind: 'cancellation' })).toBe('cancels_invoice_id');
    expect(attempt({ cancels_invoice_id: 'x' })).toBe('cancels_invoice_id');
    expect(attempt({ generated_at: '2025-03-01 10:00:00' })).toBe('generated_at');
  });
});
