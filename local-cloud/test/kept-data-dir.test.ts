import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { CloudRunningError, OWNER_ROLE, startLocalCloud } from '../src/index.js';
import { freePort } from '../src/free-port.js';

const made: string[] = [];

/** A data dir under a fresh parent (0700, as mkdtemp makes it). */
function dataDir(name: string): string {
  const parent = mkdtempSync(join(tmpdir(), `equinox-kept-${name}-`));
  made.push(parent);
  return join(parent, 'cloud');
}

async function run(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

afterAll(() => {
  for (const parent of made) {
    const location = join(parent, 'cloud', 'postgres-location.txt');
    if (existsSync(location)) rmSync(readFileSync(location, 'utf8').trim(), { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
  }
});

describe('a local cloud on a kept data dir', () => {
  it('takes the preferred port on a first run, keeps its port across restarts, and says so when another program took it', { timeout: 90_000 }, async () => {
    const dir = dataDir('port');
    const preferred = await freePort();
    const first = await startLocalCloud({ dataDir: dir, preferredPort: preferred });
    expect(first.url).toBe(`http://127.0.0.1:${preferred}`);
    await first.stop();

    // Another preferred port does not move a data dir that already has one.
    const again = await startLocalCloud({ dataDir: dir, preferredPort: await freePort() });
    expect(again.url).toBe(first.url);
    expect(again.warnings).toEqual([]);
    await again.stop();

    const squatter = await occupy(preferred);
    try {
      const moved = await startLocalCloud({ dataDir: dir });
      expect(moved.url).not.toBe(first.url);
      expect(moved.warnings.join('\n')).toContain(`port ${preferred} of the last run is in use`);
      await moved.stop();
      await expect(startLocalCloud({ dataDir: dataDir('required'), port: preferred })).rejects.toThrow(`port ${preferred} is in use`);
    } finally {
      squatter.close();
    }
  });

  it('refuses a second start on a running data dir, naming its URL and pid, and touches nothing of it', { timeout: 60_000 }, async () => {
    const dir = dataDir('twice');
    const cloud = await startLocalCloud({ dataDir: dir });
    try {
      const files = ['state.json', 'secrets.json', 'cloud.lock'].map((file) => readFileSync(join(dir, file), 'utf8'));
      const refused = await startLocalCloud({ dataDir: dir }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(CloudRunningError);
      expect((refused as CloudRunningError).message).toContain(`running on ${dir} at ${cloud.url} (pid ${process.pid})`);
      expect(['state.json', 'secrets.json', 'cloud.lock'].map((file) => readFileSync(join(dir, file), 'utf8'))).toEqual(files);
      expect((await fetch(`${cloud.url}/health`)).status).toBe(200);
      expect(await run(cloud.pgUrl, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await cloud.stop();
    }
    expect(existsSync(join(dir, 'cloud.lock'))).toBe(false);
    // A lock left by a process that is gone (a crash) does not block the next start.
    writeFileSync(join(dir, 'cloud.lock'), JSON.stringify({ pid: 2 ** 22 + 1 }));
    await (await startLocalCloud({ dataDir: dir })).stop();
  });

  it('hands what the superuser made in an older data dir to the owner role, once, so its migrations can replace it', { timeout: 90_000 }, async () => {
    const dir = dataDir('older');
    const first = await startLocalCloud({ dataDir: dir });
    // What a data dir of an older version holds: no owner role, objects of the superuser.
    await run(
      first.adminPgUrl,
      `reassign owned by ${OWNER_ROLE} to postgres; drop owned by ${OWNER_ROLE}; drop role ${OWNER_ROLE};
       create schema equinox_older;
       create table equinox_older.items (id bigserial primary key, label text);
       create sequence equinox_older.versions;
       create type public.older_state as enum ('a', 'b');
       create table public.older_items (id text primary key, state public.older_state);
       create function public.older_count() returns bigint language sql as $$ select count(*) from equinox_older.items $$;`,
    );
    await first.stop();

    const upgraded = await startLocalCloud({ dataDir: dir });
    try {
      const owners = await run(
        upgraded.adminPgUrl,
        `select 'schema' as kind, pg_get_userbyid(nspowner) as owner from pg_namespace where nspname = 'equinox_older'
         union all select relname, pg_get_userbyid(relowner) from pg_class where oid in ('equinox_older.items'::regclass, 'equinox_older.items_id_seq'::regclass, 'equinox_older.versions'::regclass, 'public.older_items'::regclass)
         union all select 'older_count', pg_get_userbyid(proowner) from pg_proc where oid = 'public.older_count()'::regprocedure
         union all select 'older_state', pg_get_userbyid(typowner) from pg_type where oid = 'public.older_state'::regtype
         order by 1`,
      );
      expect(owners.map((row) => row.owner)).toEqual(owners.map(() => OWNER_ROLE));
      expect(owners).toHaveLength(7);
      await upgraded.applySql(
        `create or replace function public.older_count() returns bigint language sql as $$ select count(*) + 0 from equinox_older.items $$;
         alter table public.older_items add column note text;
         alter type public.older_state add value if not exists 'c';
         insert into equinox_older.items (label) values ('x');`,
      );
      // Once: what the superuser makes later stays the superuser's.
      await run(upgraded.adminPgUrl, 'create table public.older_admin_only (id int)');
    } finally {
      await upgraded.stop();
    }
    const third = await startLocalCloud({ dataDir: dir });
    try {
      expect(await run(third.adminPgUrl, "select pg_get_userbyid(relowner) as owner from pg_class where oid = 'public.older_admin_only'::regclass")).toEqual([{ owner: 'postgres' }]);
      expect(await run(third.pgUrl, 'select public.older_count() as n')).toEqual([{ n: '1' }]);
    } finally {
      await third.stop();
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, keeps the cluster of a data dir the postgres user cannot reach under /var/lib/equinox-sync (not the temp dir), moves one an older version left in the temp dir there, says when one is gone, and sets aside one a deleted data dir of the same path left',
    { timeout: 90_000 },
    async () => {
      // The default location, not the one the test setup sets for the other tests' clouds.
      const configured = process.env.EQUINOX_CLUSTER_ROOT;
      delete process.env.EQUINOX_CLUSTER_ROOT;
      onTestFinished(() => void (configured === undefined || (process.env.EQUINOX_CLUSTER_ROOT = configured)));
      const dir = dataDir('root');
      const first = await startLocalCloud({ dataDir: dir });
      const persistent = first.postgresDir;
      expect(persistent).toMatch(/^\/var\/lib\/equinox-sync\/equinox-pg-[0-9a-f]{16}\/pg$/);
      await first.applySql('create table public.kept_rows (id int); insert into public.kept_rows values (1), (2)');
      await first.stop();

      // An older version's layout: the cluster under the temp dir, named in postgres-location.txt.
      const older = join(tmpdir(), `equinox-pg-older-${Date.now()}`);
      execFileSync('mv', [join(persistent, '..'), older]); // keeps the postgres user's ownership, across file systems too
      writeFileSync(join(dir, 'postgres-location.txt'), `${older}\n`);
      const moved = await startLocalCloud({ dataDir: dir });
      try {
        expect(moved.postgresDir).toBe(persistent);
        expect(moved.warnings.join('\n')).toContain(`moved the database from ${older}`);
        expect(existsSync(older)).toBe(false);
        expect(await run(moved.pgUrl, 'select count(*)::int as n from public.kept_rows')).toEqual([{ n: 2 }]);
      } finally {
        await moved.stop();
      }

      // A cluster that is gone is said to be gone, not silently replaced.
      rmSync(join(persistent, '..'), { recursive: true, force: true });
      const empty = await startLocalCloud({ dataDir: dir });
      expect(empty.warnings.join('\n')).toContain('is gone; starting with an empty one');
      await empty.stop();
      // The test's cluster under /var/lib goes with the test: each run would leave one otherwise.
      rmSync(join(persistent, '..'), { recursive: true, force: true });

      // A data dir deleted and made again at the same path: the old cluster's passwords went with it.
      const again = await startLocalCloud({ dataDir: dir });
      await again.applySql('create table public.orphaned_rows (id int); insert into public.orphaned_rows values (1)');
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
      const fresh = await startLocalCloud({ dataDir: dir });
      try {
        const [warning] = fresh.warnings.filter((line) => line.includes('left by an earlier data dir of this path'));
        const aside = /moved it to (\S+) and starting with an empty one/.exec(warning ?? '')?.[1];
        expect(aside).toMatch(/^\/var\/lib\/equinox-sync\/equinox-pg-[0-9a-f]{16}\.orphaned-/);
        // Set aside whole, not removed; the new cloud starts empty and works.
        expect(existsSync(join(aside!, 'pg', 'PG_VERSION'))).toBe(true);
        expect(await run(fresh.pgUrl, "select to_regclass('public.orphaned_rows') as t")).toEqual([{ t: null }]);
        rmSync(aside!, { recursive: true, force: true });
      } finally {
        await fresh.stop();
      }
      rmSync(join(persistent, '..'), { recursive: true, force: true });

      // Where the postgres user can reach the data dir, the cluster is inside it.
      const openParent = mkdtempSync(join(tmpdir(), 'equinox-kept-open-'));
      made.push(openParent);
      chmodSync(openParent, 0o755);
      const open = join(openParent, 'cloud');
      const inside = await startLocalCloud({ dataDir: open });
      expect(inside.postgresDir).toBe(join(open, 'pg'));
      await inside.stop();
    },
  );
});
