import { DEFAULT_LIMITS, quoteIdentifier, type ColumnDefinition, type TableDefinition } from '../declarations/index.js';
import { fittedEngineName, PRIVATE_SCHEMA, publicTable, sqlLiteral } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * `equinox.json_depth(jsonb)`: how deep arrays and objects nest (a scalar is 0), counted
 * as the device counts it (`jsonTextDepth`). It reads the value's text in one loop rather
 * than walking the tree, so a value nested thousands deep costs a few milliseconds and no
 * stack; most values, with a handful of brackets, cost a few microseconds. Check
 * constraints call it as whoever writes (a device, the back office, the owner), so every
 * role may execute it, even where new functions are not executable by default.
 *
 * @example
 * const sql = jsonDepthSql(); // part of foundationSql()
 */
export function jsonDepthSql(): string {
  return `create or replace function ${s}.json_depth(p_value jsonb) returns integer
language plpgsql immutable strict parallel safe set search_path = '' as $eq$
declare
  v_text text := p_value::text;
  v_depth integer := 0;
  v_deepest integer := 0;
  v_bracket text;
begin
  -- Brackets inside strings do not nest anything: drop the strings, then all but brackets.
  if pg_catalog.strpos(v_text, '"') > 0 then
    v_text := pg_catalog.regexp_replace(v_text, E'"(?:[^"\\\\\\\\]|\\\\\\\\.)*"', '', 'g');
  end if;
  v_text := pg_catalog.regexp_replace(v_text, '[^][{}]', '', 'g');
  foreach v_bracket in array pg_catalog.string_to_array(v_text, null) loop
    if v_bracket = '[' or v_bracket = '{' then
      v_depth := v_depth + 1;
      v_deepest := greatest(v_deepest, v_depth);
    else
      v_depth := v_depth - 1;
    end if;
  end loop;
  return v_deepest;
end
$eq$;
grant execute on function ${s}.json_depth(jsonb) to public;`;
}

/**
 * The check a column's declared limits make in the cloud, as SQL, or `undefined` when
 * its type has none. A real column is always checked for NaN and ±Infinity, which JSON
 * cannot carry to a device. NULL passes: nullability is a separate constraint.
 *
 * @example
 * limitCheckSql({ name: 'qty', type: 'integer', nullable: true, default: undefined, limits: { min: 0, max: 10 } });
 * // '"qty" >= 0 and "qty" <= 10'
 */
export function limitCheckSql(column: ColumnDefinition): string | undefined {
  const c = quoteIdentifier(column.name);
  // A hand-built definition without limits gets the defaults, as definePlugin would give it.
  const { min, max, maxLength, maxBytes, maxDepth } = column.limits ?? DEFAULT_LIMITS[column.type] ?? {};
  const parts: string[] = [];
  switch (column.type) {
    case 'integer':
      if (min !== undefined) parts.push(`${c} >= ${integer(min)}`);
      if (max !== undefined) parts.push(`${c} <= ${integer(max)}`);
      break;
    case 'real':
      parts.push(`${c} <> all ('{NaN,Infinity,-Infinity}'::double precision[])`);
      if (min !== undefined) parts.push(`${c} >= ${real(min)}`);
      if (max !== undefined) parts.push(`${c} <= ${real(max)}`);
      break;
    case 'text':
      if (maxLength !== undefined) parts.push(`pg_catalog.char_length(${c}) <= ${integer(maxLength)}`);
      break;
    case 'json':
      if (maxBytes !== undefined) parts.push(`pg_catalog.octet_length(${c}::text) <= ${integer(maxBytes)}`);
      if (maxDepth !== undefined) parts.push(`${s}.json_depth(${c}) <= ${integer(maxDepth)}`);
      break;
    default:
      break;
  }
  return parts.length === 0 ? undefined : parts.join(' and ');
}

/**
 * The engine's check constraint on one column: `_eq_limit_<column>`, so a refusal names
 * the column. (A column name over 53 characters keeps its first 42 and a hash.)
 *
 * @example
 * limitConstraintName('qty'); // '_eq_limit_qty'
 */
export function limitConstraintName(column: string): string {
  return fittedEngineName(`_eq_limit_${column}`);
}

/**
 * The check constraints that hold a table's columns to their declared limits. Each is
 * added NOT VALID, so rows already stored are left as they are while every new or
 * changed row is checked. A constraint carries its expression as its comment: when a
 * declaration's limits change, the constraint whose comment differs is replaced, and one
 * of a column no longer limited is dropped; otherwise nothing is touched.
 *
 * @example
 * const sql = limitConstraintsSql(table);
 */
export function limitConstraintsSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const relation = `${sqlLiteral(target)}::regclass`;
  const wanted = table.columns.flatMap((column) => {
    const check = limitCheckSql(column);
    return check === undefined ? [] : [{ name: limitConstraintName(column.name), check }];
  });
  const keep = wanted.length === 0
    ? 'false'
    : `(c.conname, pg_catalog.obj_description(c.oid, 'pg_constraint')) in (${wanted.map((w) => `(${sqlLiteral(w.name)}, ${sqlLiteral(w.check)})`).join(', ')})`;
  const adds = wanted.map(
    (w) => `  if not exists (select 1 from pg_catalog.pg_constraint where conrelid = ${relation} and conname = ${sqlLiteral(w.name)}) then
    alter table ${target} add constraint ${w.name} check (${w.check}) not valid;
    comment on constraint ${w.name} on ${target} is ${sqlLiteral(w.check)};
  end if;`,
  );
  return `-- Declared value limits, the same the devices enforce.
do $eq$
declare
  v_stale name;
begin
  for v_stale in
    select c.conname from pg_catalog.pg_constraint c
     where c.conrelid = ${relation} and c.contype = 'c' and pg_catalog.left(c.conname, 10) = '_eq_limit_' and not coalesce(${keep}, false)
  loop
    execute pg_catalog.format('alter table ${target} drop constraint %I', v_stale);
  end loop;
${adds.join('\n')}
end
$eq$;`;
}

/** Limits are validated numbers; this keeps a hand-built definition from writing anything else. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`limit ${String(value)} is not a safe integer`);
  return String(value);
}

function real(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`limit ${String(value)} is not a finite number`);
  return `${sqlLiteral(String(value))}::double precision`;
}
