import { chainExportSql } from './chain-export-sql.js';
import { chainGuardSql } from './chain-guard-sql.js';
import { FISCAL_SCHEMA } from './fiscal-schema.js';
import { installationKeysSql } from './installation-keys-sql.js';

/**
 * Where {@link fiscalServerSql} installs the chain guard. Both tables live in `public`;
 * the guard's functions live in the `equinox_fiscal` schema, which PostgREST does not
 * expose.
 *
 * @example
 * const options: FiscalServerSqlOptions = { table: 'invoices', keysTable: 'fiscal_installation_keys' };
 */
export interface FiscalServerSqlOptions {
  /** The invoices table (default `invoices`), created by core's server compiler. */
  readonly table?: string;
  /** The installation keys table (default `fiscal_installation_keys`), created here. */
  readonly keysTable?: string;
}

// Derived object names append up to 22 characters and must stay within Postgres' 63.
const TABLE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Serialises concurrent runs (two deploys, two test files): two concurrent
 * `create or replace function` of one function fail with "tuple concurrently updated".
 */
const MIGRATION_LOCK_KEY = 7_310_593_142_305_017;

/**
 * The cloud SQL of the fiscal chain, idempotent and runnable unchanged on Supabase (no
 * extension: `sha256(bytea)` is built into Postgres 11+). It expects the invoices table
 * (with core's `id` and `tenant_id`) to exist and adds:
 *
 * - a BEFORE INSERT guard. For a device (the `authenticated` role) it first establishes
 *   that the row is the caller's: a row of another tenant goes on untouched, so row-level
 *   security refuses it in its own words and no refusal can describe another tenant's
 *   chain; a token that names no device is refused, and so is a link of any installation
 *   but the token's device (`equinox.jwt_device()`), so a chain, its first link and its key
 *   are bound to the device identity (SQLSTATE 42501). The service role writes any
 *   (back office, restores). Then: the link must be the chain's next one (`chain_index`
 *   = last + 1 per tenant and installation, `prev_hash` = last huella), its fields valid, its
 *   preimage the one its columns rebuild and its `hash` that preimage's SHA-256; an issue
 *   must take the next number of its series, a cancellation must name an issued invoice;
 *   the first link must carry the installation's public key, which is registered (the
 *   first key wins) and every later key must match it; a signature must be present;
 * - unique `(tenant_id, installation_id, chain_index)` and `(tenant_id, installation_id, prev_hash)`;
 * - UPDATE, DELETE and TRUNCATE refused for every role, superusers included;
 * - `public.fiscal_installation_keys`, readable by the tenant in the JWT
 *   (`equinox.jwt_tenant()`), never changed;
 * - `public.<table>_chain_heads()` and `public.<table>_chain_export(...)`, read-only RPC
 *   functions under the caller's row-level security, for `verify({ remote: true })`.
 *
 * Errors name the chain and the link, the caller's own: SQLSTATE 23505 for a link or
 * number that already exists, P0001 for any other refused link, 23001 for an update or
 * delete, 42501 for a link of another installation or from a token without a device.
 *
 * Signatures are not verified here: Postgres has no Ed25519 and this SQL uses no
 * extension. The cloud checks the chain and the huellas; `equinox fiscal verify --remote`
 * checks the signatures on a client against the registered keys.
 *
 * @example
 * await applySql(cloud, fiscalServerSql()); // public.invoices
 * await applySql(cloud, fiscalServerSql({ table: 'invoices_test_1', keysTable: 'keys_test_1' }));
 */
export function fiscalServerSql(options: FiscalServerSqlOptions = {}): string {
  const table = tableName(options.table ?? 'invoices', 'table');
  const keys = tableName(options.keysTable ?? 'fiscal_installation_keys', 'keysTable');
  const t = `public.${table}`;
  const s = FISCAL_SCHEMA;
  return `-- @equinox-sync/plugin-fiscal: the hash chain of ${t}. Idempotent; run it in one transaction.
select pg_catalog.pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});
create schema if not exists ${s};
revoke all on schema ${s} from public;

-- Raises when a check fails; null counts as failed, so a missing column value never passes.
-- (The last parameter is not called "found": that is PL/pgSQL's own boolean.)
create or replace function ${s}.require(ok boolean, chain text, link bigint, field text, expected text, actual text)
returns void language plpgsql stable set search_path = '' as $fn$
begin
  if ok is not true then
    raise exception 'fiscal chain (%) link %: invalid %: expected %, found %', chain, link, field, expected, coalesce(actual, 'null')
      using errcode = 'P0001';
  end if;
end
$fn$;

create or replace function ${s}.is_calendar_date(value text) returns boolean
language plpgsql stable set search_path = '' as $fn$
begin
  return value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' and to_char(value::date, 'YYYY-MM-DD') = value;
exception when others then
  return false;
end
$fn$;

create or replace function ${s}.refuse_change() returns trigger
language plpgsql set search_path = '' as $fn$
begin
  raise exception 'fiscal records in %.% are append-only: % is refused', tg_table_schema, tg_table_name, tg_op
    using errcode = 'restrict_violation', hint = 'Correct or cancel an invoice by adding a new record.';
end
$fn$;

${installationKeysSql(keys)}
create unique index if not exists ${table}_fiscal_chain_index on ${t} (tenant_id, installation_id, chain_index);
create unique index if not exists ${table}_fiscal_prev_hash on ${t} (tenant_id, installation_id, prev_hash);
create unique index if not exists ${table}_fiscal_number on ${t} (tenant_id, issuer_tax_id, series, number, record_kind);

${chainGuardSql(table, keys)}
create or replace trigger fiscal_append_only before update or delete on ${t}
  for each row execute function ${s}.refuse_change();
create or replace trigger fiscal_append_only_truncate before truncate on ${t}
  for each statement execute function ${s}.refuse_change();

${chainExportSql(table, keys)}
`;
}

/**
 * The SQL for the real tables, `public.invoices` and `public.fiscal_installation_keys`,
 * as `equinox cloud sql` should emit it after core's tables.
 *
 * @example
 * await applySql(cloud, FISCAL_SERVER_SQL);
 */
export const FISCAL_SERVER_SQL: string = fiscalServerSql();

function tableName(name: string, option: string): string {
  if (!TABLE_NAME.test(name)) throw new TypeError(`fiscalServerSql: ${option} "${name}" must match ${TABLE_NAME.source}`);
  return name;
}
