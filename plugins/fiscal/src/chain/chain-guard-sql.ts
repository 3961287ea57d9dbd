import { FISCAL_SCHEMA } from './fiscal-schema.js';
import { MAX_AMOUNT_DIGITS } from './amount-rules.js';

/**
 * The BEFORE INSERT guard of the invoices table and its trigger. Part of
 * {@link fiscalServerSql}, which validates the names and defines the helpers it calls
 * (`require`, `is_calendar_date`).
 *
 * @example
 * const sql = chainGuardSql('invoices', 'fiscal_installation_keys');
 */
export function chainGuardSql(table: string, keys: string): string {
  const t = `public.${table}`;
  const k = `public.${keys}`;
  const s = FISCAL_SCHEMA;
  return `-- Runs as the owner: it must see the whole chain and register keys whatever the caller's RLS,
-- which is why it establishes first that a device's row is the device's own. Its lookups are
-- planned once for any tenant (a generic plan): planned for the row's own tenant, one newer
-- than the table's statistics counts as a single row, and the id lookup then took an index
-- that starts with tenant_id alone and read every invoice of the tenant for each new one.
create or replace function ${s}.${table}_guard_insert() returns trigger
language plpgsql security definer set search_path = '' set plan_cache_mode = force_generic_plan as $fn$
declare
  chain text := format('tenant %s, installation %s', new.tenant_id, new.installation_id);
  last_index bigint;
  last_hash text;
  last_number bigint;
  registered text;
  target_id text;
  target_date text;
  expected_preimage text;
  expected_hash text;
  device text;
begin
  -- A device (the authenticated role; current_user is the owner here) first proves the row
  -- is its own. Another tenant's row goes on untouched, so row-level security refuses it
  -- in its own words and nothing below can describe that tenant's chains.
  if coalesce(pg_catalog.current_setting('role', true), '') = 'authenticated'
     or coalesce((select auth.jwt() ->> 'role'), '') = 'authenticated' then
    if new.tenant_id is distinct from (select equinox.jwt_tenant()) then
      return new;
    end if;
    -- A chain and its key belong to one installation, the device the token names.
    device := (select equinox.jwt_device());
    if coalesce(device, '') = '' then
      raise exception 'this token names no device: fiscal records need a device token'
        using errcode = '42501', hint = 'Mint the device''s token with app_metadata.device_id set to its device id.';
    end if;
    if new.installation_id is distinct from device then
      raise exception 'device "%" may only append to its own chain', device
        using errcode = '42501', hint = 'A device''s installation_id is its device id.';
    end if;
  end if;
  -- A retried upload of a row the cloud already holds is left to the primary key, so an
  -- "insert ... on conflict (tenant_id, id) do nothing" reports it as a harmless duplicate.
  if exists (select 1 from ${t} i where i.tenant_id = new.tenant_id and i.id = new.id) then
    return new;
  end if;
  -- One writer per chain at a time: a concurrent link waits and then sees this one.
  perform pg_advisory_xact_lock(hashtextextended('${s}.${table}:' || new.tenant_id || ':' || new.installation_id, 0));

  select i.chain_index, i.hash into last_index, last_hash
    from ${t} i
    where i.tenant_id = new.tenant_id and i.installation_id = new.installation_id
    order by i.chain_index desc limit 1;
  last_index := coalesce(last_index, 0);
  last_hash := coalesce(last_hash, '');
  if new.chain_index is null or new.chain_index <= last_index then
    raise exception 'fiscal chain (%) link %: that link already exists; the next link is %', chain, new.chain_index, last_index + 1
      using errcode = 'unique_violation';
  end if;
  if new.chain_index <> last_index + 1 then
    raise exception 'fiscal chain (%) link %: out of order, expected link %', chain, new.chain_index, last_index + 1
      using errcode = 'P0001', hint = 'Upload the links of a chain in order.';
  end if;
  if new.prev_hash is distinct from last_hash then
    raise exception 'fiscal chain (%) link %: prev_hash must be the hash of link % (%), found %',
      chain, new.chain_index, last_index, case when last_hash = '' then 'empty' else last_hash end, coalesce(new.prev_hash, 'null')
      using errcode = 'P0001';
  end if;

  -- The same rules as the client (record-fields.ts), so both rebuild the same preimage.
  perform ${s}.require(new.issuer_tax_id ~ '^[0-9A-Z]{9}$', chain, new.chain_index, 'issuer_tax_id',
    'nine upper-case letters or digits', new.issuer_tax_id);
  perform ${s}.require(new.series ~ '^[ -~]+$' and new.series !~ '["''<>=]' and new.series !~ '^ | $' and new.series !~ '[0-9]$',
    chain, new.chain_index, 'series', 'printable ASCII without " '' < > =, no edge space, not ending in a digit', new.series);
  perform ${s}.require(new.number >= 1 and length(new.series || new.number::text) <= 60, chain, new.chain_index, 'number',
    'a number from 1, at most 60 characters with its series', new.number::text);
  perform ${s}.require(new.invoice_type in ('F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5'), chain, new.chain_index,
    'invoice_type', 'F1, F2, F3 or R1 to R5', new.invoice_type);
  perform ${s}.require(${s}.is_calendar_date(new.issue_date), chain, new.chain_index, 'issue_date', 'YYYY-MM-DD', new.issue_date);
  perform ${s}.require(new.tax_total ~ '^-?(0|[1-9][0-9]*)[.][0-9]{2}$' and new.tax_total <> '-0.00', chain, new.chain_index,
    'tax_total', 'an amount like 12.35', new.tax_total);
  perform ${s}.require(new.gross_total ~ '^-?(0|[1-9][0-9]*)[.][0-9]{2}$' and new.gross_total <> '-0.00', chain, new.chain_index,
    'gross_total', 'an amount like 123.45', new.gross_total);
  perform ${s}.require(new.generated_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](0[0-9]|1[0-4]):[0-5][0-9]$'
    and ${s}.is_calendar_date(left(new.generated_at, 10)), chain, new.chain_index, 'generated_at',
    'YYYY-MM-DDThh:mm:ss+hh:mm', new.generated_at);
  perform ${s}.require(new.record_kind in ('issue', 'cancellation'), chain, new.chain_index, 'record_kind',
    'issue or cancellation', new.record_kind);
  perform ${s}.require(new.corrects_invoice_id is null
    or (new.record_kind = 'issue' and new.invoice_type ~ '^R[1-5]$' and new.corrects_invoice_id <> ''), chain, new.chain_index,
    'corrects_invoice_id', 'null, or the corrected invoice''s id on a corrective issue (R1 to R5)', new.corrects_invoice_id);
  perform ${s}.require(new.signature ~ '^[A-Za-z0-9+/]{86}==$', chain, new.chain_index, 'signature',
    'an Ed25519 signature in base64', new.signature);

  if new.record_kind = 'issue' then
    select max(i.number) into last_number
      from ${t} i
      where i.tenant_id = new.tenant_id and i.issuer_tax_id = new.issuer_tax_id and i.series = new.series
        and i.record_kind = 'issue';
    last_number := coalesce(last_number, 0);
    if new.number <= last_number then
      raise exception 'fiscal chain (%) link %: invoice number % of series "%" was already issued', chain, new.chain_index, new.number, new.series
        using errcode = 'unique_violation';
    end if;
    if new.number <> last_number + 1 then
      raise exception 'fiscal chain (%) link %: series "%" skips from % to %', chain, new.chain_index, new.series, last_number, new.number
        using errcode = 'P0001';
    end if;
  else
    select i.id, i.issue_date into target_id, target_date
      from ${t} i
      where i.tenant_id = new.tenant_id and i.issuer_tax_id = new.issuer_tax_id and i.series = new.series
        and i.number = new.number and i.record_kind = 'issue';
    if target_id is null then
      raise exception 'fiscal chain (%) link %: cancels invoice % which the cloud does not hold', chain, new.chain_index, new.series || new.number::text
        using errcode = 'P0001', hint = 'Upload the invoice before its cancellation.';
    end if;
    if new.cancels_invoice_id is distinct from target_id or new.issue_date is distinct from target_date then
      raise exception 'fiscal chain (%) link %: cancellation of % must name invoice % issued %, found % issued %',
        chain, new.chain_index, new.series || new.number::text, target_id, target_date, coalesce(new.cancels_invoice_id, 'null'), new.issue_date
        using errcode = 'P0001';
    end if;
    if exists (select 1 from ${t} i where i.tenant_id = new.tenant_id and i.issuer_tax_id = new.issuer_tax_id
        and i.series = new.series and i.number = new.number and i.record_kind = 'cancellation') then
      raise exception 'fiscal chain (%) link %: invoice % is already cancelled', chain, new.chain_index, new.series || new.number::text
        using errcode = 'unique_violation';
    end if;
  end if;

  expected_preimage := case new.record_kind
    when 'issue' then
      'IDEmisorFactura=' || new.issuer_tax_id
      || '&NumSerieFactura=' || new.series || new.number::text
      || '&FechaExpedicionFactura=' || to_char(new.issue_date::date, 'DD-MM-YYYY')
      || '&TipoFactura=' || new.invoice_type
      || '&CuotaTotal=' || new.tax_total
      || '&ImporteTotal=' || new.gross_total
      || '&Huella=' || new.prev_hash
      || '&FechaHoraHusoGenRegistro=' || new.generated_at
    else
      'IDEmisorFacturaAnulada=' || new.issuer_tax_id
      || '&NumSerieFacturaAnulada=' || new.series || new.number::text
      || '&FechaExpedicionFacturaAnulada=' || to_char(new.issue_date::date, 'DD-MM-YYYY')
      || '&Huella=' || new.prev_hash
      || '&FechaHoraHusoGenRegistro=' || new.generated_at
    end;
  if new.preimage is distinct from expected_preimage then
    raise exception 'fiscal chain (%) link %: preimage does not match the columns: expected "%", found "%"',
      chain, new.chain_index, expected_preimage, coalesce(new.preimage, 'null')
      using errcode = 'P0001';
  end if;
  expected_hash := upper(encode(sha256(convert_to(expected_preimage, 'UTF8')), 'hex'));
  if new.hash is distinct from expected_hash then
    raise exception 'fiscal chain (%) link %: hash must be SHA-256 of the preimage, expected %, found %',
      chain, new.chain_index, expected_hash, coalesce(new.hash, 'null')
      using errcode = 'P0001';
  end if;

  -- The amount rules of a new issue (amount-rules.ts): ${MAX_AMOUNT_DIGITS} digits before the point; on F1 to F3 nothing negative, tax within
  -- the total. After the preimage: a row that does not even hash right is reported as that.
  if new.record_kind = 'issue' then
    perform ${s}.require(length(split_part(ltrim(new.tax_total, '-'), '.', 1)) <= ${MAX_AMOUNT_DIGITS}, chain, new.chain_index,
      'tax_total', 'at most ${MAX_AMOUNT_DIGITS} digits before the decimal point', new.tax_total);
    perform ${s}.require(length(split_part(ltrim(new.gross_total, '-'), '.', 1)) <= ${MAX_AMOUNT_DIGITS}, chain, new.chain_index,
      'gross_total', 'at most ${MAX_AMOUNT_DIGITS} digits before the decimal point', new.gross_total);
    if new.invoice_type in ('F1', 'F2', 'F3') then
      perform ${s}.require(new.gross_total::numeric >= 0, chain, new.chain_index, 'gross_total',
        'an amount of 0.00 or more on an ' || new.invoice_type || ' invoice (a refund is a corrective invoice, R1 to R5)', new.gross_total);
      perform ${s}.require(new.tax_total::numeric >= 0, chain, new.chain_index, 'tax_total',
        'an amount of 0.00 or more on an ' || new.invoice_type || ' invoice (a refund is a corrective invoice, R1 to R5)', new.tax_total);
      perform ${s}.require(new.tax_total::numeric <= new.gross_total::numeric, chain, new.chain_index, 'tax_total',
        'at most gross_total (' || new.gross_total || '): the total includes the tax', new.tax_total);
    end if;
  end if;

  select r.public_key into registered
    from ${k} r
    where r.tenant_id = new.tenant_id::text and r.installation_id = new.installation_id;
  if new.chain_index = 1 then
    perform ${s}.require(new.public_key ~ '^[A-Za-z0-9+/]{43}=$', chain, new.chain_index, 'public_key',
      'the installation''s Ed25519 public key (32 bytes in base64) on the first link', new.public_key);
    if registered is null then
      insert into ${k} (tenant_id, installation_id, public_key) values (new.tenant_id::text, new.installation_id, new.public_key);
      registered := new.public_key;
    end if;
  end if;
  if new.public_key is not null and new.public_key is distinct from registered then
    raise exception 'fiscal chain (%) link %: installation key % differs from the registered key %',
      chain, new.chain_index, new.public_key, coalesce(registered, 'none')
      using errcode = 'P0001', hint = 'The first key registered for an installation wins.';
  end if;
  return new;
end
$fn$;
revoke all on function ${s}.${table}_guard_insert() from public;

create or replace trigger fiscal_chain_guard before insert on ${t}
  for each row execute function ${s}.${table}_guard_insert();`;
}
