import { applySql } from '@equinox-sync/local-cloud';
import { describe, expect, inject, it } from 'vitest';
import { definePlugin, type PushOutcome } from '../src/index.js';
import { compileServerSchema } from '../src/server/index.js';
import { newRow } from './protocol-kit.js';
import { cloudDatabase, deviceRemote, hasIds, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';

// Each synced table's statements compiled by the migration — its push step, its page
// statement, its echo check — and what serves a table without them: one an earlier
// migration registered, or one a column was added to by hand since.

const cloud = inject('cloud');

/** The migration of a plugin with one table of `body` rows, each device pulling only its own till's. */
function tillScopedMigration(plugin: string, table: string): string {
  return compileServerSchema([
    definePlugin({
      name: plugin,
      version: '1.0.0',
      tables: [{ name: table, columns: { body: { type: 'text' }, till: { type: 'text' } }, strategy: 'LastWriteWins', pullScope: { column: 'till', claim: 'device_id' } }],
    }),
  ]);
}

describe("a table's compiled statements, and a table without them", () => {
  const admin = cloudDatabase({ as: 'superuser', cloud });

  it('refuses the rows of a table registered without a push step, naming the fix, until a migration with its plugin gives it one', async () => {
    const stepless = uniqueName('mig_stepless');
    const migration = compileServerSchema([definePlugin({ name: 'stepless-test', version: '1.0.0', tables: [{ name: stepless, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }] })]);
    await applySql(cloud, migration);
    // As a registry an earlier version of the migration wrote: no push step named.
    await admin.query(`update equinox.tables set push_function = null where name = $1`, [stepless]);
    const tenant = uniqueTenant('stepless');
    const remote = await deviceRemote(tenant);
    const row = newRow(tenant, { body: 'waits' });
    const [refused] = await remote.push(stepless, [{ row, base_version: null }]);
    expect(refused).toMatchObject({ status: 'rejected', code: '42883', reason: `table "${stepless}" has no push step` });
    await applySql(cloud, migration);
    const [applied] = await remote.push(stepless, [{ row, base_version: null }]);
    expect(applied).toMatchObject({ status: 'applied' });
  });

  it('pages with the compiled statement as eq_pull builds its own, which it does for a table a column was added to by hand', async () => {
    const paged = uniqueName('mig_paged');
    const migration = tillScopedMigration('paged-test', paged);
    await applySql(cloud, migration);
    const tenant = uniqueTenant('paged');
    const remote = await deviceRemote(tenant, 'till-1');
    const rows = ['one', 'two', 'three'].map((body) => newRow(tenant, { body, till: 'till-1' }));
    await remote.push(paged, [...rows, newRow(tenant, { body: 'elsewhere', till: 'till-2' })].map((row) => ({ row, base_version: null })));
    // Two of the device's three rows: a page with more to come carries no marks, which other tests move.
    const compiled = await remote.pull(paged, null, 2);
    expect(compiled.rows.map((row) => row.body)).toEqual(['one', 'two']);
    expect(compiled.has_more).toBe(true);
    await admin.query(`update equinox.tables set pull_function = null where name = $1`, [paged]);
    expect(await remote.pull(paged, null, 2)).toEqual(compiled);
    expect(await remote.pull(paged, compiled.cursor, 2)).toMatchObject({ rows: [{ body: 'three' }], has_more: false });

    await applySql(cloud, migration);
    await admin.query(`alter table public.${paged} add column note text default 'added by hand'`);
    const { rows: pulled } = await pullAll(remote, paged, { until: hasIds(rows.map((row) => row.id)) });
    expect(pulled.map((row) => [row.body, row.note])).toEqual([
      ['one', 'added by hand'],
      ['two', 'added by hand'],
      ['three', 'added by hand'],
    ]);
  });

  it("answers a push's echo from the compiled check as from the reads it builds for a table an earlier migration registered", async () => {
    const echoed = uniqueName('mig_echoed');
    const migration = tillScopedMigration('echoed-test', echoed);
    await applySql(cloud, migration);
    const tenant = uniqueTenant('echoed');
    const till = await deviceRemote(tenant, 'till-1');
    const other = await deviceRemote(tenant, 'till-2');
    const push = (remote: typeof till, body: string, at: string) => remote.pushWithEcho(echoed, [{ row: newRow(tenant, { body, till: at }), base_version: null }]);
    const first = await push(till, 'one', 'till-1');
    // Another till's row between: outside till 1's scope, so its pushes' echoes still chain.
    await push(other, 'elsewhere', 'till-2');
    await admin.query(`update equinox.tables set echo_function = null where name = $1`, [echoed]);
    const built = await push(till, 'two', 'till-1');
    await applySql(cloud, migration);
    const compiled = await push(till, 'three', 'till-1');
    const versions = [first, built, compiled].map(({ outcomes }) => (outcomes[0] as Extract<PushOutcome, { status: 'applied' }>).server_version);
    expect([first.echo, built.echo, compiled.echo]).toEqual([
      [0, versions[0]],
      [versions[0], versions[1]],
      [versions[1], versions[2]],
    ]);
    const { rows: registered } = await admin.query(`select echo_function from equinox.tables where name = $1`, [echoed]);
    expect(registered).toEqual([{ echo_function: `_eq_${echoed}_echo` }]);
  });
});
