/**
 * The cloud functions a device calls to compare its chains with the cloud's copy, named
 * after the invoices table so test tables never shadow the real ones.
 *
 * @example
 * chainFunctionNames('invoices'); // { heads: 'invoices_chain_heads', records: 'invoices_chain_export' }
 */
export function chainFunctionNames(table: string): { readonly heads: string; readonly records: string } {
  return { heads: `${table}_chain_heads`, records: `${table}_chain_export` };
}

/** The columns of a fiscal record, in the cloud's spelling (the same as the device's). */
const RECORD_COLUMNS = [
  'id', 'installation_id', 'issuer_tax_id', 'series', 'number', 'invoice_type', 'issue_date', 'tax_total',
  'gross_total', 'currency', 'client_tax_id', 'lines', 'record_kind', 'cancels_invoice_id', 'corrects_invoice_id',
  'chain_index', 'prev_hash', 'hash', 'preimage', 'generated_at', 'public_key', 'signature',
] as const;

/** Most records one export call returns, and most chain heads one heads call returns. */
export const CHAIN_EXPORT_MAX_LIMIT = 1000;

/**
 * Two read-only RPC functions in `public` (so PostgREST serves them), `security invoker`
 * so row-level security decides what the caller sees, scoped to the JWT's tenant. Each
 * answers one page as one `jsonb` array, which no row cap of the API cuts; a reader asks
 * for the next page, after the last key it got, until a page comes back short:
 *
 * - `<table>_chain_heads(p_after, p_limit)`: one row per installation (from the records
 *   and the registered keys, so a chain whose records all vanished still shows, with 0
 *   links): `installation_id, links, last_index, last_hash, public_key`, for the
 *   installations after `p_after` (`null`: from the first) in id order, at most `p_limit`;
 * - `<table>_chain_export(p_installation, p_after, p_limit)`: one installation's records
 *   with `chain_index > p_after`, in chain order, at most `p_limit`.
 *
 * `p_limit` is 1 to {@link CHAIN_EXPORT_MAX_LIMIT}. Earlier versions had a heads function
 * without arguments returning a table, which the API cut at 1,000 rows: it is dropped.
 * Part of {@link fiscalServerSql}, which validates the names.
 *
 * @example
 * const sql = chainExportSql('invoices', 'fiscal_installation_keys');
 */
export function chainExportSql(table: string, keys: string): string {
  const t = `public.${table}`;
  const k = `public.${keys}`;
  const { heads, records } = chainFunctionNames(table);
  const columns = RECORD_COLUMNS.map((column) => `i.${column}`).join(', ');
  const limit = (name: string): string => `least(greatest(coalesce(${name}, ${CHAIN_EXPORT_MAX_LIMIT}), 1), ${CHAIN_EXPORT_MAX_LIMIT})`;
  return `-- What "fiscal verify --remote" reads: the caller's chains, under its own row-level security.
drop function if exists public.${heads}();
do $fn$
begin
  if exists (select 1 from pg_catalog.pg_proc p
              where p.oid = pg_catalog.to_regprocedure('public.${heads}(text, integer)')
                and p.prorettype <> 'pg_catalog.jsonb'::pg_catalog.regtype) then
    drop function public.${heads}(text, integer);
  end if;
end
$fn$;
create or replace function public.${heads}(p_after text default null, p_limit integer default ${CHAIN_EXPORT_MAX_LIMIT})
returns jsonb
language sql stable security invoker set search_path = '' as $fn$
  with chains as (
    select i.installation_id, count(*) as links, max(i.chain_index) as last_index
      from ${t} i
      where i.tenant_id = (select equinox.jwt_tenant())
      group by i.installation_id
  ), registered as (
    select r.installation_id, r.public_key from ${k} r where r.tenant_id = (select equinox.jwt_tenant())
  ), page as (
    select coalesce(c.installation_id, r.installation_id) as installation_id, coalesce(c.links, 0) as links,
      coalesce(c.last_index, 0) as last_index, c.installation_id as chained, r.public_key
    from chains c full join registered r on r.installation_id = c.installation_id
    where p_after is null or coalesce(c.installation_id, r.installation_id) > p_after
    order by 1
    limit ${limit('p_limit')}
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'installation_id', p.installation_id, 'links', p.links, 'last_index', p.last_index,
      'last_hash', (select i.hash from ${t} i
                     where i.tenant_id = (select equinox.jwt_tenant()) and i.installation_id = p.chained
                     order by i.chain_index desc limit 1),
      'public_key', p.public_key) order by p.installation_id), '[]'::jsonb)
  from page p;
$fn$;
create or replace function public.${records}(p_installation text, p_after bigint default 0, p_limit integer default ${CHAIN_EXPORT_MAX_LIMIT})
returns jsonb
language sql stable security invoker set search_path = '' as $fn$
  select coalesce(jsonb_agg(to_jsonb(page) order by page.chain_index), '[]'::jsonb)
  from (
    select ${columns}
      from ${t} i
      where i.tenant_id = (select equinox.jwt_tenant()) and i.installation_id = p_installation
        and i.chain_index > coalesce(p_after, 0)
      order by i.chain_index
      limit ${limit('p_limit')}
  ) page;
$fn$;
revoke all on function public.${heads}(text, integer) from public, anon;
revoke all on function public.${records}(text, bigint, integer) from public, anon;
grant execute on function public.${heads}(text, integer) to authenticated, service_role;
grant execute on function public.${records}(text, bigint, integer) to authenticated, service_role;`;
}
