import { describe, expect, it } from 'vitest';
import { issueInput } from '../../test/chain-fixtures.js';
import { FiscalInputError, huella, nextInvoiceNumber, nextLink, recordPreimage } from '../index.js';

describe('nextLink', () => {
  it('starts a chain at index 1 with an empty previous huella', () => {
    const first = nextLink(undefined, issueInput());
    expect(first).toMatchObject({ chain_index: 1, prev_hash: '', public_key: null, signature: null });
    expect(first.preimage).toBe(
      'IDEmisorFactura=89890001K&NumSerieFactura=A-1&FechaExpedicionFactura=01-03-2025&TipoFactura=F2' +
        '&CuotaTotal=2.10&ImporteTotal=12.10&Huella=&FechaHoraHusoGenRegistro=2025-03-01T10:00:00+01:00',
    );
    expect(first.hash).toBe(huella(first.preimage));
  });

  it('links each record to the one before it', () => {
    const first = nextLink(undefined, issueInput());
    const second = nextLink(first, issueInput({ number: 2 }));
    expect(second.chain_index).toBe(2);
    expect(second.prev_hash).toBe(first.hash);
    expect(second.preimage).toContain(`&Huella=${first.hash}&`);
    expect(recordPreimage(second)).toBe(second.preimage);
  });

  it('stores exactly what it hashed', () => {
    const record = nextLink(undefined, issueInput({ tax_total: '2.1', series: ' A- ' }));
    expect(record.tax_total).toBe('2.10');
    expect(record.preimage).toContain('&CuotaTotal=2.10&');
    expect(record.series).toBe('A-');
  });

  it('refuses to link onto another installation, and bad fields before hashing', () => {
    const first = nextLink(undefined, issueInput());
    expect(() => nextLink(first, issueInput({ installation_id: 'till-2' }))).toThrow(FiscalInputError);
    expect(() => nextLink(first, issueInput({ gross_total: '12.345' }))).toThrow(/gross_total/);
  });

  it('numbers a series from 1, ignoring cancellations and other series', () => {
    const records = [
      { issuer_tax_id: '89890001K', series: 'A-', number: 1, record_kind: 'issue' as const },
      { issuer_tax_id: '89890001K', series: 'A-', number: 2, record_kind: 'issue' as const },
      { issuer_tax_id: '89890001K', series: 'A-', number: 2, record_kind: 'cancellation' as const },
      { issuer_tax_id: '89890001K', series: 'B-', number: 7, record_kind: 'issue' as const },
    ];
    expect(nextInvoiceNumber(records, '89890001K', 'A-')).toBe(3);
    expect(nextInvoiceNumber(records, '89890001K', 'C-')).toBe(1);
    expect(nextInvoiceNumber(records, 'B00000000', 'A-')).toBe(1);
  });
});
