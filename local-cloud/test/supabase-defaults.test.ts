import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql, MAX_ROWS, OWNER_ROLE } from '../src/index.js';
import { supabaseClient } from './supabase-client.js';

const cloud = inject('cloud');
const suffix = randomUUID().slice(0, 8);
const many = `lc_many_${suffix}`;
const manyRows = `lc_many_rows_${suffix}`;
const owned = `lc_owned_${suffix}`;

async function query<T extends object>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Each default a fresh Supabase project has, in force in the local cloud (DESIGN.md §2).
 * Two of them are proven where they bite: the role statement timeouts cancel statements
 * and the 4 MiB body cap answers 413 in `bounded-work.test.ts`; here they are only read.
 * The owner role applying the whole compiled migration twice is in
 * `host/test/cloud-owner-role.test.ts` (the plugins are not this package's dependencies).
 */
describe('the local cloud starts like a fresh Supabase project', () => {
  beforeAll(async () => {
    await applySql(
      cloud,
      `create table public.${many} (id integer primary key);
       insert into public.${many} select g from generate_series(1, 1500) g;
       create function public.${manyRows}() returns setof public.${many} language sql stable as $$ select * from public.${many} order by id $$;`,
    );
  });

  afterAll(async () => {
    await applySql(cloud, `drop function if exists public.${manyRows}; drop table if exists public.${many}; drop table if exists public.${owned};`);
  });

  it(`returns at most ${MAX_ROWS} rows a request, from a table and from a function returning rows, without an error`, async () => {
    const supabase = supabaseClient(cloud.url, cloud.serviceKey);
    const table = await supabase.from(many).select('id').order('id');
    expect(table.error).toBeNull();
    expect(table.data).toHaveLength(1000);
    expect(table.data?.at(-1)).toEqual({ id: 1000 });
    const rpc = await supabase.rpc(manyRows);
    expect(rpc.error).toBeNull();
    expect(rpc.data).toHaveLength(1000);
    // Paging past the cap reads the rest, as code against a real project must.
    const next = await supabase.from(many).select('id').order('id').range(1000, 1999);
    expect(next.data).toHaveLength(500);
  });

  it('gives anon a 3 s and authenticated an 8 s statement timeout (enforced: bounded-work.test.ts)', async () => {
    const rows = await query<{ rolname: string; rolconfig: string[] | null }>(
      cloud.adminPgUrl,
      "select rolname, rolconfig from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname",
    );
    expect(Object.fromEntries(rows.map((row) => [row.rolname, row.rolconfig]))).toEqual({
      anon: ['statement_timeout=3s'],
      authenticated: ['statement_timeout=8s'],
      service_role: null,
    });
  });

  it("runs migrations as an owner role that is not a superuser, with what Supabase's postgres has", async () => {
    const [me] = await query<{ current_user: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean; rolreplication: boolean }>(
      cloud.pgUrl,
      'select current_user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication from pg_roles where rolname = current_user',
    );
    expect(me).toEqual({ current_user: OWNER_ROLE, rolsuper: false, rolcreaterole: true, rolcreatedb: true, rolbypassrls: true, rolreplication: true });
    const [admin] = await query<{ rolsuper: boolean }>(cloud.adminPgUrl, 'select rolsuper from pg_roles where rolname = current_user');
    expect(admin?.rolsuper).toBe(true);

    // What only a superuser may do fails as it does on a project.
    await expect(query(cloud.pgUrl, "copy (select 1) to program 'true'")).rejects.toThrow(/permission denied|must be superuser|privileges of the "pg_execute_server_program"/);
    await expect(query(cloud.pgUrl, 'alter role anon superuser')).rejects.toThrow(/permission denied|must be superuser/);
  });

  it('lets the owner own what it creates in public and grant it to the API roles', async () => {
    await applySql(cloud, `create table public.${owned} (id text primary key); revoke all on public.${owned} from anon; grant select on public.${owned} to anon;`);
    const [table] = await query<{ owner: string; acl: string[] }>(
      cloud.adminPgUrl,
      `select pg_get_userbyid(relowner) as owner, relacl::text[] as acl from pg_class where oid = $1::regclass`,
      [`public.${owned}`],
    );
    expect(table?.owner).toBe(OWNER_ROLE);
    expect(table?.acl).toContain(`anon=r/${OWNER_ROLE}`);
    // The default privileges of the owner, as Supabase's for postgres: the other API roles get all.
    expect(table?.acl).toContain(`authenticated=arwdDxtm/${OWNER_ROLE}`);
  });

  it("has Supabase's auth.jwt(): the claims of request.jwt.claim, else of request.jwt.claims", async () => {
    const client = new pg.Client({ connectionString: cloud.pgUrl });
    await client.connect();
    const jwt = async (claim: string, claims: string): Promise<unknown> => {
      await client.query("select set_config('request.jwt.claim', $1, false), set_config('request.jwt.claims', $2, false)", [claim, claims]);
      return (await client.query<{ jwt: unknown }>('select auth.jwt() as jwt')).rows[0]?.jwt;
    };
    try {
      expect(await jwt('', '{"role":"authenticated","sub":"u1"}')).toEqual({ role: 'authenticated', sub: 'u1' });
      expect(await jwt('{"role":"anon"}', '{"role":"authenticated"}')).toEqual({ role: 'anon' });
      expect(await jwt('', '')).toBeNull();
    } finally {
      await client.end();
    }
    const [definition] = await query<{ body: string }>(cloud.adminPgUrl, "select prosrc as body from pg_proc where oid = 'auth.jwt()'::regprocedure");
    expect(definition?.body.replace(/\s+/g, ' ')).toContain("coalesce( nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), '') )::jsonb");
  });
});
