import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, RemoteRejectedError } from '../src/index.js';
import { newRow } from './protocol-kit.js';
import { deviceRemote, installCloudSchema, localRows, openDevice, uniqueName, uniqueTenant, type TestDevice } from '../src/testing/index.js';

// A device does not pull back the rows it just pushed (README › How sync works, no echoes): eq_push answers a
// push's echo, and the next pull's cursor moves past the device's own rows — only where
// the cloud can prove nobody else's row lies between. Counted through the device's own
// fetch: the rows each eq_pull answer carried.

const notes = uniqueName('echo_notes');
const marked = uniqueName('echo_marked');
const published = uniqueName('echo_published');
const receipts = uniqueName('echo_receipts');

const plugin = definePlugin({
  name: 'push-echo-test',
  version: '1.0.0',
  tables: [
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: marked, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
    { name: published, columns: { body: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
    {
      name: receipts,
      columns: { till: { type: 'text', nullable: false }, total: { type: 'text' } },
      strategy: 'LocalWins',
      pullScope: { column: 'till', claim: 'device_id' },
    },
  ],
  // A plugin's own cloud trigger that writes another row of the same table inside a push:
  // inserting a row whose body is 'touch' rewrites the tenant's 'marker' rows.
  serverSql: `
create or replace function public.${marked}_touch() returns trigger language plpgsql as $fn$
begin
  if new.body = 'touch' then
    update public.${marked} set body = 'touched' where tenant_id = new.tenant_id and id <> new.id and body = 'marker';
  end if;
  return new;
end
$fn$;
drop trigger if exists ${marked}_touch on public.${marked};
create trigger ${marked}_touch before insert on public.${marked} for each row execute function public.${marked}_touch();`,
});

/** What the device's requests carried: rows received per pull answer, and each push's `columns`. */
interface Traffic {
  readonly pulledRows: number[];
  readonly pushColumns: string[];
  /** While set, eq_push refuses `p_echo` (and `p_expect`, which came later) as a cloud from before echoes does. */
  olderCloud: boolean;
}

function watching(traffic: Traffic): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.endsWith('/rpc/eq_push')) {
      const columns = url.searchParams.get('columns') ?? '';
      traffic.pushColumns.push(columns);
      if (traffic.olderCloud && (columns.includes('p_echo') || columns.includes('p_expect'))) {
        const body = { code: 'PGRST202', message: 'Could not find the function public.eq_push(p_bases, p_echo, p_rows, p_table) in the schema cache', details: null, hint: null };
        return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
      }
    }
    const response = await fetch(input, init);
    if (url.pathname.endsWith('/rpc/eq_pull') && response.ok) {
      const answer = (await response.clone().json()) as { rows: unknown[] } | [{ rows: unknown[] }];
      traffic.pulledRows.push((Array.isArray(answer) ? answer[0] : answer).rows.length);
    }
    if (url.pathname.endsWith('/rpc/eq_pull_many') && response.ok) {
      const answer = (await response.clone().json()) as [{ pages: Record<string, { rows: unknown[] }> }];
      for (const page of Object.values(answer[0].pages)) traffic.pulledRows.push(page.rows.length);
    }
    return response;
  };
}

async function device(name: string, tenant: string): Promise<TestDevice & { traffic: Traffic }> {
  const traffic: Traffic = { pulledRows: [], pushColumns: [], olderCloud: false };
  const opened = await openDevice({ name, tenant, plugins: [plugin], fetch: watching(traffic), sync: { batchSize: 10 } });
  return Object.assign(opened, { traffic });
}

function write(till: TestDevice, table: string, bodies: readonly string[]): string[] {
  const scoped = till.store.forPlugin(plugin.name);
  return bodies.map((body) => String(scoped.insert(table, { body }).id));
}

const received = (till: { traffic: Traffic }): number => till.traffic.pulledRows.reduce((sum, rows) => sum + rows, 0);

describe('a device and its own pushes', () => {
  beforeAll(() => installCloudSchema([plugin]));

  it('moves past what it pushed instead of pulling it back; the other till gets every row', async () => {
    const tenant = uniqueTenant('echo');
    const till1 = await device('till-1', tenant);
    const till2 = await device('till-2', tenant);
    await till1.engine.syncNow();
    write(till1, notes, Array.from({ length: 30 }, (_, i) => `n${i}`));
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, uploaded: 30, downloaded: 0 });
    // After a first run, pushes also carry what the device expects of the cloud (no probe before them).
    expect(till1.traffic.pushColumns).toEqual(Array.from({ length: 3 }, () => 'p_table,p_rows,p_bases,p_echo,p_expect'));
    expect(received(till1)).toBe(0);

    expect(await till2.engine.syncNow()).toMatchObject({ error: null, downloaded: 30 });
    const [fromTill2] = write(till2, notes, ['from till 2']);
    await till2.engine.syncNow();
    till1.traffic.pulledRows.length = 0;
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, downloaded: 1 });
    expect(received(till1)).toBe(1);
    expect(localRows(till1, notes).map((row) => row.id)).toContain(fromTill2);
    expect(localRows(till1, notes)).toHaveLength(31);
  });

  it("still brings a row another device committed between the device's last pull and its push", async () => {
    const tenant = uniqueTenant('echo-between');
    const till1 = await device('till-1', tenant);
    await till1.engine.syncNow();
    const other = newRow(tenant, { body: 'between' });
    await (await deviceRemote(tenant, 'till-2')).push(notes, [{ row: other, base_version: null }]);
    write(till1, notes, ['mine 1', 'mine 2']);
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, uploaded: 2, downloaded: 1 });
    expect(localRows(till1, notes).map((row) => row.body).sort()).toEqual(['between', 'mine 1', 'mine 2']);
  });

  it("brings the rows its push's own transaction wrote besides the pushed ones (a plugin's trigger)", async () => {
    const tenant = uniqueTenant('echo-trigger');
    const till1 = await device('till-1', tenant);
    const [marker] = write(till1, marked, ['marker']);
    await till1.engine.syncNow();
    // In one push, in id order: the trigger's write of the marker lands between the versions of 'before' and 'after'.
    write(till1, marked, ['before', 'touch', 'after']);
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, uploaded: 3 });
    expect(localRows(till1, marked).find((row) => row.id === marker)).toMatchObject({ body: 'touched' });
  });

  it("of a scoped table, moves past its own rows although another till's rows of the tenant came between", async () => {
    const tenant = uniqueTenant('echo-scoped');
    const till1 = await device('till-1', tenant);
    await till1.engine.syncNow();
    // Another till's receipt, committed after till 1's last pull: outside till 1's scope.
    await (await deviceRemote(tenant, 'till-2')).push(receipts, [{ row: newRow(tenant, { till: 'till-2', total: '1.00' }), base_version: null }]);
    const scoped = till1.store.forPlugin(plugin.name);
    for (const total of ['2.00', '3.00']) scoped.insert(receipts, { till: 'till-1', total });
    till1.traffic.pulledRows.length = 0;
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, uploaded: 2, downloaded: 0 });
    expect(received(till1)).toBe(0);
    // Its own receipts are what it holds; another till of its own still gets them from the cloud.
    const till3 = await device('till-1', tenant);
    expect(await till3.engine.syncNow()).toMatchObject({ error: null, downloaded: 2 });
  });

  it('pushes to a cloud from before echoes as before, and does not ask it for an hour', async () => {
    const tenant = uniqueTenant('echo-older');
    const till1 = await device('till-1', tenant);
    till1.traffic.olderCloud = true;
    await till1.engine.syncNow();
    write(till1, notes, ['a', 'b', 'c']);
    expect(await till1.engine.syncNow()).toMatchObject({ error: null, uploaded: 3 });
    // Refused by name before anything ran — with its expectation, then (after a probe) with p_echo — then sent as
    // ever; its rows come back as they always did.
    expect(till1.traffic.pushColumns).toEqual(['p_table,p_rows,p_bases,p_echo,p_expect', 'p_table,p_rows,p_bases,p_echo', 'p_table,p_rows,p_bases']);
    expect(received(till1)).toBe(3);
    write(till1, notes, ['d']);
    await till1.engine.syncNow();
    expect(till1.traffic.pushColumns.at(-1)).toBe('p_table,p_rows,p_bases');
  });
});

describe("eq_pull's cursor echo", () => {
  beforeAll(() => installCloudSchema([plugin]));

  it("moves a cursor that has reached an echo's start to its end, chaining echoes, and nothing else", async () => {
    const tenant = uniqueTenant('echo-cursor');
    const remote = await deviceRemote(tenant, 'till-1');
    const rows = [1, 2, 3].map((n) => newRow(tenant, { body: `v${n}` }));
    const [v1, v2, v3] = (await Promise.all(rows.map((row) => remote.push(notes, [{ row, base_version: null }])))).map(([outcome]) =>
      outcome!.status === 'applied' ? outcome!.server_version : Number.NaN,
    ).sort((a, b) => a - b) as [number, number, number];
    const bodies = async (echo: [number, number][]) =>
      (await remote.pull(notes, { server_version: v1, scope: null, echo }, 100)).rows.map((row) => row.server_version);
    expect(await bodies([[v1, v2]])).toEqual([v3]);
    expect(await bodies([[v2, v3]])).toEqual([v2, v3]);
    expect(await bodies([[v2, v3], [v1, v2]])).toEqual([]);
    expect(await bodies([])).toEqual([v2, v3]);
  });

  it('answers a push to a download-only table with its refusals and no echo', async () => {
    const tenant = uniqueTenant('echo-download-only');
    const remote = await deviceRemote(tenant, 'till-1');
    const answer = await remote.pushWithEcho(published, [{ row: newRow(tenant, { body: 'not mine to write' }), base_version: null }]);
    expect(answer.echo).toBeNull();
    expect(answer.outcomes).toMatchObject([{ status: 'rejected', code: '42501' }]);
  });

  it('refuses an echo that is not a list of [after, last] pairs of whole numbers, naming it', async () => {
    const remote = await deviceRemote(uniqueTenant('echo-bad'), 'till-1');
    for (const echo of [{ after: 1 }, [[1]], [[1, 'x']], [[-1, 2]], [[1.5, 2]]]) {
      const refusal = await remote.pull(notes, { server_version: 0, scope: null, echo } as never, 100).then(() => undefined, (error: unknown) => error);
      expect(refusal).toBeInstanceOf(RemoteRejectedError);
      expect((refusal as RemoteRejectedError).message).toContain('p_cursor.echo must be an array');
    }
  });
});
