import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * The token claims the cloud trusts, read in one place: `app_metadata` first (Supabase's
 * place for authorisation data, which only the service key writes), then a top-level
 * claim of the same name (what a custom access token hook adds). Never `user_metadata`,
 * which a signed-in user may change at will.
 *
 * `jwt_tenant()` is what row-level security keys on; policies call it as
 * `(select equinox.jwt_tenant())`, so Postgres reads the claim once per statement. Plugins'
 * server SQL runs after core's and may call these too, from any API role.
 *
 * @example
 * const sql = claimsSql(); // part of foundationSql()
 */
export function claimsSql(): string {
  const functions = [
    `create or replace function ${s}.jwt_claim(p_name text) returns text
language sql stable security invoker set search_path = '' as $eq$
  select coalesce(auth.jwt() -> 'app_metadata' ->> p_name, auth.jwt() ->> p_name)
$eq$;`,
    `create or replace function ${s}.jwt_tenant() returns text
language sql stable security invoker set search_path = '' as $eq$
  select ${s}.jwt_claim('tenant_id')
$eq$;`,
    `create or replace function ${s}.jwt_device() returns text
language sql stable security invoker set search_path = '' as $eq$
  select ${s}.jwt_claim('device_id')
$eq$;`,
  ];
  const grants = ['jwt_claim(text)', 'jwt_tenant()', 'jwt_device()'].map(
    (signature) => `revoke all on function ${s}.${signature} from public;
grant execute on function ${s}.${signature} to anon, authenticated, service_role;`,
  );
  return ['-- Claims: who the caller is, as its token says.', ...functions, ...grants].join('\n');
}
