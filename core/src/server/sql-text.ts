import { createHash } from 'node:crypto';
import { assertIdentifier, quoteIdentifier } from '../declarations/index.js';

/**
 * The private schema that holds the engine's registry, sequence and helper functions.
 * PostgREST exposes only `public` (and what a project adds), so nothing here is
 * reachable over HTTP.
 *
 * @example
 * await pg.query(`select name, strategy from ${PRIVATE_SCHEMA}.tables`);
 */
export const PRIVATE_SCHEMA = 'equinox';

/**
 * The transaction-local configuration parameter by which a push's own upsert tells the
 * stamp trigger that it already stamped its rows (`<table>/<tenant>`, see
 * `push_versions`). Only the push function sets it, around its one statement; a device
 * cannot set a parameter over HTTP.
 *
 * @example
 * const cleared = `select pg_catalog.set_config('${PUSH_STAMPED_MARK}', '', true)`;
 */
export const PUSH_STAMPED_MARK = `${PRIVATE_SCHEMA}.push_stamped`;

/** Postgres truncates longer names silently, which would make two objects collide. */
const MAX_NAME_LENGTH = 63;

/** The engine's own object names: `_eq_` can never start a declared name. */
const ENGINE_NAME = /^_eq_[a-z0-9_]{1,59}$/;

/**
 * `public."table"` after re-validating the table name.
 *
 * @example
 * publicTable('clients'); // 'public."clients"'
 */
export function publicTable(table: string): string {
  return `public.${quoteIdentifier(table)}`;
}

/**
 * A single-quoted Postgres string literal. Backslashes are escaped through the `E''`
 * form so the text means the same whatever `standard_conforming_strings` says.
 *
 * @example
 * sqlLiteral("it's"); // "'it''s'"
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new TypeError('a SQL literal cannot contain a NUL character');
  const quoted = `'${value.replace(/'/g, "''")}'`;
  return value.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/**
 * A deterministic name for an object the engine creates for `table` (an index, a
 * trigger, a policy). Names too long for Postgres are shortened with a hash of the
 * full name, so two tables with a long common prefix never share an object name.
 *
 * @example
 * engineObjectName('clients', 'pull'); // '_eq_clients_pull'
 */
export function engineObjectName(table: string, role: string): string {
  return fittedEngineName(`_eq_${assertIdentifier(table, 'table name')}_${role}`);
}

/**
 * `full` as an engine object name Postgres keeps whole: unchanged when it fits, else
 * its start and a hash of all of it. Throws unless it is a valid `_eq_` name.
 *
 * @example
 * fittedEngineName('_eq_limit_total'); // '_eq_limit_total'
 */
export function fittedEngineName(full: string): string {
  const name = full.length <= MAX_NAME_LENGTH ? full : shorten(full);
  if (!ENGINE_NAME.test(name)) throw new TypeError(`engine object name "${name}" is not a valid identifier`);
  return name;
}

function shorten(full: string): string {
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, MAX_NAME_LENGTH - hash.length - 1)}_${hash}`;
}
