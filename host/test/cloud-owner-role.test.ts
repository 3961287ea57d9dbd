import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServerSchema } from '@equinox-sync/core';
import { OWNER_ROLE, startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { BUILTIN_PLUGINS } from './host-kit.js';

async function rows<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** What the migration's owner sees of the schema: each object of public and equinox*, with its owner and definition. */
const SCHEMA_SNAPSHOT = `
  select 'rel' as kind, n.nspname || '.' || c.relname as name, pg_get_userbyid(c.relowner) as owner, c.relkind::text as detail
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' or n.nspname like 'equinox%'
  union all
  select 'fn', p.oid::regprocedure::text, pg_get_userbyid(p.proowner), md5(pg_get_functiondef(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where (n.nspname = 'public' or n.nspname like 'equinox%') and p.prokind = 'f'
  union all
  select 'policy', schemaname || '.' || tablename || '.' || policyname, '', md5(coalesce(qual, '') || coalesce(with_check, ''))
  from pg_policies where schemaname = 'public'
  order by 1, 2`;

/**
 * The migration of the built-in plugins, as a real Supabase project runs it: by an owner
 * role that is not a superuser (Supabase's `postgres`), on an empty database, twice.
 */
describe('the compiled migration, applied by the owner role', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud();
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('installs on an empty cloud as a non-superuser, and a second apply changes nothing', { timeout: 90_000 }, async () => {
    expect(await rows(cloud.pgUrl, 'select current_user as name, rolsuper from pg_roles where rolname = current_user')).toEqual([
      { name: OWNER_ROLE, rolsuper: false },
    ]);
    const sql = compileServerSchema(BUILTIN_PLUGINS);
    await cloud.applySql(sql);
    const first = await rows<{ kind: string; name: string; owner: string }>(cloud.adminPgUrl, SCHEMA_SNAPSHOT);
    expect(first.filter((row) => row.kind !== 'policy' && row.owner !== OWNER_ROLE)).toEqual([]);
    expect(first.map((row) => row.name)).toEqual(expect.arrayContaining(['eq_push(text,json,jsonb,boolean,jsonb)', 'eq_pull(text,jsonb,integer)', 'public.invoices', 'public.products', 'public.settings']));

    await cloud.applySql(sql);
    expect(await rows(cloud.adminPgUrl, SCHEMA_SNAPSHOT)).toEqual(first);
  });
});
