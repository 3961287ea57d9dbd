import { beforeAll, describe, expect, inject, it } from 'vitest';
import { definePlugin, type PluginDeclaration } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, hasIds, installCloudSchema, localRows, openDevice, pullAll, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const receipts = uniqueName('scoped_receipts');

function declaration(scoped: boolean): PluginDeclaration {
  return {
    name: 'pull-scope-test',
    version: '1.0.0',
    tables: [
      {
        name: receipts,
        columns: { till: { type: 'text', nullable: false }, total: { type: 'text' } },
        strategy: 'LocalWins',
        ...(scoped ? { pullScope: { column: 'till', claim: 'device_id' } } : {}),
      },
    ],
  };
}

describe('a table with a pull scope', () => {
  beforeAll(async () => {
    await installPlugin(cloud, declaration(true));
  });

  it("sends a device only the rows of its own installation; a token without the claim gets none", async () => {
    const tenant = uniqueTenant('scoped');
    const [till1, till2, noDevice] = await Promise.all([deviceRemote(tenant, 'till-1'), deviceRemote(tenant, 'till-2'), deviceRemote(tenant)]);
    const own = [newRow(tenant, { till: 'till-1', total: '1.00' }), newRow(tenant, { till: 'till-1', total: '2.00' })];
    const other = [newRow(tenant, { till: 'till-2', total: '3.00' })];
    await till1.push(receipts, own.map((row) => ({ row, base_version: null })));
    await till2.push(receipts, other.map((row) => ({ row, base_version: null })));

    const first = await pullAll(till1, receipts, { until: hasIds(own.map((row) => row.id)) });
    expect(first.rows.map((row) => row.id)).toEqual(own.map((row) => row.id));
    expect(first.cursor).toMatchObject({ scope: 'till=device_id' });
    expect((await pullAll(till2, receipts, { until: hasIds(other.map((row) => row.id)) })).rows.map((row) => row.id)).toEqual(other.map((row) => row.id));
    expect((await noDevice.pull(receipts, null, 100)).rows).toEqual([]);
  });

  it('starts again from the beginning when the scope changed under a cursor, so a widened scope brings what the device lacks', async () => {
    const tenant = uniqueTenant('widened');
    const [till1, till2] = await Promise.all([deviceRemote(tenant, 'till-1'), deviceRemote(tenant, 'till-2')]);
    const mine = newRow(tenant, { till: 'till-1', total: '1.00' });
    const theirs = newRow(tenant, { till: 'till-2', total: '2.00' });
    await till1.push(receipts, [{ row: mine, base_version: null }]);
    await till2.push(receipts, [{ row: theirs, base_version: null }]);
    const scoped = await pullAll(till1, receipts, { until: hasIds([mine.id]) });
    expect(scoped.rows.map((row) => row.id)).toEqual([mine.id]);

    // The declaration drops its scope: the next migration registers the table tenant-wide.
    await installCloudSchema([definePlugin(declaration(false))], cloud);
    try {
      const widened = await pullAll(till1, receipts, { cursor: scoped.cursor, until: hasIds([mine.id, theirs.id]) });
      expect(widened.rows.map((row) => row.id).sort()).toEqual([mine.id, theirs.id].sort());
      expect(widened.cursor).toMatchObject({ scope: null });
    } finally {
      await installCloudSchema([definePlugin(declaration(true))], cloud);
    }
  });

  it("syncs a device its own rows only, and a reconcile compares just those: other tills' rows are not 'missing'", async () => {
    const tenant = uniqueTenant('scoped-device');
    const plugin = definePlugin(declaration(true));
    const [till1, till2] = await Promise.all([
      openDevice({ name: 'till-1', tenant, plugins: [plugin] }),
      openDevice({ name: 'till-2', tenant, plugins: [plugin] }),
    ]);
    till1.store.forPlugin('pull-scope-test').insert(receipts, { till: 'till-1', total: '1.00' });
    till2.store.forPlugin('pull-scope-test').insert(receipts, { till: 'till-2', total: '2.00' });
    await till2.engine.syncNow();
    await till1.engine.syncNow();
    expect(localRows(till1, receipts).map((row) => row.till)).toEqual(['till-1']);
    const { tables } = await till1.engine.reconcile({ table: receipts });
    expect(tables).toEqual([{ table: receipts, checked: 1, reuploaded: 0, missingLocally: 0, notReuploaded: 0 }]);
  });

  it('refuses a scope on an unknown or non-text column, naming the table and the field', () => {
    const bad = (pullScope: { column: string; claim: string }) => () =>
      definePlugin({ ...declaration(false), tables: [{ ...declaration(false).tables![0]!, pullScope }] });
    expect(bad({ column: 'nope', claim: 'device_id' })).toThrow(/pullScope\.column.*unknown column "nope"/s);
    expect(bad({ column: 'till', claim: 'not a claim' })).toThrow(/pullScope\.claim/);
  });
});
