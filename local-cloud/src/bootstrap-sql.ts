/**
 * What a Supabase project has before any migration runs, recreated for the local cloud:
 * its API roles with their statement timeouts, the `authenticator` login PostgREST uses,
 * the `auth` schema with `auth.jwt()`, and Supabase's default grants on `public` (RLS
 * does the filtering).
 * Every statement is guarded, so it only fills in what is missing.
 *
 * @example
 * await client.query(bootstrapSql(secrets.authenticatorPassword));
 */
export function bootstrapSql(authenticatorPassword: string): string {
  const password = authenticatorPassword.replace(/'/g, "''");
  return `
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;
alter role authenticator with login password '${password}';
grant anon, authenticated, service_role to authenticator;
-- Supabase's role timeouts, which PostgREST applies to every request it runs as the role:
-- no statement of a device (or of anyone holding the anon key) holds a connection longer.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create function auth.jwt() returns jsonb language sql stable as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
  end if;
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'role'
  ) then
    create function auth.role() returns text language sql stable as $fn$
      select auth.jwt() ->> 'role'
    $fn$;
  end if;
end
$$;
grant execute on all functions in schema auth to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
`;
}
