import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecoveryReport } from '../src/index.js';
import { deviceRemote, installCloudSchema, pullAll, uniqueTenant } from '../src/testing/index.js';
import { device, laterByMs, notes, plugin, seed, tags } from './pull-many-kit.js';

// A run with changes to send makes no probe once the engine has heard from the cloud: its
// pushes carry what the device expects (eq_push's p_expect), and the cloud refuses them
// whole, writing nothing, if it changed. Counted through the device's own fetch.

/** The ids of `table` the cloud holds for `tenant`, as another device of it pulls them. */
async function cloudIds(tenant: string, table: string): Promise<string[]> {
  const { rows } = await pullAll(await deviceRemote(tenant, 'till-9'), table);
  return rows.map((row) => String(row.id));
}

/** A till of a new tenant that has synced once: the engine has heard from the cloud and recorded its marks. */
async function syncedTill(label: string): Promise<{ tenant: string; till: Awaited<ReturnType<typeof device>> }> {
  const tenant = uniqueTenant(label);
  const till = await device('till-1', tenant);
  expect(await till.engine.syncNow()).toMatchObject({ error: null });
  return { tenant, till };
}

/** Queues a note on `till`, its requests counted from here; the note's id. */
function noteOn(till: Awaited<ReturnType<typeof device>>, body: string): string {
  till.calls.sent.length = 0;
  return String(till.store.forPlugin('pull-many-test').insert(notes, { body }).id);
}

describe('a run whose first push is its probe', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  beforeAll(() => installCloudSchema([plugin]));

  it('pushes and pulls without a probe once the engine has heard from the cloud, and probes again after 30 s of silence', async () => {
    const tenant = uniqueTenant('expect-run');
    const till = await device('till-1', tenant);
    // A first run has no mark of the cloud to expect: it probes.
    till.store.forPlugin('pull-many-test').insert(notes, { body: 'first' });
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push', 'GET eq_pull_many']);

    const [theirs] = await seed(tenant, tags, [{ label: 'from another till' }]);
    const sale = noteOn(till, 'a sale');
    expect(await till.engine.syncNow()).toMatchObject({ error: null, offline: false, uploaded: 1, downloaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_push', 'GET eq_pull_many']);
    expect(await cloudIds(tenant, notes)).toContain(sale);
    expect(till.store.pendingUploads()).toBe(0);
    expect(till.engine.status).toMatchObject({ online: true, lastError: null });
    expect(till.store.forPlugin('pull-many-test').get(tags, theirs!)).toMatchObject({ label: 'from another till' });

    // The last answer is more than 30 s old: the run probes first, as a run for nudges would.
    laterByMs(31_000);
    noteOn(till, 'later');
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push', 'GET eq_pull_many']);
  });

  it.each([
    ['replaced', (mark: { epoch?: string; highWater?: string }) => ({ ...mark, epoch: '00000000-0000-4000-8000-000000000000' })],
    ['rewound', (mark: { epoch?: string; highWater?: string }) => ({ ...mark, highWater: String(BigInt(mark.highWater ?? '0') + 1_000_000n) })],
  ] as const)('meets a cloud %s under it: the first push writes nothing, the run probes, repairs, then sends', async (cause, falsify) => {
    const tenant = uniqueTenant(`expect-${cause}`);
    const till = await device('till-1', tenant);
    const kept = String(till.store.forPlugin('pull-many-test').insert(notes, { body: 'synced before' }).id);
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
    const reports: RecoveryReport[] = [];
    till.engine.onDidRecover.subscribe((report) => reports.push(report));
    // What the device recorded no longer matches the cloud, as after a wipe or a restore.
    const ledger = till.store.records.ledger;
    ledger.writeMark(falsify(ledger.readMark()));

    const sale = noteOn(till, 'sold meanwhile');
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
    // Refused whole, then the ordinary run: the probe, the comparison, the push again.
    expect(till.calls.sent.slice(0, 3)).toEqual(['POST eq_push', 'POST eq_health', expect.stringMatching(/^(POST|GET) eq_digest/)]);
    expect(till.calls.sent.filter((call) => call === 'POST eq_push')).toHaveLength(2);
    expect(reports.map((report) => report.cause)).toEqual([cause]);
    expect((await cloudIds(tenant, notes)).sort()).toEqual([kept, sale].sort());
    expect(till.engine.status).toMatchObject({ pendingUploads: 0, failed: [], lastError: null });
  });

  it('probes and pushes in the same run against a cloud that cannot check, and probes first for the hour after', async () => {
    const { tenant, till } = await syncedTill('expect-older');
    till.calls.uncheckedPushes = true;

    const first = noteOn(till, 'first');
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1, rejected: 0 });
    expect(till.calls.sent).toEqual(['POST eq_push', 'POST eq_health', 'POST eq_push', 'GET eq_pull_many']);
    expect(till.engine.status.failed).toEqual([]);

    const second = noteOn(till, 'second');
    expect(await till.engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push', 'GET eq_pull_many']);
    expect((await cloudIds(tenant, notes)).sort()).toEqual([first, second].sort());
  });

  it('is offline when its first push finds no network: the change stays queued, charged nothing, and the next run probes', async () => {
    const { tenant, till } = await syncedTill('expect-offline');
    till.calls.offline = true;
    const sale = noteOn(till, 'offline sale');
    const run = await till.engine.syncNow();
    expect(run).toMatchObject({ offline: true, uploaded: 0, error: expect.stringMatching(/^offline: push .* the cloud is unreachable/) });
    expect(till.calls.sent).toEqual(['POST eq_push']);
    expect(till.engine.status).toMatchObject({ online: false, pendingUploads: 1, failed: [] });

    till.calls.offline = false;
    till.calls.sent.length = 0;
    expect(await till.engine.syncNow()).toMatchObject({ error: null, offline: false, uploaded: 1 });
    expect(till.calls.sent).toEqual(['POST eq_health', 'POST eq_push', 'GET eq_pull_many']);
    expect(await cloudIds(tenant, notes)).toContain(sale);
  });
});
