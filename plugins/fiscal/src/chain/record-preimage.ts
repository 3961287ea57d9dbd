import { spanishDate } from './fiscal-dates.js';
import type { FiscalRecord } from './fiscal-record.js';
import { cancellationPreimage, issuePreimage } from './huella.js';

/**
 * The columns a huella is built from.
 *
 * @example
 * const columns: PreimageColumns = record; // any FiscalRecord has them
 */
export type PreimageColumns = Pick<
  FiscalRecord,
  | 'issuer_tax_id'
  | 'series'
  | 'number'
  | 'invoice_type'
  | 'issue_date'
  | 'tax_total'
  | 'gross_total'
  | 'record_kind'
  | 'prev_hash'
  | 'generated_at'
>;

/**
 * The AEAT's `NumSerieFactura` of a row: the series followed by the number, with no
 * separator (a series ends in a non-digit, so the pair reads back unambiguously).
 *
 * @example
 * numSerieFactura('12345678/G', 33); // '12345678/G33'
 */
export function numSerieFactura(series: string, number: number): string {
  return `${series}${number}`;
}

/**
 * The preimage a row's huella must be computed over, rebuilt from its columns: an issue
 * as a RegistroAlta, a cancellation as a RegistroAnulacion of the invoice it repeats.
 *
 * @example
 * recordPreimage({ issuer_tax_id: '89890001K', series: '12345678/G', number: 33,
 *   invoice_type: 'F1', issue_date: '2024-01-01', tax_total: '12.35', gross_total: '123.45',
 *   record_kind: 'issue', prev_hash: '', generated_at: '2024-01-01T19:20:30+01:00' });
 * // 'IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura=01-01-2024&…'
 */
export function recordPreimage(record: PreimageColumns): string {
  const invoice = numSerieFactura(record.series, record.number);
  const date = spanishDate(record.issue_date);
  if (record.record_kind === 'cancellation') {
    return cancellationPreimage({
      IDEmisorFacturaAnulada: record.issuer_tax_id,
      NumSerieFacturaAnulada: invoice,
      FechaExpedicionFacturaAnulada: date,
      Huella: record.prev_hash,
      FechaHoraHusoGenRegistro: record.generated_at,
    });
  }
  return issuePreimage({
    IDEmisorFactura: record.issuer_tax_id,
    NumSerieFactura: invoice,
    FechaExpedicionFactura: date,
    TipoFactura: record.invoice_type,
    CuotaTotal: record.tax_total,
    ImporteTotal: record.gross_total,
    Huella: record.prev_hash,
    FechaHoraHusoGenRegistro: record.generated_at,
  });
}
