import { SETTINGS_SCHEMA } from './settings-schema.js';

const s = SETTINGS_SCHEMA;

/**
 * The back office's writes, for the service role only (over PostgREST:
 * `rpc('settings_put', …)` with the service key):
 *
 * - `settings_put(p_tenant, p_key, p_value jsonb, p_scope = 'tenant', p_device = '')`
 *   sets one setting, on the row devices use for it (the live row with that key, else
 *   the derived id), so a device's concurrent edit meets it as a conflict the cloud wins.
 *   It writes `p_tenant`'s rows only, and a row found under the derived id is made that
 *   setting whole (key, scope and device too), so no row written before under that id
 *   can keep the setting from taking effect;
 * - `settings_put_licence(p_tenant, p_plan, p_valid_until, p_max_devices, p_features = '{}')`
 *   issues or renews the tenant's licence (one row per tenant, derived id).
 *
 * Both stamp `updated_at` with the cloud's clock and return the row written.
 *
 * @example
 * const sql = backOfficeSql();
 */
export function backOfficeSql(): string {
  return `create or replace function public.settings_put(
  p_tenant text, p_key text, p_value jsonb, p_scope text default 'tenant', p_device text default ''
) returns jsonb
language plpgsql volatile security definer set search_path = '' as $fn$
declare
  v_device text := coalesce(p_device, '');
  v_row public.settings;
begin
  if coalesce(p_tenant, '') = '' or coalesce(p_key, '') = '' then
    raise exception 'settings_put needs p_tenant and p_key' using errcode = '22023';
  end if;
  if p_scope is null or p_scope not in ('tenant', 'device') then
    raise exception 'scope "%" must be "tenant" or "device"', p_scope using errcode = '22023';
  end if;
  if (p_scope = 'device') <> (v_device <> '') then
    raise exception 'a device setting names its device (p_device), a tenant setting names none' using errcode = '22023';
  end if;
  update public.settings t set value = p_value, updated_at = ${s}.cloud_stamp()
   where t.tenant_id = p_tenant and t.scope = p_scope and t.device_id = v_device and t.key = p_key and not t.deleted
  returning * into v_row;
  if v_row.id is null then
    insert into public.settings as t (id, tenant_id, updated_at, deleted, key, value, scope, device_id)
    values (${s}.setting_id(p_tenant, p_scope, v_device, p_key), p_tenant, ${s}.cloud_stamp(), false, p_key, p_value, p_scope, v_device)
    on conflict (tenant_id, id) do update set key = excluded.key, scope = excluded.scope, device_id = excluded.device_id,
      value = excluded.value, updated_at = excluded.updated_at, deleted = false
    returning * into v_row;
  end if;
  return pg_catalog.to_jsonb(v_row) - 'txid';
end
$fn$;

create or replace function public.settings_put_licence(
  p_tenant text, p_plan text, p_valid_until timestamptz, p_max_devices bigint, p_features jsonb default '{}'::jsonb
) returns jsonb
language plpgsql volatile security definer set search_path = '' as $fn$
declare
  v_row public.licenses;
begin
  if coalesce(p_tenant, '') = '' or coalesce(p_plan, '') = '' or p_valid_until is null then
    raise exception 'settings_put_licence needs p_tenant, p_plan and p_valid_until' using errcode = '22023';
  end if;
  if p_max_devices is null or p_max_devices < 0 then
    raise exception 'p_max_devices must be 0 or more, not %', coalesce(p_max_devices::text, 'null') using errcode = '22023';
  end if;
  insert into public.licenses as l (id, tenant_id, updated_at, deleted, plan, valid_until, max_devices, features)
  values (${s}.licence_id(p_tenant), p_tenant, ${s}.cloud_stamp(), false, p_plan, p_valid_until, p_max_devices, p_features)
  on conflict (tenant_id, id) do update set plan = excluded.plan, valid_until = excluded.valid_until, max_devices = excluded.max_devices,
    features = excluded.features, updated_at = excluded.updated_at, deleted = false
  returning * into v_row;
  return pg_catalog.to_jsonb(v_row) - 'txid';
end
$fn$;

revoke all on function public.settings_put(text, text, jsonb, text, text) from public, anon, authenticated, service_role;
grant execute on function public.settings_put(text, text, jsonb, text, text) to service_role;
revoke all on function public.settings_put_licence(text, text, timestamptz, bigint, jsonb) from public, anon, authenticated, service_role;
grant execute on function public.settings_put_licence(text, text, timestamptz, bigint, jsonb) to service_role;`;
}
