/**
 * A field of a fiscal record that breaks the rules: which, what it should be, what it is.
 *
 * @example
 * const problem: FieldProblem = { field: 'tax_total', expected: 'a canonical amount', found: '12.3' };
 */
export interface FieldProblem {
  readonly field: string;
  readonly expected: string;
  readonly found: string;
}
