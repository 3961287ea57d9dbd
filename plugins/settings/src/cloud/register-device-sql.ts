import { LICENCE_REQUIRED_KEY, LICENSED_DEVICES_TABLE, SETTINGS_SCHEMA } from './settings-schema.js';

const s = SETTINGS_SCHEMA;
const d = `public.${LICENSED_DEVICES_TABLE}`;

/**
 * The licence check a device makes before it uploads: `public.settings_register_device(p_device)`,
 * keyed by the token's tenant and device (`equinox.jwt_tenant()`, `equinox.jwt_device()`),
 * judged by the cloud's clock. A device registers only itself: `p_device` must be the
 * device the token names, and a token that names none is refused (SQLSTATE 42501), so
 * one stolen token cannot fill the tenant's seats. It answers
 * `{ tenant, state, revoked, licence, devices, position, checked_at }` where `state` is
 *
 * - `unmanaged`: the tenant has no licence row (live or revoked) and its setting
 *   `licence.required` is not `true`: nothing to enforce;
 * - `missing`: managed, but no live licence (none issued, or `revoked`);
 * - `expired`: the latest live licence's `valid_until` has passed;
 * - `valid`: the device is registered in `public.licensed_devices` and is among the first
 *   `max_devices` of its tenant (by first registration).
 *
 * A device past `max_devices` is refused with SQLSTATE 42501 and the message
 * `licence for tenant "x" allows N devices; device "y" would be N+1` (or `… is number M`
 * for a registered device after the licence was lowered); it is not recorded. A device
 * registered before asks again harmlessly. One tenant's registrations take turns (an
 * advisory lock), so two new devices cannot both take the last slot.
 *
 * @example
 * const sql = registerDeviceSql();
 */
export function registerDeviceSql(): string {
  return `create table if not exists ${d} (
  tenant_id text not null,
  device_id text not null,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  primary key (tenant_id, device_id)
);
alter table ${d} enable row level security;
do $do$
begin
  if exists (select 1 from pg_catalog.pg_policy where polrelid = '${d}'::regclass and polname = '${LICENSED_DEVICES_TABLE}_tenant_read') then
    alter policy ${LICENSED_DEVICES_TABLE}_tenant_read on ${d} to authenticated using (tenant_id = (select equinox.jwt_tenant()));
  else
    create policy ${LICENSED_DEVICES_TABLE}_tenant_read on ${d} as permissive for select to authenticated
      using (tenant_id = (select equinox.jwt_tenant()));
  end if;
end
$do$;
-- Devices read their tenant's registrations; only settings_register_device writes them,
-- and the back office (service role) frees a slot by deleting a row.
revoke all on table ${d} from public, anon, authenticated, service_role;
grant select on table ${d} to authenticated;
grant select, insert, update, delete on table ${d} to service_role;

create or replace function public.settings_register_device(p_device text) returns jsonb
language plpgsql volatile security definer set search_path = '' as $fn$
declare
  v_tenant text := (select equinox.jwt_tenant());
  v_token_device text := (select equinox.jwt_device());
  v_licence public.licenses;
  v_any_licence boolean;
  v_required boolean;
  v_state text;
  v_devices bigint;
  v_position bigint;
begin
  if coalesce(v_tenant, '') = '' then
    raise exception 'the token carries no tenant_id claim' using errcode = '42501';
  end if;
  if coalesce(p_device, '') = '' then
    raise exception 'p_device must name the device' using errcode = '22023';
  end if;
  -- A seat is bound to the device identity of the token, never to what the caller says.
  if coalesce(v_token_device, '') = '' then
    raise exception 'this token names no device: a licence seat needs a device token'
      using errcode = '42501', hint = 'Mint the device''s token with app_metadata.device_id set to its device id.';
  end if;
  if p_device is distinct from v_token_device then
    raise exception 'device "%" may only register itself', v_token_device using errcode = '42501';
  end if;

  select * into v_licence from public.licenses l
   where l.tenant_id = v_tenant and not l.deleted
   order by l.valid_until desc, l.server_version desc
   limit 1;
  select exists (select 1 from public.licenses l where l.tenant_id = v_tenant) into v_any_licence;
  select exists (
    select 1 from public.settings t
     where t.tenant_id = v_tenant and t.scope = 'tenant' and t.device_id = '' and t.key = '${LICENCE_REQUIRED_KEY}'
       and not t.deleted and t.value = 'true'::jsonb
  ) into v_required;

  v_state := case
    when v_licence.id is not null and v_licence.valid_until > pg_catalog.now() then 'valid'
    when v_licence.id is not null then 'expired'
    when v_any_licence or v_required then 'missing'
    else 'unmanaged'
  end;

  if v_state = 'valid' then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('${s}.licensed_devices'), pg_catalog.hashtext(v_tenant));
    insert into ${d} as r (tenant_id, device_id)
      select v_tenant, p_device
       where (select count(*) from ${d} c where c.tenant_id = v_tenant) < v_licence.max_devices
    on conflict (tenant_id, device_id) do update set last_seen = pg_catalog.now()
      where r.last_seen < pg_catalog.now() - interval '1 hour';
    select count(*) into v_devices from ${d} c where c.tenant_id = v_tenant;
    select ranked.position into v_position from (
      select c.device_id, pg_catalog.row_number() over (order by c.first_seen, c.device_id) as position
        from ${d} c where c.tenant_id = v_tenant
    ) ranked where ranked.device_id = p_device;
    if v_position is null then
      raise exception 'licence for tenant "%" allows % devices; device "%" would be %', v_tenant, v_licence.max_devices, p_device, v_devices + 1
        using errcode = '42501', hint = 'Raise the licence''s max_devices, or free a slot: delete a device from ${d} with the service key.';
    end if;
    if v_position > v_licence.max_devices then
      raise exception 'licence for tenant "%" allows % devices; device "%" is number %', v_tenant, v_licence.max_devices, p_device, v_position
        using errcode = '42501', hint = 'Raise the licence''s max_devices, or free a slot: delete a device from ${d} with the service key.';
    end if;
  end if;

  return pg_catalog.jsonb_build_object(
    'tenant', v_tenant,
    'state', v_state,
    'revoked', v_state = 'missing' and v_any_licence,
    'licence', case when v_licence.id is null then null else pg_catalog.jsonb_build_object(
      'plan', v_licence.plan, 'valid_until', v_licence.valid_until,
      'max_devices', v_licence.max_devices, 'features', v_licence.features) end,
    'devices', v_devices,
    'position', v_position,
    'checked_at', pg_catalog.now());
end
$fn$;
revoke all on function public.settings_register_device(text) from public, anon, authenticated, service_role;
grant execute on function public.settings_register_device(text) to authenticated;`;
}
