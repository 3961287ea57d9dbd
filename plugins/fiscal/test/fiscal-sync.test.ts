import { SupabaseRemote, type PushItem, type PushOutcome, type RemoteStore } from '@equinox-sync/core';
import { deviceRemote, disposeAfterTest, installCloudSchema, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { FiscalApi, readCloudChains, type FiscalRecord } from '../src/index.js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { BUILTIN_PLUGINS, deviceConfig } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const FISCAL = '@equinox-sync/plugin-fiscal';
const INVOICE = { issuerTaxId: 'B12345678', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' } as const;

interface Till {
  readonly host: EquinoxHost;
  readonly fiscal: FiscalApi;
  readonly remote: SupabaseRemote;
}

/** A till of `tenant` with the built-in plugins; `url` overrides the cloud's (a dead port: offline). */
async function openTill(tenant: string, device: string, dir: string, options: { url?: string; remote?: (remote: RemoteStore) => RemoteStore } = {}): Promise<Till> {
  const config = await deviceConfig(cloud, { tenant, device, dir, builtins: true });
  const supabase = { ...config.supabase, ...(options.url === undefined ? {} : { url: options.url }) };
  const remote = new SupabaseRemote({ url: supabase.url, key: supabase.key, accessToken: supabase.accessToken as string });
  const host = await createHost({
    config: { ...config, supabase, sync: { retry: { baseMs: 20, maxMs: 100, maxAttempts: 10 } } },
    remote: options.remote?.(remote) ?? remote,
    sync: { healthTimeoutMs: 1000 },
  });
  disposeAfterTest(host);
  return { host, fiscal: host.api(FiscalApi), remote };
}

/** The cloud's copy of a tenant's chains, read as a device of that tenant reads it. */
async function cloudChains(tenant: string): Promise<Awaited<ReturnType<typeof readCloudChains>>> {
  const remote = await deviceRemote(tenant);
  return readCloudChains((fn, args) => remote.rpc(fn, args));
}

/**
 * A remote whose pushes of invoices go through `rewrite`, which may change rows or split
 * a batch into requests sent one after the other; the outcomes come back in the engine's order.
 */
function rewritingPushes(rewrite: (items: readonly PushItem[], call: number) => PushItem[][]): (remote: RemoteStore) => RemoteStore {
  return (remote) => {
    let calls = 0;
    return {
      pull: (table, cursor, limit) => remote.pull(table, cursor, limit),
      rpc: (fn, args) => remote.rpc(fn, args),
      health: (timeoutMs) => remote.health(timeoutMs),
      async push(table, items): Promise<PushOutcome[]> {
        if (table !== 'invoices') return remote.push(table, items);
        const outcomes: PushOutcome[] = [];
        for (const request of rewrite(items, (calls += 1))) outcomes.push(...(await remote.push(table, request)));
        return items.map((item) => outcomes.find((outcome) => outcome.id === item.row.id) as PushOutcome);
      },
    };
  };
}

function storedRows(till: Till): PushItem[] {
  const rows = till.host.store(FISCAL).query('invoices').sort((a, b) => Number(a.chain_index) - Number(b.chain_index));
  return rows.map((row) => ({ row, base_version: null }));
}

beforeAll(async () => {
  await installCloudSchema(BUILTIN_PLUGINS);
});

describe('two tills of one tenant issue offline', () => {
  it('keep one chain each, with no fork, and both verify against the cloud after syncing', async () => {
    const tenant = uniqueTenant('fiscal-two-tills');
    const dir = tempDir('fiscal-two');
    const offline = 'http://127.0.0.1:9';
    const [a, b] = [await openTill(tenant, 'till-a', dir, { url: offline }), await openTill(tenant, 'till-b', dir, { url: offline })];
    const issuedA = [a.fiscal.issueInvoice({ ...INVOICE, series: 'A-' }), a.fiscal.issueInvoice({ ...INVOICE, series: 'A-' })];
    a.fiscal.cancelInvoice(issuedA[0]?.id as string);
    b.fiscal.issueInvoice({ ...INVOICE, series: 'B-' });
    b.fiscal.issueInvoice({ ...INVOICE, series: 'B-' });
    expect((await a.host.syncNow()).offline).toBe(true);
    expect(await a.fiscal.verify()).toEqual({ ok: true, chains: 1, records: 3, brokenAt: null });
    await Promise.all([a.host.dispose(), b.host.dispose()]);

    const [onlineA, onlineB] = [await openTill(tenant, 'till-a', dir), await openTill(tenant, 'till-b', dir)];
    expect(await onlineA.host.syncNow()).toMatchObject({ uploaded: 3, rejected: 0, error: null });
    expect(await onlineB.host.syncNow()).toMatchObject({ uploaded: 2, rejected: 0, error: null });
    // Each till pulls only its own chain (the invoices' pull scope): the other's is the cloud's to keep.
    expect(await onlineA.host.syncNow()).toMatchObject({ downloaded: 0, error: null });
    expect(onlineA.fiscal.records().map((record) => record.installation_id)).toEqual(['till-a', 'till-a', 'till-a']);
    expect(onlineB.fiscal.records().map((record) => record.installation_id)).toEqual(['till-b', 'till-b']);

    const chains = await cloudChains(tenant);
    expect(chains.heads.map((head) => [head.installation_id, head.links])).toEqual([['till-a', 3], ['till-b', 2]]);
    for (const chain of ['till-a', 'till-b']) {
      const links = chains.records.filter((record) => record.installation_id === chain);
      expect(links.map((record) => record.chain_index)).toEqual(links.map((_, i) => i + 1));
      expect(links.map((record) => record.prev_hash)).toEqual(['', ...links.slice(0, -1).map((record) => record.hash)]);
    }
    // Each verifies its own chain, and the cloud's copy of every chain of the tenant.
    for (const [till, records] of [[onlineA, 3], [onlineB, 2]] as const) {
      expect(await till.fiscal.verify({ remote: true })).toEqual({
        ok: true, chains: 1, records, brokenAt: null, cloud: { chains: 2, records: 5, pending: 0 },
      });
    }
    // A synced record is evidence: it cannot be changed on the device.
    const synced = onlineB.fiscal.records()[0] as FiscalRecord;
    expect(() => onlineB.host.store(FISCAL).update('invoices', synced.id, { gross_total: '0.00' })).toThrow(/append-only/);
  });
});

describe('uploading a chain', () => {
  it('answers a replayed batch with duplicate and leaves the chain unchanged', async () => {
    const tenant = uniqueTenant('fiscal-replay');
    const till = await openTill(tenant, 'till-1', tempDir('fiscal-replay'));
    for (let i = 0; i < 3; i++) till.fiscal.issueInvoice({ ...INVOICE, series: 'T1-' });
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 3, rejected: 0 });
    const before = await cloudChains(tenant);

    const outcomes = await till.remote.push('invoices', storedRows(till));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    const after = await cloudChains(tenant);
    expect(after.records).toEqual(before.records);
    expect(after.heads).toEqual([{ installation_id: 'till-1', links: 3, last_index: 3, last_hash: before.records[2]?.hash, public_key: before.records[0]?.public_key }]);
  });

  it('refuses a link sent before its predecessor, and accepts it after', async () => {
    const tenant = uniqueTenant('fiscal-order');
    const till = await openTill(tenant, 'till-1', tempDir('fiscal-order'));
    for (let i = 0; i < 3; i++) till.fiscal.issueInvoice({ ...INVOICE, series: 'T1-' });
    const [first, second] = storedRows(till) as [PushItem, PushItem, PushItem];

    const [early] = await till.remote.push('invoices', [second]);
    expect(early).toMatchObject({ status: 'rejected', code: 'P0001' });
    expect(early?.status === 'rejected' && early.reason).toContain(`fiscal chain (tenant ${tenant}, installation till-1) link 2: out of order, expected link 1`);
    expect(await till.remote.push('invoices', [first, second])).toMatchObject([{ status: 'applied' }, { status: 'applied' }]);

    // The engine finds links 1 and 2 already there (duplicates) and sends link 3.
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 3, rejected: 0, error: null });
    expect((await cloudChains(tenant)).records.map((record) => record.chain_index)).toEqual([1, 2, 3]);
    expect((await till.fiscal.verify({ remote: true })).ok).toBe(true);
  });

  it('through the engine: links that arrive out of order are refused, retried, and accepted in order', async () => {
    const tenant = uniqueTenant('fiscal-reordered');
    // The first upload reaches the cloud as two requests, the later links first, as a
    // network that reorders requests could deliver it.
    const till = await openTill(tenant, 'till-1', tempDir('fiscal-reordered'), {
      remote: rewritingPushes((items, call) => (call === 1 ? [items.slice(1), items.slice(0, 1)] : [[...items]])),
    });
    for (let i = 0; i < 3; i++) till.fiscal.issueInvoice({ ...INVOICE, series: 'T1-' });
    const [one, two, three] = till.fiscal.records() as [FiscalRecord, FiscalRecord, FiscalRecord];
    expect(await till.host.syncNow()).toMatchObject({ uploaded: 1, rejected: 1 });
    const failed = new Map(till.host.status.failed.map((failure) => [failure.id, failure.reason]));
    expect(failed.has(one.id)).toBe(false);
    expect(failed.get(two.id)).toContain('link 2: out of order, expected link 1');
    expect(failed.get(three.id)).toContain(`waiting for invoices ${two.id}`);

    await syncUntil(till.host, () => till.host.status.pendingUploads === 0);
    expect(till.host.status.failed).toEqual([]);
    expect((await cloudChains(tenant)).records.map((record) => record.chain_index)).toEqual([1, 2, 3]);
    expect(await till.fiscal.verify({ remote: true })).toMatchObject({ ok: true, cloud: { records: 3, pending: 0 } });
  });

  it('keeps the later links waiting behind a refused one, with the reason in status.failed', async () => {
    const tenant = uniqueTenant('fiscal-waiting');
    // The first upload of link 1 is damaged on the way: the cloud's huella check refuses it.
    const till = await openTill(tenant, 'till-1', tempDir('fiscal-waiting'), {
      remote: rewritingPushes((items, call) => [
        items.map((item) => (call === 1 && item.row.chain_index === 1 ? { ...item, row: { ...item.row, hash: '0'.repeat(64) } } : item)),
      ]),
    });
    const records = [0, 1, 2].map(() => till.fiscal.issueInvoice({ ...INVOICE, series: 'T1-' }));
    const first = await till.host.syncNow();
    expect(first).toMatchObject({ uploaded: 0, rejected: 1 });
    const failed = new Map(till.host.status.failed.map((failure) => [failure.id, failure.reason]));
    expect(failed.get(records[0]?.id as string)).toContain('link 1: hash must be SHA-256 of the preimage');
    expect(failed.get(records[1]?.id as string)).toContain(`waiting for invoices ${records[0]?.id}`);
    expect(failed.get(records[2]?.id as string)).toContain(`waiting for invoices ${records[0]?.id}`);
    expect((await cloudChains(tenant)).records).toEqual([]);

    await syncUntil(till.host, () => till.host.status.pendingUploads === 0);
    expect((await cloudChains(tenant)).records.map((record) => record.hash)).toEqual(records.map((record) => record.hash));
    expect(await till.fiscal.verify({ remote: true })).toMatchObject({ ok: true, records: 3, cloud: { records: 3, pending: 0 } });
  });
});
