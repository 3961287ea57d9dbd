import { FiscalInputError } from './fiscal-input-error.js';

/** What callers may pass: an optional minus, digits, and up to two decimals. */
const AMOUNT_INPUT = /^-?\d+(\.\d{1,2})?$/;

/**
 * The one stored and hashed form: no leading zeros, exactly two decimals. The AEAT
 * treats `123.1` and `123.10` as the same amount, but they hash differently, so the
 * chain fixes one spelling (the one of its published examples) and the cloud checks it.
 */
const CANONICAL_AMOUNT = /^-?(0|[1-9]\d*)\.\d{2}$/;

/**
 * An exact decimal amount in its canonical text form. Works on the digits only, so no
 * binary float ever touches money.
 *
 * @example
 * canonicalAmount('12.3', 'tax_total'); // '12.30'
 * canonicalAmount('007', 'gross_total'); // '7.00'
 * canonicalAmount('-0.0', 'gross_total'); // '0.00'
 * canonicalAmount('1e3', 'gross_total'); // throws FiscalInputError
 */
export function canonicalAmount(value: string, field: string): string {
  if (typeof value !== 'string' || !AMOUNT_INPUT.test(value)) {
    throw new FiscalInputError(field, 'a decimal amount such as "123.45" (text, dot, at most two decimals)', value);
  }
  const negative = value.startsWith('-');
  const [whole = '0', decimals = ''] = (negative ? value.slice(1) : value).split('.');
  const units = whole.replace(/^0+(?=\d)/, '');
  const cents = decimals.padEnd(2, '0');
  // Negative zero is the same amount as zero: one spelling, one hash.
  const zero = units === '0' && cents === '00';
  return `${negative && !zero ? '-' : ''}${units}.${cents}`;
}

/**
 * Whether `value` is already an amount in canonical form, as stored rows must be.
 *
 * @example
 * isCanonicalAmount('123.45'); // true
 * isCanonicalAmount('123.4'); // false
 * isCanonicalAmount('-0.00'); // false
 */
export function isCanonicalAmount(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_AMOUNT.test(value) && value !== '-0.00';
}

/**
 * The opposite of a canonical amount, still canonical (zero stays `0.00`): what a
 * corrective invoice that reverses an invoice in full carries.
 *
 * @example
 * negateAmount('121.00'); // '-121.00'
 * negateAmount('-2.10'); // '2.10'
 * negateAmount('0.00'); // '0.00'
 */
export function negateAmount(amount: string): string {
  if (!isCanonicalAmount(amount)) throw new FiscalInputError('amount', 'an amount written like "123.45"', amount);
  if (amount === '0.00') return amount;
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}
