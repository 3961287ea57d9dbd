import { applySql } from '@equinox-sync/local-cloud';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { liveTopic } from '../src/remote/index.js';
import { compileServerSchema, LIVE_CHANNEL_POLICY } from '../src/server/index.js';
import { newRow } from './protocol-kit.js';
import { deviceRemote, uniqueName, uniqueTenant } from '../src/testing/index.js';

// The cloud side of live nudges (DESIGN.md §4): eq_push announces a push that wrote on
// the tenant's channel, once, and realtime.messages' policy admits only that tenant.

const cloud = inject('cloud');
const notes = uniqueName('live_notes');
const plugin = definePlugin({
  name: 'live-announce-test',
  version: '1.0.0',
  tables: [{ name: notes, columns: { title: { type: 'text', nullable: false } }, strategy: 'LastWriteWins' }],
});

interface Message {
  readonly event: string;
  readonly payload: { table?: unknown; [key: string]: unknown };
  readonly private: boolean;
  readonly extension: string;
}

describe('the push announcement and the channel policy on the local cloud', () => {
  let admin: pg.Client;
  const messages = async (tenant: string): Promise<Message[]> =>
    (await admin.query<Message>(`select event, payload, private, extension from realtime.messages where topic = $1 order by id`, [liveTopic(tenant)])).rows;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: cloud.adminPgUrl });
    await admin.connect();
    await applySql(cloud, compileServerSchema([plugin]));
  });

  afterAll(async () => {
    await admin?.end();
  });

  it('announces each push that wrote rows once, with the table alone, and a push that wrote nothing not at all', async () => {
    const tenant = uniqueTenant('announce');
    const remote = await deviceRemote(tenant, 'till-1');
    const rows = [1, 2, 3].map((n) => newRow(tenant, { title: `note ${n}` }));
    const first = await remote.push(notes, rows.map((row) => ({ row, base_version: null })));
    expect(first.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
    const announced = await messages(tenant);
    expect(announced).toHaveLength(1);
    // Supabase's realtime.send adds an id to the payload; the engine puts the table there and nothing else.
    expect(announced[0]).toMatchObject({ event: 'push', private: true, extension: 'broadcast' });
    const { id: _id, ...payload } = announced[0]!.payload;
    expect(payload).toEqual({ table: notes });

    // The same batch again: duplicates, nothing written, nothing announced. A batch of refused rows neither.
    expect((await remote.push(notes, rows.map((row) => ({ row, base_version: null })))).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect((await remote.push(notes, [{ row: newRow(tenant, { title: null }), base_version: null }]))[0]).toMatchObject({ status: 'rejected' });
    expect(await messages(tenant)).toHaveLength(1);

    // A batch with one bad row among good ones (settled row by row) is still one announcement.
    const mixed = [newRow(tenant, { title: 'kept' }), newRow(tenant, { title: null })];
    expect((await remote.push(notes, mixed.map((row) => ({ row, base_version: null })))).map((o) => o.status)).toEqual(['applied', 'rejected']);
    expect(await messages(tenant)).toHaveLength(2);
    // Another tenant's push lands on its own channel.
    const other = uniqueTenant('announce-other');
    await (await deviceRemote(other, 'till-9')).push(notes, [{ row: newRow(other, { title: 'theirs' }), base_version: null }]);
    expect(await messages(tenant)).toHaveLength(2);
    expect(await messages(other)).toHaveLength(1);
  });

  it("lets a device read its own tenant's channel and no other one", async () => {
    const [mine, theirs] = [uniqueTenant('policy-a'), uniqueTenant('policy-b')];
    const canRead = async (tenant: string, topic: string): Promise<boolean> => {
      await admin.query('begin');
      try {
        const probe = await admin.query<{ id: string }>(`insert into realtime.messages (topic, extension) values ($1, 'broadcast') returning id`, [topic]);
        await admin.query(`select set_config('role', 'authenticated', true), set_config('realtime.topic', $1, true), set_config('request.jwt.claims', $2, true)`, [
          topic,
          JSON.stringify({ role: 'authenticated', app_metadata: { tenant_id: tenant } }),
        ]);
        return (await admin.query('select 1 from realtime.messages where id = $1', [probe.rows[0]!.id])).rowCount === 1;
      } finally {
        await admin.query('rollback');
      }
    };
    expect(await canRead(mine, liveTopic(mine))).toBe(true);
    expect(await canRead(mine, liveTopic(theirs))).toBe(false);
    expect(await canRead(theirs, liveTopic(mine))).toBe(false);
    expect(await canRead(mine, `other:${mine}`)).toBe(false);
    const policies = await admin.query(`select roles::text[] as roles, cmd from pg_policies where schemaname = 'realtime' and tablename = 'messages' and policyname = $1`, [
      LIVE_CHANNEL_POLICY,
    ]);
    expect(policies.rows).toEqual([{ roles: ['authenticated'], cmd: 'SELECT' }]);
  });
});

/** A database of its own, owned by a role that is no superuser, as a Supabase project's `postgres`. */
interface OwnDatabase {
  readonly owner: string;
  /** Runs the migration as the owner, in one transaction; resolves with the warnings it raised. */
  migrate(sql: string): Promise<string[]>;
  /** Runs `sql` as the superuser in that database. */
  superuser(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Pushes rows as a device of `tenant` (the caller's claims, role authenticated), committed. */
  push(tenant: string, rows: readonly unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

describe('the live nudges of the migration on other clouds', () => {
  const opened: OwnDatabase[] = [];
  let admin: pg.Client;
  const migration = compileServerSchema([definePlugin({ name: 'own-live', version: '1.0.0', tables: [{ name: 'notes', columns: { n: { type: 'integer' } }, strategy: 'LastWriteWins' }] })]);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: cloud.adminPgUrl });
    await admin.connect();
  });

  afterAll(async () => {
    for (const database of opened) await database.close();
    await admin?.end();
  });

  async function ownDatabase(): Promise<OwnDatabase> {
    const suffix = uniqueName('live');
    const owner = `eq_owner_${suffix}`;
    const name = `eq_db_${suffix}`;
    const password = `pw-${suffix}`;
    const url = (user: string, secret?: string): string => {
      const target = new URL(cloud.adminPgUrl);
      target.username = user;
      if (secret !== undefined) target.password = secret;
      target.pathname = `/${name}`;
      return target.toString();
    };
    await admin.query(`create role ${owner} login nosuperuser nocreatedb nocreaterole password '${password}'`);
    await admin.query(`create database ${name} owner ${owner}`);
    const superuser = new pg.Client({ connectionString: url(new URL(cloud.adminPgUrl).username) });
    const asOwner = new pg.Client({ connectionString: url(owner, password) });
    await superuser.connect();
    await asOwner.connect();
    const warnings: string[] = [];
    asOwner.on('notice', (notice) => {
      if (notice.severity === 'WARNING') warnings.push(notice.message ?? '');
    });
    // What Supabase has before any migration: auth.jwt() reading the request's claims.
    await superuser.query(`create schema auth;
      create function auth.jwt() returns jsonb language sql stable as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
      grant usage on schema auth to anon, authenticated, service_role, ${owner};`);
    const database: OwnDatabase = {
      owner,
      migrate: async (sql) => {
        warnings.length = 0;
        await asOwner.query(`begin;\n${sql}\ncommit;`);
        return [...warnings];
      },
      superuser: (sql, values) => superuser.query(sql, values),
      push: async (tenant, rows) => {
        await superuser.query('begin');
        try {
          await superuser.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
            JSON.stringify({ role: 'authenticated', app_metadata: { tenant_id: tenant } }),
          ]);
          const pushed = await superuser.query(`select public.eq_push('notes', $1::json) as outcomes`, [JSON.stringify(rows)]);
          await superuser.query('commit');
          return pushed.rows[0].outcomes as unknown[];
        } catch (error) {
          await superuser.query('rollback');
          throw error;
        }
      },
      close: async () => {
        await asOwner.end().catch(() => undefined);
        await superuser.end().catch(() => undefined);
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.query(`drop role if exists ${owner}`);
      },
    };
    opened.push(database);
    return database;
  }

  /** A minimal `realtime` schema as Supabase's, owned by `owner` (or the superuser), whose `send` may be made to fail. */
  function realtimeSql(owner: string | undefined, send: 'works' | 'fails'): string {
    const body = send === 'works'
      ? `insert into realtime.messages (topic, extension, payload, event, private) values (topic, 'broadcast', payload, event, private)`
      : `raise exception 'realtime is down'`;
    return `create schema realtime;
      create table realtime.messages (id bigserial primary key, topic text not null, extension text not null, payload jsonb, event text, private boolean default true);
      alter table realtime.messages enable row level security;
      create function realtime.topic() returns text language sql stable as $$ select nullif(current_setting('realtime.topic', true), '') $$;
      create function realtime.send(payload jsonb, event text, topic text, private boolean default true) returns void language plpgsql as $$ begin ${body}; end $$;
      grant usage on schema realtime to public;
      grant select on realtime.messages to authenticated;
      ${owner === undefined ? '' : `alter schema realtime owner to ${owner}; alter table realtime.messages owner to ${owner};`}`;
  }

  it('installs twice and pushes on a cloud without Realtime', async () => {
    const database = await ownDatabase();
    expect(await database.migrate(migration)).toEqual([]);
    expect(await database.migrate(migration)).toEqual([]);
    expect(await database.push('t1', [newRow('t1', { n: 1 })])).toEqual([expect.any(Number)]);
  });

  it('installs the policy once and keeps it as it is when applied again', async () => {
    const database = await ownDatabase();
    await database.superuser(realtimeSql(database.owner, 'works'));
    const policy = async () =>
      (await database.superuser(`select p.oid::int as oid, pg_get_expr(p.polqual, p.polrelid) as using from pg_policy p where p.polrelid = 'realtime.messages'::regclass`)).rows;
    expect(await database.migrate(migration)).toEqual([]);
    const first = await policy();
    expect(first).toEqual([{ oid: expect.any(Number), using: expect.stringMatching(/realtime\.topic\(\) = \('equinox:'::text \|\| \( SELECT equinox\.jwt_tenant\(\)/) }]);
    expect(first[0].using).toMatch(/extension = 'broadcast'/);
    expect(await database.migrate(migration)).toEqual([]);
    expect(await policy()).toEqual(first);

    expect(await database.push('t1', [newRow('t1', { n: 1 }), newRow('t1', { n: 2 })])).toEqual([expect.any(Number), expect.any(Number)]);
    const sent = await database.superuser(`select topic, event, payload, private from realtime.messages`);
    expect(sent.rows).toEqual([{ topic: 'equinox:t1', event: 'push', payload: { table: 'notes' }, private: true }]);
  });

  it('goes on with a warning where the owner may not add the policy, and announces nothing it cannot', async () => {
    const database = await ownDatabase();
    await database.superuser(realtimeSql(undefined, 'works'));
    const warnings = await database.migrate(migration);
    expect(warnings).toEqual([expect.stringMatching(/^equinox: live nudges are off: must be owner of table messages/)]);
    expect((await database.superuser(`select count(*)::int as policies from pg_policy where polrelid = 'realtime.messages'::regclass`)).rows).toEqual([{ policies: 0 }]);
    // realtime.send runs as the owner, who may not write realtime.messages here: the push stands all the same.
    expect(await database.push('t1', [newRow('t1', { n: 1 })])).toEqual([expect.any(Number)]);
  });

  it('keeps a push whose announcement fails', async () => {
    const database = await ownDatabase();
    await database.superuser(realtimeSql(database.owner, 'fails'));
    expect(await database.migrate(migration)).toEqual([]);
    const row = newRow('t1', { n: 1 });
    expect(await database.push('t1', [row])).toEqual([expect.any(Number)]);
    expect((await database.superuser(`select id from public.notes`)).rows).toEqual([{ id: row.id }]);
  });
});
