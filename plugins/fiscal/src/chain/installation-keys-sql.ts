import { FISCAL_SCHEMA } from './fiscal-schema.js';

/**
 * The table of installation public keys, `public.<keysTable>`: one key per tenant and
 * installation, written only by the chain guard (the first key registered wins), read by
 * the tenant in the JWT, never changed. Part of {@link fiscalServerSql}, which validates
 * the name and defines `refuse_change` first.
 *
 * @example
 * const sql = installationKeysSql('fiscal_installation_keys');
 */
export function installationKeysSql(keys: string): string {
  const k = `public.${keys}`;
  const s = FISCAL_SCHEMA;
  return `create table if not exists ${k} (
  tenant_id text not null,
  installation_id text not null,
  public_key text not null,
  registered_at timestamptz not null default now(),
  primary key (tenant_id, installation_id)
);
alter table ${k} enable row level security;
-- Altered in place when it exists, so a second run leaves the catalog as it was.
do $do$
begin
  if exists (select 1 from pg_catalog.pg_policy where polrelid = '${k}'::regclass and polname = '${keys}_tenant_read') then
    alter policy ${keys}_tenant_read on ${k} to authenticated using (tenant_id = (select equinox.jwt_tenant()));
  else
    create policy ${keys}_tenant_read on ${k} as permissive for select to authenticated
      using (tenant_id = (select equinox.jwt_tenant()));
  end if;
end
$do$;
-- Keys are only ever written by the guard below (which runs as the owner).
revoke all on table ${k} from public, anon, authenticated, service_role;
grant select on table ${k} to authenticated, service_role;
create or replace trigger fiscal_keys_append_only before update or delete on ${k}
  for each row execute function ${s}.refuse_change();
create or replace trigger fiscal_keys_append_only_truncate before truncate on ${k}
  for each statement execute function ${s}.refuse_change();`;
}
