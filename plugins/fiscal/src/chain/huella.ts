import { createHash } from 'node:crypto';

/**
 * The fields of an issue record (VeriFactu "RegistroAlta") that enter its huella, under
 * the AEAT's names and already formatted as the XML carries them: dates `dd-mm-yyyy`,
 * amounts with a dot, `Huella` the previous record's huella (empty on the first one).
 *
 * @example
 * const fields: IssueHuellaFields = {
 *   IDEmisorFactura: '89890001K', NumSerieFactura: '12345678/G33',
 *   FechaExpedicionFactura: '01-01-2024', TipoFactura: 'F1', CuotaTotal: '12.35',
 *   ImporteTotal: '123.45', Huella: '', FechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
 * };
 */
export interface IssueHuellaFields {
  readonly IDEmisorFactura: string;
  readonly NumSerieFactura: string;
  readonly FechaExpedicionFactura: string;
  readonly TipoFactura: string;
  readonly CuotaTotal: string;
  readonly ImporteTotal: string;
  readonly Huella: string;
  readonly FechaHoraHusoGenRegistro: string;
}

/**
 * The fields of a cancellation record (VeriFactu "RegistroAnulacion") that enter its
 * huella: the identity of the cancelled invoice, the previous huella and the time.
 *
 * @example
 * const fields: CancellationHuellaFields = {
 *   IDEmisorFacturaAnulada: '89890001K', NumSerieFacturaAnulada: '12345679/G34',
 *   FechaExpedicionFacturaAnulada: '01-01-2024', Huella: 'F7B9…',
 *   FechaHoraHusoGenRegistro: '2024-01-01T19:20:40+01:00',
 * };
 */
export interface CancellationHuellaFields {
  readonly IDEmisorFacturaAnulada: string;
  readonly NumSerieFacturaAnulada: string;
  readonly FechaExpedicionFacturaAnulada: string;
  readonly Huella: string;
  readonly FechaHoraHusoGenRegistro: string;
}

// The order is the specification's, not the interface's: it is spelled out here once.
const ISSUE_ORDER = [
  'IDEmisorFactura',
  'NumSerieFactura',
  'FechaExpedicionFactura',
  'TipoFactura',
  'CuotaTotal',
  'ImporteTotal',
  'Huella',
  'FechaHoraHusoGenRegistro',
] as const satisfies ReadonlyArray<keyof IssueHuellaFields>;

const CANCELLATION_ORDER = [
  'IDEmisorFacturaAnulada',
  'NumSerieFacturaAnulada',
  'FechaExpedicionFacturaAnulada',
  'Huella',
  'FechaHoraHusoGenRegistro',
] as const satisfies ReadonlyArray<keyof CancellationHuellaFields>;

/**
 * The exact text an issue record's huella is computed over:
 * `IDEmisorFactura=…&NumSerieFactura=…&FechaExpedicionFactura=…&TipoFactura=…&CuotaTotal=…&ImporteTotal=…&Huella=…&FechaHoraHusoGenRegistro=…`.
 *
 * @example
 * issuePreimage(fields);
 * // 'IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&…&Huella=&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00'
 */
export function issuePreimage(fields: IssueHuellaFields): string {
  return joinFields(ISSUE_ORDER.map((name) => [name, fields[name]]));
}

/**
 * The exact text a cancellation record's huella is computed over:
 * `IDEmisorFacturaAnulada=…&NumSerieFacturaAnulada=…&FechaExpedicionFacturaAnulada=…&Huella=…&FechaHoraHusoGenRegistro=…`.
 *
 * @example
 * cancellationPreimage(fields);
 * // 'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345679/G34&…'
 */
export function cancellationPreimage(fields: CancellationHuellaFields): string {
  return joinFields(CANCELLATION_ORDER.map((name) => [name, fields[name]]));
}

/**
 * The huella of a preimage: SHA-256 over its UTF-8 bytes, 64 upper-case hex digits.
 *
 * @example
 * huella(issuePreimage(fields)); // '3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60'
 */
export function huella(preimage: string): string {
  return createHash('sha256').update(preimage, 'utf8').digest('hex').toUpperCase();
}

// The specification trims every value and writes an empty one as `Name=`; values are
// not URL-encoded (the `/` of a series stays a `/`).
function joinFields(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => `${name}=${value.trim()}`).join('&');
}
