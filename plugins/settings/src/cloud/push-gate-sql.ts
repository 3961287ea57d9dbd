import { PUSH_PAUSED_CODE } from '@equinox-sync/core/plugin';
import { LICENCE_REQUIRED_KEY, LICENSED_DEVICES_TABLE, SETTINGS_SCHEMA } from './settings-schema.js';

const s = SETTINGS_SCHEMA;
const d = `public.${LICENSED_DEVICES_TABLE}`;

/**
 * The name the licence gate is registered under in core's `equinox.push_gates`.
 *
 * @example
 * await pg.query('select function_name from equinox.push_gates where name = $1', [LICENCE_PUSH_GATE]);
 */
export const LICENCE_PUSH_GATE = 'settings.licence';

/**
 * The licence enforced by the cloud itself, so a modified client gains nothing:
 * `equinox_settings.push_gate(p_table)`, registered as core's push gate
 * {@link LICENCE_PUSH_GATE}. Core runs it at the start of every `eq_push` and before every
 * direct REST write of a synced table by a device. It judges the caller's own tenant and
 * device (the token's `equinox.jwt_tenant()`, `equinox.jwt_device()`) by the rules of
 * `settings_register_device`: an unmanaged tenant passes; for a managed one it raises
 * core's `PUSH_PAUSED_CODE` (SQLSTATE `EQ402`, which the engine shows as "uploads paused:
 * …", keeping the rows) when the licence is missing, revoked or expired, when the token
 * names no device, or when the device is not among the first `max_devices` registered
 * (by first registration, as `settings_register_device` ranks them). Its messages read
 * like the device's own pause reasons and name only the caller's tenant, licence and
 * device:
 *
 * - `tenant "x" has no valid licence (expired 2026-10-01T00:00:00.000Z)`;
 * - `licence for tenant "x" allows 2 devices; device "y" is not registered`.
 *
 * It runs on every push, so it stays cheap: the tenant's licence rows (the index every
 * synced table has on `tenant_id`), then either the `licence.required` setting (its unique
 * index) or the device's registration (the primary key) and at most `max_devices` earlier
 * registrations. The service role and the owner are never gated (back office, restores).
 *
 * @example
 * const sql = pushGateSql();
 */
export function pushGateSql(): string {
  return `create or replace function ${s}.push_gate(p_table text) returns void
language plpgsql stable security definer set search_path = '' as $fn$
declare
  v_tenant text;
  v_device text;
  v_licence public.licenses;
  v_first_seen timestamptz;
  v_earlier bigint;
begin
  if coalesce(pg_catalog.current_setting('role', true), '') <> 'authenticated'
     and coalesce((select auth.jwt() ->> 'role'), '') <> 'authenticated' then
    return;
  end if;
  v_tenant := (select equinox.jwt_tenant());
  if coalesce(v_tenant, '') = '' then
    return; -- no tenant: row-level security refuses every row anyway
  end if;
  -- The live licence valid the longest, else a revoked one: one look-up answers both.
  select * into v_licence from public.licenses l
   where l.tenant_id = v_tenant
   order by l.deleted, l.valid_until desc, l.server_version desc
   limit 1;
  if v_licence.id is null then
    if not exists (
      select 1 from public.settings t
       where t.tenant_id = v_tenant and t.scope = 'tenant' and t.device_id = '' and t.key = '${LICENCE_REQUIRED_KEY}'
         and not t.deleted and t.value = 'true'::jsonb
    ) then
      return; -- unmanaged: nothing to enforce
    end if;
    raise exception 'tenant "%" has no valid licence (none issued, and ${LICENCE_REQUIRED_KEY} is set)', v_tenant
      using errcode = '${PUSH_PAUSED_CODE}';
  end if;
  if v_licence.deleted then
    raise exception 'tenant "%" has no valid licence (revoked)', v_tenant using errcode = '${PUSH_PAUSED_CODE}';
  end if;
  if v_licence.valid_until <= pg_catalog.now() then
    raise exception 'tenant "%" has no valid licence (expired %)', v_tenant,
      pg_catalog.to_char(v_licence.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      using errcode = '${PUSH_PAUSED_CODE}', hint = 'The back office renews it with settings_put_licence.';
  end if;
  v_device := (select equinox.jwt_device());
  if coalesce(v_device, '') = '' then
    raise exception 'licence for tenant "%" allows % devices; this token names no device', v_tenant, v_licence.max_devices
      using errcode = '${PUSH_PAUSED_CODE}', hint = 'Mint the device''s token with app_metadata.device_id set to its device id.';
  end if;
  select r.first_seen into v_first_seen from ${d} r where r.tenant_id = v_tenant and r.device_id = v_device;
  if not found then
    raise exception 'licence for tenant "%" allows % devices; device "%" is not registered', v_tenant, v_licence.max_devices, v_device
      using errcode = '${PUSH_PAUSED_CODE}', hint = 'A device registers with settings_register_device before it uploads.';
  end if;
  -- Counted no further than the licence allows: the device is past it or it is not.
  select pg_catalog.count(*) into v_earlier from (
    select 1 from ${d} r
     where r.tenant_id = v_tenant and (r.first_seen, r.device_id) < (v_first_seen, v_device)
     limit v_licence.max_devices
  ) earlier;
  if v_earlier >= v_licence.max_devices then
    raise exception 'licence for tenant "%" allows % devices; device "%" is not among them', v_tenant, v_licence.max_devices, v_device
      using errcode = '${PUSH_PAUSED_CODE}', hint = 'Raise the licence''s max_devices, or free a slot: delete a device from ${d} with the service key.';
  end if;
end
$fn$;
revoke all on function ${s}.push_gate(text) from public, anon, authenticated, service_role;
insert into equinox.push_gates (name, function_name) values ('${LICENCE_PUSH_GATE}', '${s}.push_gate')
  on conflict (name) do update set function_name = excluded.function_name;`;
}
