import { realtimeSchemaSql } from './realtime/realtime-schema-sql.js';

/**
 * The role migrations run as: what Supabase's `postgres` is, a non-superuser owner.
 *
 * @example
 * expect(new URL(cloud.pgUrl).username).toBe(OWNER_ROLE);
 */
export const OWNER_ROLE = 'equinox_owner';

/**
 * Passwords of the login roles the bootstrap (re)sets.
 *
 * @example
 * const passwords: BootstrapPasswords = { authenticator: secrets.authenticatorPassword, owner: secrets.ownerPassword };
 */
export interface BootstrapPasswords {
  readonly authenticator: string;
  readonly owner: string;
}

/**
 * What a Supabase project has before any migration runs, recreated for the local cloud
 * and run by the superuser at every start: its API roles with their statement timeouts,
 * the `authenticator` login PostgREST uses, the `auth` schema with Supabase's
 * `auth.jwt()`, Supabase's default grants on `public` (RLS does the filtering), and
 * the owner role migrations run as ({@link OWNER_ROLE}), and the part of the `realtime`
 * schema Broadcast from the database uses (see `realtimeSchemaSql`). The owner role has
 * what Supabase's `postgres` has (login, createdb, createrole, replication, bypassrls)
 * and is not a superuser, so a migration that needs a superuser fails here as it would
 * on a project.
 * Every statement is guarded, so it only fills in what is missing.
 *
 * @example
 * await client.query(bootstrapSql({ authenticator: secrets.authenticatorPassword, owner: secrets.ownerPassword }));
 */
export function bootstrapSql(passwords: BootstrapPasswords): string {
  const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;
  return `${handOverFunction()}
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
  if not exists (select 1 from pg_roles where rolname = '${OWNER_ROLE}') then
    create role ${OWNER_ROLE} login createdb createrole replication bypassrls nosuperuser;
    -- A data dir of an older version, where the superuser ran the migrations: its objects
    -- go to the owner once (the role is new, so this runs once), so the next migration,
    -- run by the owner, may replace them. Same transaction as the role: all or nothing.
    perform pg_temp.equinox_hand_over();
  end if;
end
$$;
alter role authenticator with login password ${quote(passwords.authenticator)};
alter role ${OWNER_ROLE} with login nosuperuser password ${quote(passwords.owner)};
grant anon, authenticated, service_role to authenticator;
-- As Supabase's postgres, the owner may act as the API roles (set role) to try policies.
grant anon, authenticated, service_role to ${OWNER_ROLE};
grant all on database postgres to ${OWNER_ROLE};
grant all on schema public to ${OWNER_ROLE};
-- Supabase's role timeouts, which PostgREST applies to every request it runs as the role:
-- no statement of a device (or of anyone holding the anon key) holds a connection longer.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role, ${OWNER_ROLE};

do $$
begin
  -- Supabase's own definitions (supabase/auth migrations), installed only where missing.
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb language sql stable as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text language sql stable as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
      )::text
    $fn$;
  end if;
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid language sql stable as $fn$
      select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $fn$;
  end if;
end
$$;
grant execute on all functions in schema auth to anon, authenticated, service_role, ${OWNER_ROLE};

grant usage on schema public to anon, authenticated, service_role;
-- Default privileges belong to the role that creates the objects: the owner's, as on
-- Supabase (for role postgres), and the superuser's for what tests create as it.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role ${OWNER_ROLE} in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role ${OWNER_ROLE} in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role ${OWNER_ROLE} in schema public grant all on functions to anon, authenticated, service_role;
${realtimeSchemaSql(OWNER_ROLE)}`;
}

/**
 * Gives the owner role what the superuser made in `public` and in the `equinox*`
 * schemas: those schemas, tables, views and sequences (sequences of a table follow
 * it), functions and types. Extension members stay where they are.
 */
function handOverFunction(): string {
  return `
-- In pg_temp: it goes with the session and is never handed over itself.
create or replace function pg_temp.equinox_hand_over() returns void language plpgsql as $fn$
declare
  statement text;
begin
  for statement in
    select format('alter schema %I owner to ${OWNER_ROLE}', n.nspname)
    from pg_namespace n
    where n.nspname like 'equinox%' and n.nspowner = (select oid from pg_roles where rolname = current_user)
  loop execute statement; end loop;
  for statement in
    select format('alter %s %I.%I owner to ${OWNER_ROLE}',
      case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
        when 'f' then 'foreign table' else 'table' end,
      n.nspname, c.relname)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where (n.nspname = 'public' or n.nspname like 'equinox%')
      and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and c.relowner = (select oid from pg_roles where rolname = current_user)
      and not exists (
        select 1 from pg_depend d
        where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i', 'e')
      )
    order by c.relkind = 'S'
  loop execute statement; end loop;
  for statement in
    select format('alter routine %s owner to ${OWNER_ROLE}', p.oid::regprocedure)
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where (n.nspname = 'public' or n.nspname like 'equinox%')
      and p.prokind in ('f', 'p')
      and p.proowner = (select oid from pg_roles where rolname = current_user)
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  loop execute statement; end loop;
  for statement in
    select format('alter %s %I.%I owner to ${OWNER_ROLE}', case t.typtype when 'd' then 'domain' else 'type' end, n.nspname, t.typname)
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where (n.nspname = 'public' or n.nspname like 'equinox%')
      and (t.typtype in ('e', 'd', 'r') or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and t.typowner = (select oid from pg_roles where rolname = current_user)
      and not exists (select 1 from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
  loop execute statement; end loop;
end
$fn$;
`;
}
