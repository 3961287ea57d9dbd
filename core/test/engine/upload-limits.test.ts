import { describe, expect, it } from 'vitest';
import { ColumnLimitError, definePlugin, MAX_SAFE_INTEGER, type RemoteStore } from '../../src/index.js';
import { toRemoteError, type RemoteError } from '../../src/remote/index.js';
import { cloudRows, installCloudSchema, openDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const suffix = uniqueSuffix();
const items = `limited_${suffix}`;
const docs = `docs_${suffix}`;
const chained = `chained_${suffix}`;
const plugin = definePlugin({
  name: 'limits',
  version: '1.0.0',
  tables: [
    {
      name: items,
      columns: { label: { type: 'text' }, n: { type: 'integer' }, doc: { type: 'json' }, wide: { type: 'text', maxLength: 1_000_000 } },
      strategy: 'LastWriteWins',
    },
    { name: chained, columns: { series: { type: 'text' }, n: { type: 'integer' } }, strategy: 'LastWriteWins', orderingKey: ['series'] },
    {
      name: docs,
      columns: { a: { type: 'json', maxBytes: 1_048_576 }, b: { type: 'json', maxBytes: 1_048_576 } },
      strategy: 'LastWriteWins',
    },
  ],
});

/** The cloud's cap refusal, as toRemoteError makes it from eq_push's (or one part of eq_push_tables') answer. */
function capRefusal(table: string, rows: number): RemoteError {
  return toRemoteError({ status: 400, code: '54000', message: `a push may carry at most 4 rows; this one has ${rows}` }, { operation: 'push', table });
}

/** Wraps a remote to record every push: its table, rows and bytes of row JSON. */
function recordingPushes(refuse?: (rows: number) => boolean): { wrap: (remote: RemoteStore) => RemoteStore; pushes: { table: string; rows: number; bytes: number }[] } {
  const pushes: { table: string; rows: number; bytes: number }[] = [];
  const wrap = (remote: RemoteStore): RemoteStore => ({
    health: (timeout) => remote.health(timeout),
    pull: (...args) => remote.pull(...args),
    rpc: (fn, args) => remote.rpc(fn, args),
    push: async (table, batch) => {
      pushes.push({ table, rows: batch.length, bytes: Buffer.byteLength(JSON.stringify(batch.map((item) => item.row))) });
      if (refuse?.(batch.length)) throw capRefusal(table, batch.length);
      return remote.push(table, batch);
    },
  });
  return { wrap, pushes };
}

/**
 * Wraps a remote whose cloud caps every push at 4 rows, its combined pushes included: a
 * part of `pushTables` over the cap is answered with the refusal on its own, the others
 * go to the cloud together (one call), as eq_push_tables answers a part eq_push refused.
 */
function cappedCombinedPushes(): { wrap: (remote: RemoteStore) => RemoteStore; combined: number[][]; single: number[] } {
  const combined: number[][] = [];
  const single: number[] = [];
  const wrap = (remote: RemoteStore): RemoteStore => ({
    health: (timeout) => remote.health(timeout),
    pull: (...args) => remote.pull(...args),
    rpc: (fn, args) => remote.rpc(fn, args),
    push: async (table, batch) => {
      single.push(batch.length);
      if (batch.length > 4) throw capRefusal(table, batch.length);
      return remote.push(table, batch);
    },
    pushTables: async (parts, expect) => {
      combined.push(parts.map((part) => part.items.length));
      const within = parts.filter((part) => part.items.length <= 4);
      const answers = within.length === 0 ? [] : await remote.pushTables!(within, expect);
      return parts.map((part) => (part.items.length > 4 ? { error: capRefusal(part.table, part.items.length) } : answers[within.indexOf(part)]!));
    },
  });
  return { wrap, combined, single };
}

describe('upload limits', () => {
  it('refuses out-of-limit writes through the store API, naming the column', async () => {
    await installCloudSchema([plugin]);
    const device = await openDevice({ name: 'till', tenant: uniqueTenant('limits-api'), plugins: [plugin] });
    const write = (): unknown => device.store.forPlugin('limits').insert(items, { id: 'x', n: 2 ** 60 });
    expect(write).toThrow(ColumnLimitError);
    expect(write).toThrow(`plugin "limits" table "${items}" row "x" column "n": must be an integer within ±${MAX_SAFE_INTEGER}`);
    expect(device.store.pendingUploads()).toBe(0);
  });

  it('rejects a plain-SQL out-of-limit row locally before upload, keeps it, and uploads the others', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-sql');
    const pushes = recordingPushes();
    // A backoff longer than the run: a refused row is not tried again within it.
    const retry = { baseMs: 60_000, maxMs: 120_000, maxAttempts: 3 };
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: pushes.wrap, sync: { retry } });
    const api = device.store.forPlugin('limits');
    api.insert(items, { id: 'ok-1', label: 'fine', n: 1 });
    // Another writer on the same database (a host app's plain SQL) bypasses the store API.
    const plain = device.store.database.prepare(`INSERT INTO "${items}" (id, tenant_id, updated_at, label, n, doc) VALUES (?, ?, '0', ?, ?, ?)`);
    plain.run('big-n', tenant, 'big', 2n ** 60n, null);
    plain.run('long-label', tenant, 'x'.repeat(10_001), 1, null);
    plain.run('deep-doc', tenant, 'deep', 1, `${'['.repeat(40)}${']'.repeat(40)}`);
    api.insert(items, { id: 'ok-2', label: 'fine too', n: 2 });

    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 2, rejected: 3 });
    expect((await cloudRows(items, tenant)).map((row) => row.id)).toEqual(['ok-1', 'ok-2']);
    // None of the refused rows travelled.
    expect(pushes.pushes.reduce((sum, push) => sum + push.rows, 0)).toBe(2);
    const failed = Object.fromEntries(device.engine.status.failed.map((f) => [f.id, f.reason]));
    expect(failed).toEqual({
      'big-n': `column "n": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`,
      'long-label': 'column "label": must be at most 10000 characters (has 10001) (22001)',
      'deep-doc': 'column "doc": must nest at most 32 levels deep (has 40) (22023)',
    });
    expect(device.store.pendingUploads()).toBe(3);

    // Corrected through the API, the row goes up on a later run.
    api.update(items, 'big-n', { n: 7 });
    const next = await device.engine.syncNow();
    expect(next).toMatchObject({ error: null, uploaded: 1 });
    expect((await cloudRows(items, tenant)).find((row) => row.id === 'big-n')).toMatchObject({ n: 7 });
  });

  it('holds the later rows of a locally refused row\'s ordering key for the run, however short the backoff, and the run ends', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-chain');
    const pushes = recordingPushes();
    // Backoff of a few ms: the refused row is due again long before the run ends.
    const retry = { baseMs: 1, maxMs: 2, maxAttempts: 3 };
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: pushes.wrap, sync: { retry, batchSize: 2 } });
    const plain = device.store.database.prepare(`INSERT INTO "${chained}" (id, tenant_id, updated_at, series, n) VALUES (?, ?, '0', ?, ?)`);
    plain.run('a1', tenant, 'a', 2n ** 60n);
    for (const [id, series] of [['a2', 'a'], ['b1', 'b'], ['a3', 'a'], ['b2', 'b']] as const) plain.run(id, tenant, series, 1);

    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 2, rejected: 1 });
    expect((await cloudRows(chained, tenant)).map((row) => row.id)).toEqual(['b1', 'b2']);
    const failed = Object.fromEntries(device.engine.status.failed.map((f) => [f.id, f.reason]));
    expect(failed).toEqual({
      a1: `column "n": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`,
      a2: `waiting for ${chained} a1, which must upload first`,
      a3: `waiting for ${chained} a1, which must upload first`,
    });
    expect(pushes.pushes.reduce((sum, push) => sum + push.rows, 0)).toBe(2);
  });

  it('cuts batches at 1 MiB of row JSON: ~300 KiB rows go three to a push, a 1.4 MiB row alone', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-bytes');
    const pushes = recordingPushes();
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: pushes.wrap, sync: { batchSize: 500 } });
    const api = device.store.forPlugin('limits');
    device.store.transaction(() => {
      for (let i = 0; i < 10; i++) api.insert(docs, { id: `doc-${i}`, a: { s: `${i}`.repeat(300 * 1024) } });
      api.insert(docs, { id: 'doc-wide', a: { s: 'a'.repeat(700 * 1024) }, b: { s: 'b'.repeat(700 * 1024) } });
    });

    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 11, rejected: 0 });
    expect((await cloudRows(docs, tenant)).length).toBe(11);
    expect(pushes.pushes.map((push) => push.rows)).toEqual([3, 3, 3, 1, 1]);
    for (const push of pushes.pushes.slice(0, 4)) expect(push.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(pushes.pushes[4]!.bytes).toBeGreaterThan(1024 * 1024);
  });

  it('sends a batch the cloud finds too large again in halves, and never loops on one row over the cap', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-cap');
    // A cap of 4 rows, as if the cloud's were lower than the engine's batches.
    const pushes = recordingPushes((rows) => rows > 4);
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: pushes.wrap, sync: { batchSize: 16 } });
    const api = device.store.forPlugin('limits');
    device.store.transaction(() => {
      for (let i = 0; i < 16; i++) api.insert(items, { id: `row-${String(i).padStart(2, '0')}`, n: i });
    });
    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 16, rejected: 0 });
    expect(pushes.pushes.map((push) => push.rows)).toEqual([16, 8, 4, 4, 8, 4, 4]);
    expect((await cloudRows(items, tenant)).length).toBe(16);
  });

  it("sends one table's part of a combined push that the cloud finds too large again in halves; the other table's part is applied", async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-cap-combined');
    const capped = cappedCombinedPushes();
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: capped.wrap, sync: { batchSize: 16 } });
    const api = device.store.forPlugin('limits');
    device.store.transaction(() => {
      for (let i = 0; i < 8; i++) api.insert(items, { id: `row-${i}`, n: i });
      api.insert(docs, { id: 'doc-1', a: { s: 'small' } });
    });
    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 9, rejected: 0 });
    // One request for both tables; the refused part alone again, in halves.
    expect(capped.combined).toEqual([[8, 1]]);
    expect(capped.single).toEqual([4, 4]);
    expect((await cloudRows(items, tenant)).length).toBe(8);
    expect((await cloudRows(docs, tenant)).map((row) => row.id)).toEqual(['doc-1']);
    expect(device.engine.status).toMatchObject({ pendingUploads: 0, failed: [] });
  });

  it('a single row over the real cloud cap (3 MB of JSON) is rejected once with the cap message; the others upload', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('limits-real-cap');
    const pushes = recordingPushes();
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin], remote: pushes.wrap });
    const api = device.store.forPlugin('limits');
    api.insert(items, { id: 'before', n: 1 });
    api.insert(items, { id: 'too-big', wide: '€'.repeat(1_000_000) });
    api.insert(items, { id: 'after', n: 2 });

    const run = await device.engine.syncNow();
    expect(run).toMatchObject({ error: null, uploaded: 2, rejected: 1 });
    expect(pushes.pushes.filter((push) => push.rows === 1 && push.bytes > 2 * 1024 * 1024)).toHaveLength(1);
    expect(device.engine.status.failed).toEqual([
      expect.objectContaining({ id: 'too-big', reason: expect.stringMatching(/at most 2097152 bytes of row JSON.*code 54000/), attempts: 1 }),
    ]);
    expect((await cloudRows(items, tenant)).map((row) => row.id)).toEqual(['after', 'before']);
  });
});
