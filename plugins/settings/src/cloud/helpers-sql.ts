import { SETTINGS_SCHEMA } from './settings-schema.js';

const s = SETTINGS_SCHEMA;

/**
 * The private helpers: the row ids devices derive too (see `settingId` and `licenceId`)
 * and the clock value the cloud stamps its own writes with.
 *
 * @example
 * const sql = helpersSql();
 */
export function helpersSql(): string {
  return `create schema if not exists ${s};
revoke all on schema ${s} from public;

-- Each part prefixed with its length in characters, so no two lists of parts hash alike.
create or replace function ${s}.digest(p_parts text[]) returns text
language sql immutable strict set search_path = '' as $fn$
  select pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.string_agg(pg_catalog.length(part)::text || ':' || part, '' order by ord), 'UTF8')), 'hex'), 32)
    from pg_catalog.unnest(p_parts) with ordinality as u(part, ord)
$fn$;

create or replace function ${s}.setting_id(p_tenant text, p_scope text, p_device text, p_key text) returns text
language sql immutable strict set search_path = '' as $fn$
  select 'set-' || ${s}.digest(array[p_tenant, p_scope, p_device, p_key])
$fn$;

create or replace function ${s}.licence_id(p_tenant text) returns text
language sql immutable strict set search_path = '' as $fn$
  select 'lic-' || ${s}.digest(array[p_tenant])
$fn$;

-- A hybrid logical clock value for the cloud's own writes: wall ms, microseconds as the
-- counter, and a device id no device can mistake for its own.
create or replace function ${s}.cloud_stamp() returns text
language sql volatile set search_path = '' as $fn$
  select pg_catalog.lpad(pg_catalog.floor(extract(epoch from c.t) * 1000)::bigint::text, 13, '0')
    || '-' || pg_catalog.lpad((pg_catalog.floor(extract(epoch from c.t) * 1000000)::bigint % 1000)::text, 6, '0')
    || '-equinox.cloud'
    from (select pg_catalog.clock_timestamp() as t) c
$fn$;

revoke all on all functions in schema ${s} from public, anon, authenticated, service_role;`;
}
