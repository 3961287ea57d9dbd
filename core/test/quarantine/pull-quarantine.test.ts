import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, MAX_SAFE_INTEGER, type Row } from '../../src/index.js';
import { applySql } from '@equinox-sync/local-cloud';
import { installCloudSchema, localRows, openDevice, rewritingPulls, syncUntil, testCloud, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { backOfficeClock, dropCloudChecks, restWrite } from './hostile-cloud.js';

const cloud = testCloud();

const table = `quarantine_${uniqueSuffix()}`;
const plugin = definePlugin({
  name: 'quarantine-test',
  version: '1.0.0',
  tables: [
    {
      name: table,
      columns: { label: { type: 'text', nullable: false }, n: { type: 'integer' }, code: { type: 'integer' }, doc: { type: 'json' } },
      strategy: 'LastWriteWins',
    },
  ],
});

beforeAll(async () => {
  await installCloudSchema([plugin]);
  // The cloud as an older migration left it, with `code` turned into text by a newer peer's
  // plugin version: it holds rows this device's declaration cannot take.
  await dropCloudChecks(table);
  // Through applySql, which waits for PostgREST to reload its schema: a stale cache would
  // still cast `code` to bigint.
  await applySql(cloud, `alter table public.${table} alter column code type text`);
});

/** A row as REST JSON text; `raw` fields are spliced in as written (numbers and nesting JavaScript cannot carry). */
function rowJson(fields: Row, raw: Record<string, string> = {}): string {
  const base = JSON.stringify({ updated_at: backOfficeClock(), deleted: false, ...fields });
  const extra = Object.entries(raw).map(([name, text]) => `,${JSON.stringify(name)}:${text}`).join('');
  return `${base.slice(0, -1)}${extra}}`;
}

describe('quarantine of pulled rows', () => {
  it('sets aside rows the device cannot take, applies the others, lists them with reasons, and a later good version releases them', async () => {
    const tenant = uniqueTenant('quarantine');
    // Rows no cloud holds (no id; a new row missing a NOT NULL column, which SQLite refuses) come in a rewritten page.
    let extraRows: unknown[] = [];
    const device = await openDevice({
      name: 'till',
      tenant,
      plugins: [plugin],
      remote: rewritingPulls((page) => {
        if (page.rows.length === 0 || extraRows.length === 0) return page;
        const rows = [...page.rows, ...(extraRows as Row[])];
        extraRows = [];
        return { ...page, rows };
      }),
    });
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    await restWrite(table, [
      rowJson({ id: 'good-1', tenant_id: tenant, label: 'good one', n: 1 }),
      rowJson({ id: 'huge-int', tenant_id: tenant, label: 'huge' }, { n: '1152921504606846976' }),
      rowJson({ id: 'deep-json', tenant_id: tenant, label: 'deep' }, { doc: deep }),
      rowJson({ id: 'string-int', tenant_id: tenant, label: 'text in an integer', code: 'twelve' }),
      rowJson({ id: 'good-2', tenant_id: tenant, label: 'good two', n: 2 }),
    ]);
    extraRows = [
      { tenant_id: tenant, updated_at: backOfficeClock(), deleted: false, label: 'no id', server_version: 1 },
      { id: 'no-label', tenant_id: tenant, updated_at: backOfficeClock(), deleted: false, n: 3, server_version: 2 },
    ];

    let quarantinedInRuns = 0;
    const runs = device.engine.onDidRun.subscribe(({ result }) => (quarantinedInRuns += result.quarantined));
    await syncUntil(device, () => localRows(device, table).length === 2);
    runs.unsubscribe();
    expect(localRows(device, table).map((row) => row.id)).toEqual(['good-1', 'good-2']);
    expect(quarantinedInRuns).toBe(5);

    const reasons = Object.fromEntries(device.engine.status.quarantined.map((q) => [q.id ?? '(no id)', q.reason]));
    expect(reasons).toEqual({
      'huge-int': `column "n": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`,
      'deep-json': 'column "doc": must nest at most 32 levels deep (has 5000) (22023)',
      'string-int': 'column "code": expects an integer, got string',
      '(no id)': 'has no id',
      'no-label': expect.stringMatching(/^cannot be stored: NOT NULL constraint failed: .*label/),
    });
    for (const q of device.engine.status.quarantined) {
      expect(q.table).toBe(table);
      expect(q.receivedAt).toBeGreaterThan(Date.now() - 60_000);
    }
    // The list API keeps each row as it came (the 5,000-deep value noted in its place), with its version.
    const held = new Map(device.engine.listQuarantined().map((q) => [q.id, q]));
    expect(JSON.parse(held.get('huge-int')!.row)).toMatchObject({ id: 'huge-int', label: 'huge', n: 1152921504606846976 });
    expect(JSON.parse(held.get('deep-json')!.row)).toMatchObject({ id: 'deep-json', doc: expect.stringMatching(/^<not representable as JSON/) });
    expect(held.get('huge-int')!.serverVersion).toEqual(expect.any(Number));

    // The next pull goes on past them.
    await restWrite(table, [rowJson({ id: 'good-3', tenant_id: tenant, label: 'good three', n: 3 })]);
    await syncUntil(device, () => localRows(device, table).some((row) => row.id === 'good-3'));
    expect(device.engine.status.quarantined).toHaveLength(5);

    // Fixed in the cloud, the good versions arrive and release their entries.
    await restWrite(table, [rowJson({ updated_at: backOfficeClock(), n: 5 })], 'PATCH', '?id=eq.huge-int');
    await restWrite(table, [rowJson({ updated_at: backOfficeClock(), doc: { fixed: true } })], 'PATCH', '?id=eq.deep-json');
    await restWrite(table, [JSON.stringify({ updated_at: backOfficeClock(), code: null })], 'PATCH', '?id=eq.string-int');
    await syncUntil(device, () => device.engine.status.quarantined.length === 2);
    expect(device.engine.status.quarantined.map((q) => q.id).sort()).toEqual(['no-label', null].sort());
    const rows = new Map(localRows(device, table).map((row) => [row.id, row]));
    expect(rows.get('huge-int')).toMatchObject({ n: 5, label: 'huge' });
    expect(rows.get('deep-json')).toMatchObject({ doc: { fixed: true } });
    expect(rows.get('string-int')).toMatchObject({ code: null, label: 'text in an integer' });
    expect(device.store.rowState(table, 'huge-int')).toBe('Synced');
  });
});
