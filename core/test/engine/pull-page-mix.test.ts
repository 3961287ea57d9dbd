import { describe, expect, it } from 'vitest';
import { definePlugin, type Row } from '../../src/index.js';
import { cloudRows, installCloudSchema, openDevice, rewritingPulls, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const table = `mix_${uniqueSuffix()}`;
const plugin = definePlugin({
  name: 'page-mix',
  version: '1.0.0',
  tables: [{ name: table, columns: { label: { type: 'text', nullable: false }, n: { type: 'integer' } }, strategy: 'Manual' }],
});

// One page of 300 rows: longer than one write statement of the store, so the rows with a
// local change and the row the device cannot read fall inside a batch of written rows.
describe('a pulled page that mixes new versions, local changes and a row the device cannot read', () => {
  it('applies the new versions, files the local changes as conflicts, sets the bad row aside and advances the cursor', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('page-mix');
    const office = await openDevice({ name: 'office', tenant, plugins: [plugin] });
    let spoil: string | undefined;
    const till = await openDevice({
      name: 'till',
      tenant,
      plugins: [plugin],
      // The cloud sends one row with a value this device's declaration cannot take.
      remote: rewritingPulls((page) => ({ ...page, rows: page.rows.map((row) => (row.id === spoil ? { ...row, n: 'not a number' } : row)) })),
    });
    const office$ = office.store.forPlugin('page-mix');
    const ids = office.store.transaction(() => Array.from({ length: 300 }, (_, n) => String(office$.insert(table, { label: `v1 ${n}`, n }).id)));
    await office.engine.syncNow();
    expect((await till.engine.syncNow()).downloaded).toBe(300);

    // Deletes wait for a person's confirmation: changes the till holds, unsent, while it pulls.
    const [held1, held2, bad] = [ids[10], ids[200], ids[150]] as [string, string, string];
    const till$ = till.store.forPlugin('page-mix');
    till$.delete(table, held1);
    till$.delete(table, held2);
    office.store.transaction(() => ids.forEach((id, n) => office$.update(table, id, { label: `v2 ${n}` })));
    await office.engine.syncNow();
    spoil = bad;

    const run = await till.engine.syncNow();

    expect(run).toMatchObject({ error: null, downloaded: 297, conflicts: 2, quarantined: 1 });
    expect(till.engine.listConflicts().map(({ id, local, remote }) => ({ id, deleted: local.deleted, remote: remote.label }))).toEqual(
      expect.arrayContaining([
        { id: held1, deleted: true, remote: 'v2 10' },
        { id: held2, deleted: true, remote: 'v2 200' },
      ]),
    );
    expect(till.store.rowState(table, held1)).toBe('Conflict');
    expect(till.store.listQuarantined()).toMatchObject([{ table, id: bad, reason: 'column "n": expects an integer, got string' }]);
    expect(till$.get(table, bad)).toMatchObject({ label: 'v1 150' });
    const cloud = new Map((await cloudRows(table, tenant)).map((row: Row) => [row.id, row]));
    const versions = till.store.database
      .prepare(`SELECT row_id, state, server_version FROM _eq_row_state WHERE row_id NOT IN (?, ?, ?)`)
      .all(held1, held2, bad) as { row_id: string; state: string; server_version: number }[];
    expect(versions).toHaveLength(297);
    for (const { row_id: id, state, server_version: version } of versions) {
      expect({ id, state, version }).toEqual({ id, state: 'Synced', version: Number(cloud.get(id)?.server_version) });
      expect(till$.get(table, id)?.label).toBe(cloud.get(id)?.label);
    }

    // The cursor went past the page: the next run pulls nothing again, and the bad row stays aside.
    spoil = undefined;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, downloaded: 0, conflicts: 0, quarantined: 0 });
    expect(till.store.quarantinedCount()).toBe(1);
  });
});
