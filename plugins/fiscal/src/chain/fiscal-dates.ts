import { FiscalInputError } from './fiscal-input-error.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `FechaHoraHusoGenRegistro` as the AEAT writes it: seconds precision and an explicit
 * `+hh:mm` / `-hh:mm` offset (never `Z`, never fractions), so the same instant is always
 * spelled the same way by every device that hashes it.
 */
const GENERATED_AT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d[+-](0\d|1[0-4]):[0-5]\d$/;

/**
 * Whether `value` is a real calendar date written `YYYY-MM-DD` (year 0001 to 9999).
 *
 * @example
 * isIsoDate('2024-02-29'); // true
 * isIsoDate('2023-02-29'); // false
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * An issue date as the huella writes it (`FechaExpedicionFactura`, `dd-mm-yyyy`).
 *
 * @example
 * spanishDate('2024-01-01'); // '01-01-2024'
 */
export function spanishDate(isoDate: string): string {
  if (!isIsoDate(isoDate)) throw new FiscalInputError('issue_date', 'a date written YYYY-MM-DD', isoDate);
  const [year, month, day] = isoDate.split('-');
  return `${day}-${month}-${year}`;
}

/**
 * Whether `value` is a generation time the huella accepts: `YYYY-MM-DDThh:mm:ss±hh:mm`.
 *
 * @example
 * isGeneratedAt('2024-01-01T19:20:30+01:00'); // true
 * isGeneratedAt('2024-01-01T18:20:30Z'); // false: the offset must be written out
 */
export function isGeneratedAt(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = GENERATED_AT.exec(value);
  return match !== null && isIsoDate(match[1]);
}

/**
 * A moment as `FechaHoraHusoGenRegistro`: the wall time at `offsetMinutes` from UTC
 * (by default this machine's offset at that moment) followed by that offset.
 *
 * @example
 * isoWithOffset(new Date('2024-01-01T18:20:30.250Z'), 60); // '2024-01-01T19:20:30+01:00'
 */
export function isoWithOffset(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) {
    throw new RangeError(`a UTC offset must be whole minutes within ±14:00, got ${offsetMinutes}`);
  }
  // Shift the instant by the offset, then read it as UTC: that is the local wall time.
  const wall = new Date(Math.floor(date.getTime() / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  return `${wall.toISOString().slice(0, 19)}${offset}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
