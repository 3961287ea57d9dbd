import { applySql } from '@equinox-sync/local-cloud';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin, type PluginDeclaration } from '../src/index.js';
import { compileServerSchema } from '../src/server/index.js';
import { newRow } from './protocol-kit.js';
import { deviceRemote, hasIds, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const items = uniqueName('mig_items');
const events = uniqueName('mig_events');
const neighbour = uniqueName('mig_neighbour');

const declaration: PluginDeclaration = {
  name: 'migration-test',
  version: '1.0.0',
  serverSql: `create or replace view public.${items}_titles as select id, title from public.${items};`,
  tables: [
    {
      name: items,
      columns: { title: { type: 'text', nullable: false, default: '' }, meta: { type: 'json' } },
      indexes: [{ columns: ['title'], unique: true }],
      strategy: 'Manual',
    },
    { name: events, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
  ],
};

/**
 * Everything the migration defines that a second run could alter, with object ids so a
 * drop-and-recreate shows up as a change too.
 */
const SNAPSHOT = `
select jsonb_build_object(
  'columns', (select jsonb_agg(jsonb_build_object('table', c.relname, 'column', a.attname, 'num', a.attnum,
                 'type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
                 'default', pg_get_expr(d.adbin, d.adrelid)) order by c.relname, a.attnum)
                from pg_attribute a join pg_class c on c.oid = a.attrelid
                left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
               where c.relnamespace = 'public'::regnamespace and c.relname = any($1) and a.attnum > 0 and not a.attisdropped),
  'tables', (select jsonb_agg(jsonb_build_object('table', c.relname, 'oid', c.oid, 'rls', c.relrowsecurity, 'acl', c.relacl::text[])
                order by c.relname)
               from pg_class c where c.relnamespace = 'public'::regnamespace and c.relname = any($1) and c.relkind = 'r'),
  'indexes', (select jsonb_agg(jsonb_build_object('oid', i.indexrelid, 'def', pg_get_indexdef(i.indexrelid)) order by i.indexrelid)
                from pg_index i join pg_class c on c.oid = i.indrelid
               where c.relnamespace = 'public'::regnamespace and c.relname = any($1)),
  'policies', (select jsonb_agg(jsonb_build_object('oid', p.oid, 'table', tablename, 'name', policyname, 'cmd', cmd,
                  'roles', roles, 'using', qual, 'check', with_check) order by p.oid)
                 from pg_policies ps join pg_policy p on p.polname = ps.policyname and p.polrelid = format('%I.%I', ps.schemaname, ps.tablename)::regclass
                where ps.schemaname = 'public' and ps.tablename = any($1)),
  'constraints', (select jsonb_agg(jsonb_build_object('oid', k.oid, 'table', c.relname, 'name', k.conname, 'def', pg_get_constraintdef(k.oid),
                    'comment', obj_description(k.oid, 'pg_constraint')) order by c.relname, k.conname)
                   from pg_constraint k join pg_class c on c.oid = k.conrelid
                  where c.relnamespace = 'public'::regnamespace and c.relname = any($1)),
  'triggers', (select jsonb_agg(jsonb_build_object('oid', t.oid, 'def', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled) order by t.oid)
                 from pg_trigger t join pg_class c on c.oid = t.tgrelid
                where not t.tgisinternal and c.relnamespace = 'public'::regnamespace and c.relname = any($1)),
  'functions', (select jsonb_agg(jsonb_build_object('oid', p.oid, 'def', pg_get_functiondef(p.oid), 'acl', p.proacl::text[]) order by p.oid)
                  from pg_proc p
                 where (p.pronamespace = 'equinox'::regnamespace
                        -- Of the tables' compiled push steps, page statements and echo checks, only these tables' (the cloud serves other tests too).
                        and (p.proname !~ '^_eq_.*_(apply|page|echo)$' or p.proname in (select '_eq_' || n || '_' || step from unnest($1::text[]) n, unnest(array['apply', 'page', 'echo']) step)))
                    or (p.pronamespace = 'public'::regnamespace and p.proname in ('eq_push', 'eq_pull', 'eq_health'))),
  'registry', (select jsonb_agg(to_jsonb(r) order by r.name) from equinox.tables r where r.name = any($1)),
  'registry_acl', (select relacl::text[] from pg_class where oid = 'equinox.tables'::regclass),
  'gates', (select jsonb_build_object('oid', oid, 'acl', relacl::text[]) from pg_class where oid = 'equinox.push_gates'::regclass),
  'schema_acl', (select nspacl::text[] from pg_namespace where nspname = 'equinox')
) as snapshot`;

function quoteIdent(name: string): string {
  return `"${decodeURIComponent(name).replace(/"/g, '""')}"`;
}

describe('the compiled migration on a live cloud', () => {
  let admin: pg.Client;
  const snapshot = async (): Promise<unknown> =>
    (await admin.query(SNAPSHOT, [[items, events, neighbour]])).rows[0].snapshot as unknown;

  beforeAll(async () => {
    // The superuser: some tests create roles and databases, which the owner role may not.
    admin = new pg.Client({ connectionString: cloud.adminPgUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
  });

  it('applies twice cleanly, and the second run changes nothing', async () => {
    const sql = compileServerSchema([definePlugin(declaration)]);
    await applySql(cloud, sql);
    const first = await snapshot();
    await applySql(cloud, sql);
    expect(await snapshot()).toEqual(first);
    const parts = first as Record<string, unknown[]>;
    expect(parts.columns).toHaveLength(6 + 2 + 6 + 1); // system columns and declared ones of both tables
    expect(parts.policies).toHaveLength(3 + 2);
    // Stamping and the push gate on both; on one append-only protection, on the other the refusal of hard deletes.
    expect(parts.triggers).toHaveLength(2 + 2 + 2 + 2);
    // The engine's 22 private functions (registry, push steps, the push's versions, triggers, claims, gates, json depth,
    // cloud marks, the push announcement, the push's echo, the check of a push's expectation and the pull's reading of
    // echoes), each table's compiled push step, page statement and echo check, and the 3 device calls.
    expect(parts.functions).toHaveLength(22 + 2 + 2 + 2 + 3);
    // Per table a tenant-scoped key, then one limit per text and json column.
    const constraints = (parts.constraints as Array<{ table: string; name: string; def: string }>).filter((k) => !k.def.startsWith('NOT NULL'));
    expect(constraints.map((k) => [k.table, k.name, k.def])).toEqual(
      [
        [events, '_eq_limit_body', 'CHECK ((char_length(body) <= 10000)) NOT VALID'],
        [events, `${events}_pkey`, 'PRIMARY KEY (tenant_id, id)'],
        [items, '_eq_limit_meta', 'CHECK (((octet_length((meta)::text) <= 65536) AND (equinox.json_depth(meta) <= 32))) NOT VALID'],
        [items, '_eq_limit_title', 'CHECK ((char_length(title) <= 10000)) NOT VALID'],
        [items, `${items}_pkey`, 'PRIMARY KEY (tenant_id, id)'],
      ],
    );
    const view = await admin.query(`select to_regclass($1) as view`, [`public.${items}_titles`]);
    expect(view.rows[0].view).not.toBeNull();
  });

  it('replaces the functions of sync protocol 1 and the eq_push before echoes and before expectations, whose signatures differ, instead of keeping both', async () => {
    // In one transaction, rolled back: the other test files share this cloud, and two
    // eq_push would be ambiguous to PostgREST while they lived.
    await admin.query('begin');
    try {
      await admin.query(`create or replace function public.eq_push(p_table text, p_rows jsonb) returns jsonb language sql as 'select null::jsonb'`);
      await admin.query(`create or replace function public.eq_push(p_table text, p_rows json, p_bases jsonb) returns jsonb language sql as 'select null::jsonb'`);
      await admin.query(
        `create or replace function public.eq_push(p_table text, p_rows json, p_bases jsonb default null, p_echo boolean default false) returns jsonb language sql as 'select null::jsonb'`,
      );
      await admin.query(`create or replace function equinox.apply_batch(p_table text, p_rows jsonb) returns jsonb language sql as 'select null::jsonb'`);
      await admin.query(compileServerSchema([definePlugin(declaration)]));
      const left = await admin.query(
        `select p.oid::regprocedure::text as signature from pg_proc p
          where p.proname in ('eq_push', 'apply_batch') and p.pronamespace in ('public'::regnamespace, 'equinox'::regnamespace) order by 1`,
      );
      expect(left.rows.map((row) => row.signature)).toEqual(['eq_push(text,json,jsonb,boolean,jsonb)', 'equinox.apply_batch(text,json,jsonb)']);
    } finally {
      await admin.query('rollback');
    }
  });

  it('grants devices select, insert and update only, under tenant policies, and no delete', async () => {
    const policies = await admin.query(
      `select tablename, cmd, roles::text[] as roles from pg_policies where schemaname = 'public' and tablename = any($1) order by 1, 2`,
      [[items, events]],
    );
    expect(policies.rows).toEqual([
      { tablename: events, cmd: 'INSERT', roles: ['authenticated'] },
      { tablename: events, cmd: 'SELECT', roles: ['authenticated'] },
      { tablename: items, cmd: 'INSERT', roles: ['authenticated'] },
      { tablename: items, cmd: 'SELECT', roles: ['authenticated'] },
      { tablename: items, cmd: 'UPDATE', roles: ['authenticated'] },
    ]);
    const privileges = await admin.query(
      `select grantee, string_agg(privilege_type, ',' order by privilege_type) as privileges
         from information_schema.role_table_grants
        where table_schema = 'public' and table_name = $1 and grantee in ('anon', 'authenticated', 'PUBLIC')
        group by grantee`,
      [items],
    );
    expect(privileges.rows).toEqual([{ grantee: 'authenticated', privileges: 'INSERT,SELECT,UPDATE' }]);
    const callers = await admin.query(
      `select p.proname, array(select a.grantee::regrole::text from aclexplode(p.proacl) a where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as callers
         from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname in ('eq_push', 'eq_pull', 'eq_health') order by 1`,
    );
    expect(callers.rows).toEqual(['eq_health', 'eq_pull', 'eq_push'].map((proname) => ({ proname, callers: ['authenticated'] })));
  });

  it("adds the columns of a newer declaration, keeps the rows, and leaves other plugins' tables registered", async () => {
    const other = definePlugin({
      name: 'neighbour-test',
      version: '1.0.0',
      tables: [{ name: neighbour, columns: { body: { type: 'text' } }, strategy: 'RemoteWins' }],
    });
    await applySql(cloud, compileServerSchema([other]));

    const tenant = uniqueTenant('migration');
    const remote = await deviceRemote(tenant);
    const row = newRow(tenant, { title: 'before the upgrade', meta: { v: 1 } });
    await remote.push(items, [{ row, base_version: null }]);

    const [table, ...rest] = declaration.tables;
    const newer = definePlugin({
      ...declaration,
      version: '1.1.0',
      tables: [{ ...table!, columns: { ...table!.columns, pages: { type: 'integer', nullable: false, default: 1 } } }, ...rest],
    });
    await applySql(cloud, compileServerSchema([newer]));

    const { rows } = await pullAll(remote, items, { until: hasIds([row.id]) });
    expect(rows).toEqual([expect.objectContaining({ id: row.id, title: 'before the upgrade', pages: 1 })]);
    const upgraded = newRow(tenant, { title: 'after the upgrade', meta: null, pages: 7 });
    expect((await remote.push(items, [{ row: upgraded, base_version: null }]))[0]).toMatchObject({ status: 'applied' });

    const registry = await admin.query(`select name, plugin, strategy, append_only, direction, columns from equinox.tables where name = any($1) order by name`, [
      [items, events, neighbour],
    ]);
    expect(registry.rows).toEqual(
      [
        { name: events, plugin: 'migration-test', strategy: 'LocalWins', append_only: true, direction: 'both', columns: ['body'] },
        { name: items, plugin: 'migration-test', strategy: 'Manual', append_only: false, direction: 'both', columns: ['title', 'meta', 'pages'] },
        { name: neighbour, plugin: 'neighbour-test', strategy: 'RemoteWins', append_only: false, direction: 'both', columns: ['body'] },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('moves a table keyed on (id) alone, as earlier migrations made it, to (tenant_id, id) in place, keeping its rows', async () => {
    const legacy = uniqueName('mig_legacy');
    const tenant = uniqueTenant('legacy');
    // The layout and policy an earlier migration left behind, with rows in it.
    await admin.query(`create table public.${legacy} (
      id text primary key, tenant_id text not null, updated_at text not null, deleted boolean not null default false,
      server_version bigint not null, txid xid8 not null, body text)`);
    // Owned by the role migrations run as, as an earlier migration would have left it.
    await admin.query(`alter table public.${legacy} owner to ${quoteIdent(new URL(cloud.pgUrl).username)}`);
    await admin.query(`alter table public.${legacy} enable row level security`);
    await admin.query(`create policy _eq_tenant_select on public.${legacy} for select to authenticated using (tenant_id = (select auth.jwt() ->> 'tenant_id'))`);
    await admin.query(
      `insert into public.${legacy} (id, tenant_id, updated_at, server_version, txid, body)
       select 'legacy-' || g, $1, '0000000001000-0000-dev1', g, pg_current_xact_id(), 'row ' || g from generate_series(1, 3) g`,
      [tenant],
    );
    const plugin = definePlugin({ name: 'legacy-test', version: '1.0.0', tables: [{ name: legacy, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] });
    const sql = compileServerSchema([plugin]);
    await applySql(cloud, sql);

    const key = await admin.query(`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype = 'p'`, [`public.${legacy}`]);
    expect(key.rows).toEqual([{ def: 'PRIMARY KEY (tenant_id, id)' }]);
    const kept = await admin.query(`select id, tenant_id, body from public.${legacy} order by id`);
    expect(kept.rows).toEqual([1, 2, 3].map((n) => ({ id: `legacy-${n}`, tenant_id: tenant, body: `row ${n}` })));
    const policy = await admin.query(`select qual from pg_policies where tablename = $1 and policyname = '_eq_tenant_select'`, [legacy]);
    expect(policy.rows[0].qual).toMatch(/equinox\.jwt_tenant\(\)/);

    const migrated = (await admin.query(SNAPSHOT, [[legacy]])).rows[0].snapshot as unknown;
    await applySql(cloud, sql);
    expect((await admin.query(SNAPSHOT, [[legacy]])).rows[0].snapshot).toEqual(migrated);

    const remote = await deviceRemote(tenant);
    const { rows } = await pullAll(remote, legacy, { until: hasIds(['legacy-1', 'legacy-2', 'legacy-3']) });
    expect(rows.map((row) => row.body)).toEqual(['row 1', 'row 2', 'row 3']);
    const fresh = newRow(tenant, { body: 'after the move' });
    expect((await remote.push(legacy, [{ row: fresh, base_version: null }]))[0]).toMatchObject({ status: 'applied' });
  });

  it("replaces a column's limit constraint when its declared limits change, and only then", async () => {
    const limited = uniqueName('mig_limits');
    const declare = (max: number | undefined, withRatio: boolean) =>
      compileServerSchema([
        definePlugin({
          name: 'limits-test',
          version: '1.0.0',
          tables: [{
            name: limited,
            columns: { qty: { type: 'integer', ...(max === undefined ? {} : { max }) }, ...(withRatio ? { ratio: { type: 'real', min: 0 } } : {}) },
            strategy: 'LastWriteWins',
          }],
        }),
      ]);
    const limits = async () =>
      (await admin.query(
        `select oid::int as oid, conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype = 'c' order by conname`,
        [`public.${limited}`],
      )).rows as Array<{ oid: number; conname: string; def: string }>;

    await applySql(cloud, declare(10, true));
    const first = await limits();
    expect(first.map((k) => [k.conname, k.def])).toEqual([
      ['_eq_limit_qty', "CHECK (((qty >= '-9007199254740991'::bigint) AND (qty <= 10))) NOT VALID"],
      ['_eq_limit_ratio', "CHECK (((ratio <> ALL ('{NaN,Infinity,-Infinity}'::double precision[])) AND (ratio >= '0'::double precision))) NOT VALID"],
    ]);
    await applySql(cloud, declare(10, true));
    expect(await limits()).toEqual(first);

    // Wider max, ratio no longer declared: qty's constraint is replaced, ratio's dropped (its column stays).
    await applySql(cloud, declare(20, false));
    const second = await limits();
    expect(second.map((k) => [k.conname, k.def])).toEqual([['_eq_limit_qty', "CHECK (((qty >= '-9007199254740991'::bigint) AND (qty <= 20))) NOT VALID"]]);
    expect(second[0]?.oid).not.toBe(first[0]?.oid);
    await applySql(cloud, declare(20, false));
    expect(await limits()).toEqual(second);
  });

  it('applies twice as a database owner that is no superuser, as on a Supabase project, and serves pushes there', async () => {
    const suffix = uniqueName('own');
    const owner = `eq_owner_${suffix}`;
    const database = `eq_db_${suffix}`;
    const password = `pw-${suffix}`;
    const url = (user: string, secret: string | undefined) => {
      const target = new URL(cloud.adminPgUrl);
      target.username = user;
      if (secret !== undefined) target.password = secret;
      target.pathname = `/${database}`;
      return target.toString();
    };
    await admin.query(`create role ${owner} login nosuperuser nocreatedb nocreaterole password '${password}'`);
    await admin.query(`create database ${database} owner ${owner}`);
    const superuser = new pg.Client({ connectionString: url(new URL(cloud.adminPgUrl).username, undefined) });
    const asOwner = new pg.Client({ connectionString: url(owner, password) });
    try {
      await superuser.connect();
      // What Supabase has before any migration: auth.jwt() reading the request's claims, usable by the project owner.
      await superuser.query(`create schema auth;
        create function auth.jwt() returns jsonb language sql stable as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
        grant usage on schema auth to anon, authenticated, service_role, ${owner};`);
      await asOwner.connect();
      const plugin = definePlugin({ name: 'owner-test', version: '1.0.0', tables: [{ name: 'notes', columns: { n: { type: 'integer', max: 9 } }, strategy: 'LastWriteWins' }] });
      const sql = compileServerSchema([plugin]);
      for (let run = 0; run < 2; run += 1) await asOwner.query(`begin;\n${sql}\ncommit;`);
      expect((await asOwner.query(`select rolsuper from pg_roles where rolname = current_user`)).rows).toEqual([{ rolsuper: false }]);

      await superuser.query('begin');
      await superuser.query('set local role authenticated');
      await superuser.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', app_metadata: { tenant_id: 't1' } })]);
      const rows = [newRow('t1', { n: 1 }), newRow('t1', { n: 10 }), newRow('t2', { n: 1 })];
      const pushed = await superuser.query(`select public.eq_push('notes', $1::json) as outcomes`, [JSON.stringify(rows)]);
      await superuser.query('rollback');
      expect(pushed.rows[0].outcomes).toEqual([
        expect.any(Number),
        { status: 'rejected', code: '23514', reason: 'new row for relation "notes" violates check constraint "_eq_limit_n"' },
        { status: 'rejected', code: '42501', reason: 'new row violates row-level security policy for table "notes"' },
      ]);
    } finally {
      await asOwner.end().catch(() => undefined);
      await superuser.end().catch(() => undefined);
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.query(`drop role if exists ${owner}`);
    }
  });

  it('settles pushes and pulls of a table a column was dropped from by hand', async () => {
    const dropped = uniqueName('mig_dropped');
    await applySql(cloud, compileServerSchema([definePlugin({ name: 'dropped-test', version: '1.0.0', tables: [{ name: dropped, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] })]));
    await admin.query(`alter table public.${dropped} add column scratch text`);
    await admin.query(`alter table public.${dropped} drop column scratch`);
    await applySql(cloud, `notify pgrst, 'reload schema';`);
    const tenant = uniqueTenant('dropped');
    const remote = await deviceRemote(tenant);
    const rows = [newRow(tenant, { body: 'one' }), newRow(tenant, { body: 'two' })];
    const outcomes = await remote.push(dropped, rows.map((row) => ({ row, base_version: null })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    const { rows: pulled } = await pullAll(remote, dropped, { until: hasIds(rows.map((row) => row.id)) });
    expect(pulled.map((row) => row.body)).toEqual(['one', 'two']);
  });
});
