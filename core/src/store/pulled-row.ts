import type { Row } from '../declarations/index.js';
import { describeBreach, encodingFailureRule, LIMIT_SQLSTATE, storedValueViolation } from './column-check.js';
import { encodeTombstone, encodeValue, type SqliteValue } from './row-codec.js';
import type { TableContext } from './table-registry.js';

/**
 * A pulled row as the store writes it: the columns it brings (system columns first,
 * `id` at index 0) and their stored values, in the same order.
 *
 * @example
 * const { columns, values } = encoded; // ['id', 'tenant_id', 'updated_at', 'deleted', 'label'], ['a1', 't', '…', 0, 'Ada']
 */
export interface EncodedRow {
  readonly columns: readonly string[];
  readonly values: readonly SqliteValue[];
}

/**
 * Why a pulled value cannot be taken, with the row's id when it has a usable one.
 *
 * @example
 * const problem: PulledRowProblem = { id: 'a1', reason: 'column "qty": expects an integer, got string' };
 */
export interface PulledRowProblem {
  readonly id: string | null;
  readonly reason: string;
}

/**
 * Decodes a row the cloud sent into what the store writes, or says why it cannot: not an
 * object, no string id or `updated_at`, a tombstone flag that is not a boolean, a value of
 * the wrong type for its declared column, or one outside the column's limits. Columns not
 * declared here (a newer plugin version in the cloud) are ignored; a row without a
 * `tenant_id` gets the store's.
 *
 * @example
 * const encoded = encodePulledRow(context, page.rows[0], 'tenant-a');
 * if ('reason' in encoded) quarantine.hold(context.id, { ...encoded, row: page.rows[0], serverVersion: null, receivedAt: Date.now() });
 */
export function encodePulledRow(context: TableContext, row: unknown, tenantId: string): EncodedRow | PulledRowProblem {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    return { id: null, reason: `not a row object (got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row})` };
  }
  const r = row as Row;
  if (typeof r.id !== 'string' || r.id === '') {
    return { id: null, reason: r.id === undefined || r.id === null || r.id === '' ? 'has no id' : `id is ${typeof r.id}, not a string` };
  }
  const id = r.id;
  if (typeof r.updated_at !== 'string') return { id, reason: 'has no updated_at' };
  // A tombstone flag that is neither true nor false must not read as "alive": that would resurrect a deleted row.
  const deleted = r.deleted;
  if (deleted !== undefined && deleted !== true && deleted !== false && deleted !== 1 && deleted !== 0) {
    return { id, reason: `deleted is ${JSON.stringify(deleted)?.slice(0, 40)}, not a boolean` };
  }
  const { definition } = context;
  const values: SqliteValue[] = [id, typeof r.tenant_id === 'string' ? r.tenant_id : tenantId, r.updated_at, encodeTombstone(deleted)];
  for (const column of definition.columns) {
    const value = r[column.name];
    if (value === undefined) continue;
    let encoded: SqliteValue;
    try {
      encoded = encodeValue(definition, column, value);
    } catch (error) {
      // A number past 2^53 reads as "not an integer" to the codec, json nested thousands deep
      // as a stack overflow; their limits say more.
      const rule = encodingFailureRule(column, value, error);
      if (rule !== undefined) return { id, reason: describeBreach({ column: column.name, rule, code: LIMIT_SQLSTATE[column.type] }) };
      return { id, reason: withoutTablePrefix(error, definition.plugin, definition.name, column.name) };
    }
    const rule = encoded === null ? undefined : storedValueViolation(column, encoded);
    if (rule !== undefined) return { id, reason: describeBreach({ column: column.name, rule, code: LIMIT_SQLSTATE[column.type] }) };
    values.push(encoded);
  }
  return { columns: columnsOf(context, r, values.length), values };
}

/** The system columns a pulled row always writes, in the order of its values. */
const SYSTEM_WRITTEN = ['id', 'tenant_id', 'updated_at', 'deleted'] as const;
const SYSTEM_COUNT = SYSTEM_WRITTEN.length;

/** Every table's full column list, shared by its rows that bring every column. */
const allColumns = new WeakMap<TableContext, readonly string[]>();

/**
 * The columns a row brings, system columns first: nearly always all of them, so one list
 * per table serves every such row (and the writer sees at once that rows share it); a row
 * without some column gets its own.
 */
function columnsOf(context: TableContext, row: Row, count: number): readonly string[] {
  const declared = context.definition.columns;
  if (count === SYSTEM_COUNT + declared.length) {
    let all = allColumns.get(context);
    if (all === undefined) {
      all = [...SYSTEM_WRITTEN, ...declared.map((column) => column.name)];
      allColumns.set(context, all);
    }
    return all;
  }
  return [...SYSTEM_WRITTEN, ...declared.filter((column) => row[column.name] !== undefined).map((column) => column.name)];
}

/** The codec's message names plugin and table; beside a quarantined row of that table, the column is enough. */
function withoutTablePrefix(error: unknown, plugin: string, table: string, column: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `plugin "${plugin}" table "${table}" `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : `column "${column}": ${message}`;
}
