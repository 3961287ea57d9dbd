import { applySql } from '@equinox-sync/local-cloud';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileServerSchema, definePlugin, type PluginDeclaration } from '../src/index.js';
import { deviceRemote, hasIds, newRow, pullAll, uniqueName, uniqueTenant } from './cloud-kit.js';

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
  'triggers', (select jsonb_agg(jsonb_build_object('oid', t.oid, 'def', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled) order by t.oid)
                 from pg_trigger t join pg_class c on c.oid = t.tgrelid
                where not t.tgisinternal and c.relnamespace = 'public'::regnamespace and c.relname = any($1)),
  'functions', (select jsonb_agg(jsonb_build_object('oid', p.oid, 'def', pg_get_functiondef(p.oid), 'acl', p.proacl::text[]) order by p.oid)
                  from pg_proc p
                 where p.pronamespace = 'equinox'::regnamespace
                    or (p.pronamespace = 'public'::regnamespace and p.proname in ('eq_push', 'eq_pull', 'eq_health'))),
  'registry', (select jsonb_agg(to_jsonb(r) order by r.name) from equinox.tables r where r.name = any($1)),
  'registry_acl', (select relacl::text[] from pg_class where oid = 'equinox.tables'::regclass)
) as snapshot`;

describe('the compiled migration on a live cloud', () => {
  let admin: pg.Client;
  const snapshot = async (): Promise<unknown> =>
    (await admin.query(SNAPSHOT, [[items, events, neighbour]])).rows[0].snapshot as unknown;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: cloud.pgUrl });
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
    expect(parts.triggers).toHaveLength(1 + 3); // stamping on both, append-only protection on one
    expect(parts.functions).toHaveLength(6 + 3);
    const view = await admin.query(`select to_regclass($1) as view`, [`public.${items}_titles`]);
    expect(view.rows[0].view).not.toBeNull();
  });

  it('replaces the functions of sync protocol 1, whose signatures differ, instead of keeping both', async () => {
    // In one transaction, rolled back: the other test files share this cloud, and two
    // eq_push would be ambiguous to PostgREST while they lived.
    await admin.query('begin');
    try {
      await admin.query(`create or replace function public.eq_push(p_table text, p_rows jsonb) returns jsonb language sql as 'select null::jsonb'`);
      await admin.query(`create or replace function equinox.apply_batch(p_table text, p_rows jsonb) returns jsonb language sql as 'select null::jsonb'`);
      await admin.query(compileServerSchema([definePlugin(declaration)]));
      const left = await admin.query(
        `select p.oid::regprocedure::text as signature from pg_proc p
          where p.proname in ('eq_push', 'apply_batch') and p.pronamespace in ('public'::regnamespace, 'equinox'::regnamespace) order by 1`,
      );
      expect(left.rows.map((row) => row.signature)).toEqual(['eq_push(text,json,jsonb)', 'equinox.apply_batch(text,json,jsonb)']);
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
    const remote = await deviceRemote(cloud, tenant);
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

  it('settles pushes and pulls of a table a column was dropped from by hand', async () => {
    const dropped = uniqueName('mig_dropped');
    await applySql(cloud, compileServerSchema([definePlugin({ name: 'dropped-test', version: '1.0.0', tables: [{ name: dropped, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] })]));
    await admin.query(`alter table public.${dropped} add column scratch text`);
    await admin.query(`alter table public.${dropped} drop column scratch`);
    await applySql(cloud, `notify pgrst, 'reload schema';`);
    const tenant = uniqueTenant('dropped');
    const remote = await deviceRemote(cloud, tenant);
    const rows = [newRow(tenant, { body: 'one' }), newRow(tenant, { body: 'two' })];
    const outcomes = await remote.push(dropped, rows.map((row) => ({ row, base_version: null })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    const { rows: pulled } = await pullAll(remote, dropped, { until: hasIds(rows.map((row) => row.id)) });
    expect(pulled.map((row) => row.body)).toEqual(['one', 'two']);
  });
});
