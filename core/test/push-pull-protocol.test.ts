import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RemoteRejectedError, SYNC_PROTOCOL_VERSION, type PushOutcome, type RemoteStore } from '../src/index.js';
import { hlc, installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const notes = uniqueName('proto_notes');
const feed = uniqueName('proto_feed');

describe('eq_push and eq_pull over supabase-js', () => {
  let remote: RemoteStore;
  let tenant: string;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'protocol-test',
      version: '1.0.0',
      tables: [
        {
          name: notes,
          columns: {
            title: { type: 'text', nullable: false },
            pages: { type: 'integer', default: 0 },
            ratio: { type: 'real' },
            done: { type: 'boolean', default: false },
            meta: { type: 'json' },
            due_at: { type: 'timestamp' },
          },
          strategy: 'LastWriteWins',
        },
        { name: feed, columns: { body: { type: 'text' } }, strategy: 'RemoteWins', direction: 'download-only' },
      ],
    });
    tenant = uniqueTenant('proto');
    remote = await deviceRemote(tenant);
  });

  it('brings pushed rows back on pull, with every column type and a server_version', async () => {
    const rows = [
      newRow(tenant, { title: 'first', pages: 3, ratio: 0.25, done: true, meta: { tags: ['a'], n: 1 }, due_at: '2025-03-01T10:00:00.000Z' }),
      newRow(tenant, { title: 'second', pages: 9_007_199_254_740_991, ratio: null, done: false, meta: null, due_at: null }),
    ];
    const outcomes = await remote.push(notes, rows.map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => [o.id, o.status])).toEqual(rows.map((row) => [row.id, 'applied']));
    const versions = outcomes.map((o) => (o as Extract<PushOutcome, { status: 'applied' }>).server_version);
    expect(versions[1]).toBeGreaterThan(versions[0] as number);

    const { rows: pulled } = await pullAll(remote, notes, { until: hasIds(rows.map((row) => row.id)) });
    expect(pulled).toHaveLength(2);
    expect(pulled[0]).toEqual({ ...rows[0], due_at: '2025-03-01T10:00:00+00:00', server_version: versions[0] });
    expect(pulled[1]).toEqual({ ...rows[1], server_version: versions[1] });
    expect(pulled[0]).not.toHaveProperty('txid');
  });

  it('answers a batch pushed twice with duplicates and writes no extra row', async () => {
    const other = uniqueTenant('proto-dup');
    const device = await deviceRemote(other);
    const batch = [1, 2, 3].map((n) => ({ row: newRow(other, { title: `dup ${n}` }), base_version: null }));
    const first = await device.push(notes, batch);
    const second = await device.push(notes, batch);
    expect(second).toEqual(first.map((o) => ({ ...o, status: 'duplicate' })));
    const { rows } = await pullAll(device, notes, { until: hasIds(batch.map((item) => item.row.id)) });
    expect(rows.map((row) => row.id)).toEqual(batch.map((item) => item.row.id));
  });

  it('rejects a bad row with its SQLSTATE and applies the rest of the batch', async () => {
    const good1 = newRow(tenant, { title: 'kept 1' });
    const missingTitle = newRow(tenant, { title: null });
    const good2 = newRow(tenant, { title: 'kept 2' });
    const outcomes = await remote.push(notes, [good1, missingTitle, good2].map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(outcomes[1]).toMatchObject({ id: missingTitle.id, code: '23502' });
    expect((outcomes[1] as { reason: string }).reason).toMatch(/title/);
  });

  it('narrows a large batch down to its bad rows and keeps the outcomes in input order', async () => {
    const rows = Array.from({ length: 200 }, (_, n) => newRow(tenant, { title: [13, 101, 187].includes(n) ? null : `bulk ${n}` }));
    const outcomes = await remote.push(notes, rows.map((row) => ({ row, base_version: null })));
    expect(outcomes.map((o) => o.id)).toEqual(rows.map((row) => row.id));
    const rejected = outcomes.flatMap((o, n) => (o.status === 'rejected' ? [n] : []));
    expect(rejected).toEqual([13, 101, 187]);
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(197);
  });

  it('tells written, duplicate and conflicting rows of one batch apart, each at its own version', async () => {
    const kept = newRow(tenant, { title: 'kept' }, hlc(5_000, 0, 'dev1'));
    const contested = newRow(tenant, { title: 'cloud title' }, hlc(5_000, 0, 'dev1'));
    const retried = newRow(tenant, { title: 'retried' }, hlc(5_000, 0, 'dev1'));
    const before = await remote.push(notes, [kept, contested, retried].map((row) => ({ row, base_version: null })));
    const [keptVersion, contestedVersion, retriedVersion] = before.map((o) => (o.status === 'applied' ? o.server_version : null));
    const fresh = newRow(tenant, { title: 'fresh' });
    // An older clock on no base: LastWriteWins keeps the cloud's row.
    const stale = { ...contested, title: 'stale edit', updated_at: hlc(1_000, 0, 'dev2') };
    const edited = { ...kept, title: 'edited', updated_at: hlc(6_000, 0, 'dev1') };
    const outcomes = await remote.push(notes, [retried, fresh, stale, edited].map((row) => ({ row, base_version: row === edited ? (keptVersion ?? null) : null })));
    expect(outcomes.map((o) => o.status)).toEqual(['duplicate', 'applied', 'conflict', 'applied']);
    expect(outcomes[0]).toMatchObject({ server_version: retriedVersion });
    expect(outcomes[2]).toMatchObject({ row: { title: 'cloud title', server_version: contestedVersion } });
    const written = outcomes.flatMap((o) => (o.status === 'applied' ? [o.server_version] : []));
    const { data } = await supabaseClient(cloud.serviceKey).from(notes).select('id, title, server_version').in('id', [fresh.id, kept.id]);
    expect(new Map(data?.map((row) => [row.id, [row.title, row.server_version]]))).toEqual(
      new Map([
        [fresh.id, ['fresh', written[0]]],
        [kept.id, ['edited', written[1]]],
      ]),
    );
  });

  it('settles two items for the same row one after the other', async () => {
    const row = newRow(tenant, { title: 'twice' }, hlc(1_000, 0, 'dev1'));
    const later = { ...row, title: 'twice, later', updated_at: hlc(2_000, 0, 'dev1') };
    const outcomes = await remote.push(notes, [
      { row, base_version: null },
      { row: later, base_version: null },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    const { data } = await supabaseClient(cloud.serviceKey).from(notes).select('title').eq('id', row.id).single();
    expect(data).toEqual({ title: 'twice, later' });
  });

  it('pages from its cursor and keeps the cursor when nothing is new', async () => {
    const other = uniqueTenant('proto-cursor');
    const device = await deviceRemote(other);
    expect(await device.pull(notes, null, 10)).toMatchObject({ rows: [], cursor: { server_version: 0, scope: null }, has_more: false });
    const rows = [1, 2, 3].map((n) => newRow(other, { title: `page ${n}` }));
    await device.push(notes, rows.map((row) => ({ row, base_version: null })));
    await pullAll(device, notes, { until: hasIds(rows.map((row) => row.id)) });

    const first = await device.pull(notes, null, 2);
    expect(first.rows.map((row) => row.id)).toEqual([rows[0]?.id, rows[1]?.id]);
    expect(first.has_more).toBe(true);
    const second = await device.pull(notes, first.cursor, 2);
    expect(second.rows.map((row) => row.id)).toEqual([rows[2]?.id]);
    expect(second.has_more).toBe(false);
    expect(second.cursor).toEqual({ server_version: second.rows[0]?.server_version, scope: null });
    expect(await device.pull(notes, second.cursor, 2)).toMatchObject({ rows: [], cursor: second.cursor, has_more: false });
  });

  it('refuses device writes to a download-only table and delivers what the service role writes', async () => {
    const row = newRow(tenant, { body: 'from the back office' });
    const outcomes = await remote.push(feed, [{ row, base_version: null }]);
    expect(outcomes).toEqual([{ id: row.id, status: 'rejected', code: '42501', reason: expect.stringMatching(/download-only/) }]);
    const { error } = await supabaseClient(cloud.serviceKey).from(feed).insert(row);
    expect(error).toBeNull();
    const { rows } = await pullAll(remote, feed, { until: hasIds([row.id]) });
    expect(rows).toEqual([expect.objectContaining({ id: row.id, body: 'from the back office' })]);
  });

  it('refuses a table that is not synced as a typed, non-retryable error', async () => {
    const attempt = remote.push('not_a_synced_table', [{ row: newRow(tenant, {}), base_version: null }]);
    await expect(attempt).rejects.toBeInstanceOf(RemoteRejectedError);
    await expect(attempt).rejects.toMatchObject({ code: '42P01', retryable: false });
  });

  it('answers on the wire with a bare server_version per applied row and an object for any other', async () => {
    const other = uniqueTenant('proto-wire');
    const client = supabaseClient(cloud.anonKey, { token: await deviceToken(other) });
    const fresh = newRow(other, { title: 'fresh' });
    const seen = newRow(other, { title: 'seen' });
    const first = await client.rpc('eq_push', { p_table: notes, p_rows: [seen] });
    expect(first.error).toBeNull();
    const [seenVersion] = first.data as number[];
    expect(Number.isInteger(seenVersion)).toBe(true);

    const edited = { ...seen, title: 'seen, edited', updated_at: hlc(Date.now() + 1_000, 0, 'dev1') };
    const { data, error } = await client.rpc('eq_push', { p_table: notes, p_rows: [fresh, edited, seen], p_bases: { [seen.id as string]: seenVersion } });
    expect(error).toBeNull();
    const [freshAnswer, editedAnswer, staleAnswer] = data as unknown[];
    expect(typeof freshAnswer).toBe('number');
    expect(editedAnswer).toBeGreaterThan(seenVersion as number); // the base matched: applied as an edit
    expect(staleAnswer).toMatchObject({ status: 'conflict', row: { id: seen.id, title: 'seen, edited' } });
  });

  it('answers the health probe with the protocol version, the tenant and device its token names, and the cloud\'s marks', async () => {
    const health = await remote.health(5_000);
    expect(health).toMatchObject({ online: true, protocol: SYNC_PROTOCOL_VERSION, tenant });
    expect(health.error).toBeUndefined();
    const { data } = await supabaseClient(cloud.anonKey, { token: await deviceToken(tenant, 'till-7') }).rpc('eq_health');
    expect(data).toEqual({
      ok: true,
      protocol: SYNC_PROTOCOL_VERSION,
      tenant,
      device: 'till-7',
      epoch: expect.stringMatching(/^[0-9a-f-]{36}$/),
      high_water: expect.stringMatching(/^\d+$/),
      next_txid: expect.stringMatching(/^\d+$/),
      // Per table with a pull scope (other test files install some), the token's claim.
      scopes: expect.any(Object),
    });
    // The parsed fields: the epoch is the cloud's, the marks only grow.
    expect(health).toMatchObject({ epoch: (data as { epoch: string }).epoch });
    expect(BigInt(health.highWater!)).toBeLessThanOrEqual(BigInt((data as { high_water: string }).high_water));
    expect(BigInt(health.nextTxid!)).toBeLessThanOrEqual(BigInt((data as { next_txid: string }).next_txid));
  });
});
