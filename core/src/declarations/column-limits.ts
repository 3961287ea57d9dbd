import type { ColumnDeclaration, ColumnLimits, ColumnType } from './table-declaration.js';

/**
 * The largest integer every device can decode exactly (JavaScript numbers are doubles),
 * so it bounds every declared integer on the device and in the cloud.
 *
 * @example
 * Number.isSafeInteger(MAX_SAFE_INTEGER); // true
 */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * What a column gets when its declaration names no limit.
 *
 * @example
 * DEFAULT_LIMITS.text.maxLength; // 10000
 */
export const DEFAULT_LIMITS: Readonly<Record<ColumnType, ColumnLimits>> = Object.freeze({
  text: Object.freeze({ maxLength: 10_000 }),
  integer: Object.freeze({ min: -MAX_SAFE_INTEGER, max: MAX_SAFE_INTEGER }),
  real: Object.freeze({}),
  boolean: Object.freeze({}),
  json: Object.freeze({ maxBytes: 65_536, maxDepth: 32 }),
  timestamp: Object.freeze({}),
});

/** Which limit fields each type takes; any other is a declaration problem. */
const LIMIT_FIELDS: Readonly<Record<ColumnType, readonly (keyof ColumnLimits)[]>> = {
  text: ['maxLength'],
  integer: ['min', 'max'],
  real: ['min', 'max'],
  boolean: [],
  json: ['maxBytes', 'maxDepth'],
  timestamp: [],
};

/** Hard ceilings: a declaration may narrow the defaults, and widen them only this far. */
const CEILINGS = { maxLength: 1_000_000, maxBytes: 1_048_576, maxDepth: 64 } as const;

/**
 * The column's limits with the defaults of its type filled in.
 *
 * @example
 * resolveColumnLimits({ type: 'integer', min: 0 }); // { min: 0, max: 9007199254740991 }
 */
export function resolveColumnLimits(column: ColumnDeclaration): ColumnLimits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS[column.type] } as Record<string, number>;
  for (const field of LIMIT_FIELDS[column.type]) {
    const value = column[field];
    if (value !== undefined) limits[field] = value;
  }
  return Object.freeze(limits);
}

/**
 * The problems of a column's declared limits, as `[field, message]` pairs; empty when they fit.
 *
 * @example
 * columnLimitProblems({ type: 'text', min: 1 }); // [['min', 'applies to integer and real columns only']]
 */
export function columnLimitProblems(column: ColumnDeclaration): [keyof ColumnLimits, string][] {
  const problems: [keyof ColumnLimits, string][] = [];
  const allowed = LIMIT_FIELDS[column.type] ?? [];
  for (const field of ['min', 'max', 'maxLength', 'maxBytes', 'maxDepth'] as const) {
    const value = column[field];
    if (value === undefined) continue;
    if (!allowed.includes(field)) {
      const types = (Object.keys(LIMIT_FIELDS) as ColumnType[]).filter((type) => LIMIT_FIELDS[type].includes(field));
      problems.push([field, `applies to ${types.join(' and ')} columns only`]);
      continue;
    }
    if (field === 'min' || field === 'max') {
      if (column.type === 'integer' && !(Number.isSafeInteger(value) )) {
        problems.push([field, `must be an integer within ±${MAX_SAFE_INTEGER}`]);
      } else if (!Number.isFinite(value)) {
        problems.push([field, 'must be a finite number']);
      }
      continue;
    }
    const ceiling = CEILINGS[field];
    if (!Number.isInteger(value) || value < 1 || value > ceiling) problems.push([field, `must be an integer from 1 to ${ceiling}`]);
  }
  if (column.min !== undefined && column.max !== undefined && column.min > column.max) {
    problems.push(['min', `must not exceed max (${column.max})`]);
  }
  return problems;
}

/**
 * Why a value breaks the column's limits, or `undefined` when it keeps them. `null` and
 * `undefined` are left to nullability. A json value is judged as the JSON text it is
 * stored as (a string) or as the value itself.
 *
 * @example
 * limitViolation('integer', { min: 0, max: 10 }, 11); // 'must be at most 10'
 */
export function limitViolation(type: ColumnType, limits: ColumnLimits, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'integer':
    case 'real': {
      if (typeof value !== 'number') return undefined;
      if (!Number.isFinite(value)) return 'must be a finite number';
      if (type === 'integer' && !Number.isSafeInteger(value)) return `must be an integer within ±${MAX_SAFE_INTEGER}`;
      if (limits.min !== undefined && value < limits.min) return `must be at least ${limits.min}`;
      if (limits.max !== undefined && value > limits.max) return `must be at most ${limits.max}`;
      return undefined;
    }
    case 'text': {
      if (typeof value !== 'string' || limits.maxLength === undefined) return undefined;
      // Cheap bound first: a string has at least length/2 code points.
      if (value.length <= limits.maxLength) return undefined;
      const length = [...value].length;
      return length > limits.maxLength ? `must be at most ${limits.maxLength} characters (has ${length})` : undefined;
    }
    case 'json': {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (text === undefined) return undefined;
      const bytes = Buffer.byteLength(text, 'utf8');
      if (limits.maxBytes !== undefined && bytes > limits.maxBytes) return `must be at most ${limits.maxBytes} bytes of JSON (has ${bytes})`;
      if (limits.maxDepth !== undefined) {
        const depth = jsonTextDepth(text);
        if (depth > limits.maxDepth) return `must nest at most ${limits.maxDepth} levels deep (has ${depth})`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * How deep arrays and objects nest in a JSON text, read without parsing it (so a hostile
 * depth cannot overflow the parser's stack). Brackets inside strings do not count.
 *
 * @example
 * jsonTextDepth('{"a":[1,[2]]}'); // 3
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return deepest;
}
