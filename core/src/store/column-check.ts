import { DEFAULT_LIMITS, limitViolation, MAX_SAFE_INTEGER, type ColumnDefinition, type ColumnType, type Row, type TableDefinition } from '../declarations/index.js';
import type { SqliteValue } from './row-codec.js';

/**
 * The SQLSTATE a value outside its column's limits is refused with, as the cloud refuses
 * it: a number out of range (22003), text too long (22001), json too big or too deep (22023).
 *
 * @example
 * LIMIT_SQLSTATE.integer; // '22003'
 */
export const LIMIT_SQLSTATE: Readonly<Record<ColumnType, string>> = Object.freeze({
  integer: '22003',
  real: '22003',
  text: '22001',
  json: '22023',
  boolean: '22023',
  timestamp: '22023',
});

/**
 * A value breaking its column's limits: which column, the rule, and the SQLSTATE the
 * cloud would answer.
 *
 * @example
 * const breach: LimitBreach = { column: 'qty', rule: 'must be at most 10', code: '22003' };
 */
export interface LimitBreach {
  readonly column: string;
  readonly rule: string;
  readonly code: string;
}

/**
 * Why a value, as the store keeps it (a json column's value is its JSON text, an integer
 * may be a bigint), breaks the column's limits; `undefined` when it keeps them.
 *
 * @example
 * storedValueViolation(qtyColumn, 2n ** 60n); // 'must be an integer within ±9007199254740991'
 */
export function storedValueViolation(column: ColumnDefinition, value: SqliteValue): string | undefined {
  // Hand-built definitions (tests, older callers) may lack resolved limits: the type's defaults apply.
  const limits = column.limits ?? DEFAULT_LIMITS[column.type];
  if (typeof value === 'bigint') {
    const number = Number(value);
    // limitViolation judges numbers; a bigint beyond the safe range loses its digits in Number().
    if (!Number.isSafeInteger(number)) return `must be an integer within ±${MAX_SAFE_INTEGER}`;
    return limitViolation(column.type, limits, number);
  }
  return limitViolation(column.type, limits, value);
}

/**
 * The first declared column of a decoded row (as the outbox reads it, and as it is
 * uploaded) whose value breaks its limits, or `undefined`. A json value is judged as the
 * JSON text the upload will carry; a value of the wrong type is left to the cloud.
 *
 * @example
 * const breach = rowLimitBreach(definition, entry.row);
 * if (breach) store.failOutbox(entry.seq, describeBreach(breach), retryAt);
 */
export function rowLimitBreach(table: TableDefinition, row: Row): LimitBreach | undefined {
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    let rule: string | undefined;
    if (column.type === 'json') {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (error) {
        rule = unwritableJsonRule(column, value, error) ?? `cannot be sent as JSON (${error instanceof Error ? error.message : String(error)})`;
      }
      rule ??= text === undefined ? undefined : storedValueViolation(column, text);
    } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
      rule = storedValueViolation(column, value);
    }
    if (rule !== undefined) return { column: column.name, rule, code: LIMIT_SQLSTATE[column.type] };
  }
  return undefined;
}

/**
 * A breach as a refusal reads in `status.failed`: the column, the rule, the SQLSTATE.
 *
 * @example
 * describeBreach({ column: 'qty', rule: 'must be at most 10', code: '22003' }); // 'column "qty": must be at most 10 (22003)'
 */
export function describeBreach(breach: LimitBreach): string {
  return `column "${breach.column}": ${breach.rule} (${breach.code})`;
}

/**
 * The limit a json value breaks when writing it out as JSON failed: nested so deep that
 * `JSON.stringify` ran out of stack (a few thousand levels), which only a value far past
 * any depth limit does. `undefined` for any other failure.
 *
 * @example
 * try { encodeValue(table, column, value); } catch (error) { rule = unwritableJsonRule(column, value, error); }
 */
export function unwritableJsonRule(column: ColumnDefinition, value: unknown, error: unknown): string | undefined {
  if (column.type !== 'json' || !(error instanceof RangeError)) return undefined;
  const maxDepth = (column.limits ?? DEFAULT_LIMITS.json).maxDepth ?? DEFAULT_LIMITS.json.maxDepth;
  return `must nest at most ${maxDepth} levels deep (has ${jsonValueDepth(value)})`;
}

/**
 * How deep arrays and objects nest in a value, measured without recursion (so a hostile
 * depth cannot overflow the stack). A scalar is depth 0.
 *
 * @example
 * jsonValueDepth({ a: [1, [2]] }); // 3
 */
export function jsonValueDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, above] = next;
    if (typeof item !== 'object' || item === null) continue;
    const depth = above + 1;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth]);
    }
  }
  return deepest;
}

/**
 * The limit behind a value the codec refused, when a limit explains it better than its
 * type: an integer past ±(2^53−1) (the codec only sees "not an integer"), or json nested
 * too deep to write out (see {@link unwritableJsonRule}). `undefined` otherwise.
 *
 * @example
 * try { encodeValue(table, column, 2 ** 60); } catch (error) { encodingFailureRule(column, 2 ** 60, error); } // 'must be an integer within ±9007199254740991'
 */
export function encodingFailureRule(column: ColumnDefinition, value: unknown, error: unknown): string | undefined {
  if (column.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return storedValueViolation(column, value);
  return unwritableJsonRule(column, value, error);
}
