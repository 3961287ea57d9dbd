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

/** Most records one export call returns. */
export const CHAIN_EXPORT_MAX_LIMIT = 1000;

/**
 * Two read-only RPC functions in `public` (so PostgREST serves them), `security invoker`
 * so row-level security decides what the caller sees, scoped to the JWT's tenant:
 *
 * - `<table>_chain_heads()`: one row per installation (from the records and the
 *   registered keys, so a chain whose records all vanished still shows, with 0 links):
 *   `installation_id, links, last_index, last_hash, public_key`;
 * - `<table>_chain_export(p_installation, p_after, p_limit)`: a JSON array of one
 *   installation's records with `chain_index > p_after`, in chain order, at most
 *   `p_limit` (1 to 1000).
 *
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
  return `-- What "fiscal verify --remote" reads: the caller's chains, under its own row-level security.
create or replace function public.${heads}()
returns table (installation_id text, links bigint, last_index bigint, last_hash text, public_key text)
language sql stable security invoker set search_path = '' as $fn$
  with chains as (
    select i.installation_id, count(*) as links, max(i.chain_index) as last_index
      from ${t} i
      where i.tenant_id = (select equinox.jwt_tenant())
      group by i.installation_id
  ), registered as (
    select r.installation_id, r.public_key from ${k} r where r.tenant_id = (select equinox.jwt_tenant())
  )
  select coalesce(c.installation_id, r.installation_id), coalesce(c.links, 0), coalesce(c.last_index, 0),
    (select i.hash from ${t} i
      where i.tenant_id = (select equinox.jwt_tenant()) and i.installation_id = c.installation_id
      order by i.chain_index desc limit 1),
    r.public_key
  from chains c full join registered r on r.installation_id = c.installation_id
  order by 1;
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
      limit least(greatest(coalesce(p_limit, ${CHAIN_EXPORT_MAX_LIMIT}), 1), ${CHAIN_EXPORT_MAX_LIMIT})
  ) page;
$fn$;
revoke all on function public.${heads}() from public, anon;
revoke all on function public.${records}(text, bigint, integer) from public, anon;
grant execute on function public.${heads}() to authenticated, service_role;
grant execute on function public.${records}(text, bigint, integer) to authenticated, service_role;`;
}
