import { LICENCE_REQUIRED_KEY, RESERVED_KEY_PREFIX, SETTINGS_SCHEMA } from './settings-schema.js';

const s = SETTINGS_SCHEMA;

/**
 * The guard of devices' writes of `public.settings` (the `authenticated` role; the back
 * office's service role and the owner are not judged). In order:
 *
 * 1. a row of another tenant goes on untouched, so row-level security refuses it in its
 *    own words and nothing here can say anything about that tenant;
 * 2. the reserved `licence.*` settings are the back office's: a device that could clear
 *    `licence.required` would open its own licence gate (SQLSTATE 42501);
 * 3. a row's id is the one derived from what it is,
 *    `equinox_settings.setting_id(tenant_id, scope, device_id, key)`, as devices derive it
 *    (`settingId`), so no row can sit under another setting's id (SQLSTATE 23514). A row
 *    whose scope, device and key do not change keeps the id it has (rows written before
 *    this rule), and when a tombstone holds the derived id a device revives the setting
 *    under a fresh id that is not of the derived form (`set-…`), as `SettingsStore.set`
 *    does.
 *
 * Security definer, so it reaches the private helpers; it reads nothing but the caller's
 * own tenant's rows.
 *
 * @example
 * const sql = deviceWritesSql();
 */
export function deviceWritesSql(): string {
  return `-- Replaced by guard_device_write, which does what it did and more.
drop trigger if exists settings_reserved_keys on public.settings;
drop function if exists ${s}.guard_reserved_keys();

create or replace function ${s}.guard_device_write() returns trigger
language plpgsql security definer set search_path = '' as $fn$
declare
  v_expected text;
begin
  -- current_user is the owner here: the role PostgREST switched to, and the token's, say who writes.
  if coalesce(pg_catalog.current_setting('role', true), '') <> 'authenticated'
     and coalesce((select auth.jwt() ->> 'role'), '') <> 'authenticated' then
    return new;
  end if;
  if new.tenant_id is distinct from (select equinox.jwt_tenant()) then
    return new;
  end if;
  if new.key like '${RESERVED_KEY_PREFIX}%' or (tg_op = 'UPDATE' and old.key like '${RESERVED_KEY_PREFIX}%') then
    raise exception 'setting "%" is reserved: only the back office sets it (public.settings_put with the service key)', new.key
      using errcode = '42501', hint = 'A device that could write ${LICENCE_REQUIRED_KEY} would open its own licence gate.';
  end if;
  -- A missing part is left to the NOT NULL constraints, which judge after this trigger.
  if new.scope is null or new.device_id is null or new.key is null then
    return new;
  end if;
  v_expected := ${s}.setting_id(new.tenant_id, new.scope, new.device_id, new.key);
  if new.id is distinct from v_expected
     and not (tg_op = 'UPDATE' and (new.scope, new.device_id, new.key) is not distinct from (old.scope, old.device_id, old.key))
     and (new.id like 'set-%' or not exists (
           select 1 from public.settings t where t.tenant_id = new.tenant_id and t.id = v_expected and t.deleted)) then
    raise exception 'setting "%" must have the id equinox_settings.setting_id(tenant_id, scope, device_id, key) = "%"', new.key, v_expected
      using errcode = '23514', hint = 'Devices derive it as settingId() does; a fresh id only revives a setting whose derived id is a tombstone''s.';
  end if;
  return new;
end
$fn$;
revoke all on function ${s}.guard_device_write() from public, anon, authenticated, service_role;
create or replace trigger settings_device_writes before insert or update on public.settings
  for each row execute function ${s}.guard_device_write();`;
}
