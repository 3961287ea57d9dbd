import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cancellationPreimage, huella, issuePreimage, nextLink, recordPreimage } from '../index.js';

/*
 * Test vectors: the three worked examples (§6.1, §6.2, §6.3) of the AEAT document
 * "Detalle de las especificaciones técnicas para generación de la huella o hash de los
 * registros de facturación" (Veri-Factu_especificaciones_huella_hash_registros.pdf,
 * v0.1.2, 27/08/2024). The PDF itself was not reachable from here; its examples were
 * found reproduced identically in several independent implementations' tests and docs
 * (e.g. mdiago/VeriFactu's README, a PHP VeriFactuHashGenerator test suite, a project's
 * research notes quoting the PDF's pages 10–12). Each expected huella below was also
 * recomputed with node:crypto from the exact string before being pasted here.
 * The digests are literals: they are never computed by the code under test.
 */
const FIRST_ISSUE =
  'IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura=01-01-2024&TipoFactura=F1' +
  '&CuotaTotal=12.35&ImporteTotal=123.45&Huella=&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00';
const FIRST_ISSUE_HUELLA = '3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60';
const SECOND_ISSUE_HUELLA = 'F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97';
const CANCELLATION =
  'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345679/G34&FechaExpedicionFacturaAnulada=01-01-2024' +
  `&Huella=${SECOND_ISSUE_HUELLA}&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00`;
const CANCELLATION_HUELLA = '177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68';

const firstIssue = {
  IDEmisorFactura: '89890001K',
  NumSerieFactura: '12345678/G33',
  FechaExpedicionFactura: '01-01-2024',
  TipoFactura: 'F1',
  CuotaTotal: '12.35',
  ImporteTotal: '123.45',
  Huella: '',
  FechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
};

describe('VeriFactu huella (AEAT worked examples)', () => {
  it('§6.1 first issue record: preimage and huella', () => {
    expect(issuePreimage(firstIssue)).toBe(FIRST_ISSUE);
    expect(huella(FIRST_ISSUE)).toBe(FIRST_ISSUE_HUELLA);
  });

  it('§6.2 next issue record, chained on the first', () => {
    const preimage = issuePreimage({
      ...firstIssue,
      NumSerieFactura: '12345679/G34',
      Huella: FIRST_ISSUE_HUELLA,
      FechaHoraHusoGenRegistro: '2024-01-01T19:20:35+01:00',
    });
    expect(huella(preimage)).toBe(SECOND_ISSUE_HUELLA);
  });

  it('§6.3 cancellation record, chained on the second issue', () => {
    const preimage = cancellationPreimage({
      IDEmisorFacturaAnulada: '89890001K',
      NumSerieFacturaAnulada: '12345679/G34',
      FechaExpedicionFacturaAnulada: '01-01-2024',
      Huella: SECOND_ISSUE_HUELLA,
      FechaHoraHusoGenRegistro: '2024-01-01T19:20:40+01:00',
    });
    expect(preimage).toBe(CANCELLATION);
    expect(huella(preimage)).toBe(CANCELLATION_HUELLA);
  });

  it('agrees with an independent SHA-256 of the same UTF-8 bytes', () => {
    const text = issuePreimage({ ...firstIssue, IDEmisorFactura: 'B1234567Ñ' });
    expect(huella(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex').toUpperCase());
  });

  it('trims values, keeps inner spaces and writes an empty value as Name=', () => {
    expect(issuePreimage({ ...firstIssue, IDEmisorFactura: '  89890001K ', NumSerieFactura: ' 12345678/G33\t' })).toBe(FIRST_ISSUE);
    expect(issuePreimage({ ...firstIssue, NumSerieFactura: 'A 1' })).toContain('&NumSerieFactura=A 1&');
    expect(issuePreimage(firstIssue)).toContain('&Huella=&');
  });

  it('builds the same records from table columns: the whole AEAT chain through nextLink', () => {
    const common = { installation_id: 'till-1', issuer_tax_id: '89890001K', invoice_type: 'F1', issue_date: '2024-01-01' };
    const first = nextLink(undefined, {
      ...common, id: 'a', series: '12345678/G', number: 33, tax_total: '12.35', gross_total: '123.45',
      record_kind: 'issue', generated_at: '2024-01-01T19:20:30+01:00',
    });
    expect(first.preimage).toBe(FIRST_ISSUE);
    expect(first.hash).toBe(FIRST_ISSUE_HUELLA);
    const second = nextLink(first, {
      ...common, id: 'b', series: '12345679/G', number: 34, tax_total: '12.35', gross_total: '123.45',
      record_kind: 'issue', generated_at: '2024-01-01T19:20:35+01:00',
    });
    expect(second.hash).toBe(SECOND_ISSUE_HUELLA);
    const cancellation = nextLink(second, {
      ...common, id: 'c', series: '12345679/G', number: 34, tax_total: '12.35', gross_total: '123.45',
      record_kind: 'cancellation', cancels_invoice_id: 'b', generated_at: '2024-01-01T19:20:40+01:00',
    });
    expect(cancellation.preimage).toBe(CANCELLATION);
    expect(cancellation.hash).toBe(CANCELLATION_HUELLA);
    expect(recordPreimage(cancellation)).toBe(CANCELLATION);
  });
});
