import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql } from '@equinox-sync/local-cloud';
import { definePlugin } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { cloudRows, eventually, localRows, type TestDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { openQuickRetryDevice, report, waitPullable } from './reliability-kit.js';

const cloud = inject('cloud');
const sfx = uniqueSuffix();
const items = `inj_items_${sfx}`;
const notes = `inj_notes_${sfx}`;
const plugin = definePlugin({
  name: 'injected',
  version: '1.0.0',
  tables: [
    {
      name: items,
      columns: { code: { type: 'text', nullable: false }, label: { type: 'text' } },
      indexes: [{ columns: ['code'], unique: true }],
      strategy: 'LastWriteWins',
    },
    { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
  ],
  // Rules only the cloud knows: a row labelled 'raise' is refused by a raised exception
  // (P0001), and one row per tenant may be labelled 'only-one' (23505).
  serverSql: `create unique index if not exists ${items}_only_one on public.${items} (tenant_id, label) where label = 'only-one';
create or replace function public.${items}_refuse() returns trigger language plpgsql as $$
begin
  if new.label = 'raise' then raise exception 'label "raise" is refused by the cloud'; end if;
  return new;
end $$;
create or replace trigger ${items}_refuse before insert or update on public.${items} for each row execute function public.${items}_refuse();`,
});

beforeAll(async () => {
  await applySql(cloud, compileServerSchema([plugin]));
});

/** What a failing cloud answers for a whole call, or `hang` (no answer until the client gives up), or `network`. */
type CallFault = { readonly status: number; readonly body: object | null } | 'hang' | 'network';

/**
 * A fetch that fails the first `times` calls of `rpc` (for `table`, if given) with `fault`,
 * then passes. `eq_push` covers `eq_push_tables` too (a run's pushes of several tables in
 * one call), whose body names each table as `"table"`.
 */
function faultyFetch(rpc: 'eq_push' | 'eq_pull', fault: CallFault, times: number, table?: string): { fetch: typeof fetch; hits: () => number } {
  let hits = 0;
  const wrapped: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = typeof init?.body === 'string' ? init.body : '';
    const names = table === undefined || body.includes(`"p_table":"${table}"`) || body.includes(`"table":"${table}"`);
    const matches = url.includes(`/rpc/${rpc}`) && names;
    if (!matches || hits >= times) return fetch(input, init);
    hits += 1;
    if (fault === 'network') throw new TypeError('fetch failed');
    if (fault === 'hang') {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
      });
    }
    return new Response(fault.body === null ? 'upstream error' : JSON.stringify(fault.body), {
      status: fault.status,
      headers: { 'content-type': fault.body === null ? 'text/plain' : 'application/json' },
    });
  };
  return { fetch: wrapped, hits: () => hits };
}

const pgError = (code: string, message: string): object => ({ code, message, details: null, hint: null });

describe('errors the cloud raises, real and injected', () => {
  it('rows refused by the cloud (23505, 42501, P0001) show in status.failed with their code, keep their data, back off and retry; nothing else waits', async () => {
    const tenant = uniqueTenant('refused');
    const first = await openQuickRetryDevice({ cloud, name: 'first', tenant, plugins: [plugin] });
    // A backoff longer than a run on a busy machine, so each run tries a refused row once.
    const device = await openQuickRetryDevice({ cloud, name: 'second', tenant, plugins: [plugin], sync: { retry: { baseMs: 1_000, maxMs: 2_000, maxAttempts: 3 } } });
    try {
      first.store.forPlugin('injected').insert(items, { code: 'first', label: 'only-one' });
      await first.engine.syncNow();

      const scoped = device.store.forPlugin('injected');
      const unique = scoped.insert(items, { code: 'second', label: 'only-one' }).id as string; // 23505, in the cloud only
      const raised = scoped.insert(items, { code: 'r', label: 'raise' }).id as string; // P0001
      // A host app writing another tenant's id with plain SQL: the cloud's row-level security refuses it (42501).
      device.store.database.prepare(`INSERT INTO "${items}" (id, tenant_id, code, label) VALUES ('foreign-1', 'someone-else', 'f', 'foreign')`).run();
      const good = Array.from({ length: 5 }, (_, i) => scoped.insert(items, { code: `ok-${i}`, label: 'fine' }).id as string);
      scoped.insert(notes, { body: 'other table' });
      const toPull = String(first.store.forPlugin('injected').insert(notes, { body: 'to pull' }).id);
      await first.engine.syncNow();
      await waitPullable(cloud, device, notes, [toPull]);

      const run = await device.engine.syncNow();
      const failed = device.engine.status.failed;
      const codes = Object.fromEntries(failed.map((f) => [f.id, /\((\w{5})\)$/.exec(f.reason)?.[1]]));
      expect(run).toMatchObject({ rejected: 3, uploaded: 6, error: null });
      expect(codes).toEqual({ [unique]: '23505', [raised]: 'P0001', 'foreign-1': '42501' });
      expect(failed.every((f) => f.attempts === 1 && f.nextAttemptAt > Date.now() - 1_000)).toBe(true);
      // The others went up, and the pull of the same run brought the other device's note.
      expect((await cloudRows(items, tenant, cloud)).map((row) => row.code).sort()).toEqual(['first', 'ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
      expect(localRows(device, notes).map((row) => row.body).sort()).toEqual(['other table', 'to pull']);
      // Refused rows keep their data and state.
      expect(scoped.get(items, unique)).toMatchObject({ code: 'second', label: 'only-one' });
      expect(good.map((id) => device.store.rowState(items, id))).toEqual(Array(5).fill('Synced'));
      expect(device.store.rowState(items, unique)).toBe('PendingUpload');

      // Backing off: after the delay the next run tries them again (attempts 2), and still nothing else waits.
      await eventually(() => device.engine.status.failed.every((f) => f.nextAttemptAt <= Date.now()), 5_000);
      scoped.insert(notes, { body: 'later' });
      const retry = await device.engine.syncNow();
      expect(retry).toMatchObject({ rejected: 3, uploaded: 1 });
      expect(device.engine.status.failed.map((f) => f.attempts)).toEqual([2, 2, 2]);

      // Fixed locally, they go up; the status clears.
      scoped.update(items, unique, { label: 'another' });
      scoped.update(items, raised, { label: 'calm' });
      device.store.database.prepare(`UPDATE "${items}" SET tenant_id = ? WHERE id = 'foreign-1'`).run(tenant);
      // A new change replaces the refused one: it goes up at once, without waiting out the old backoff.
      const fixed = await device.engine.syncNow();
      expect(fixed).toMatchObject({ rejected: 0, uploaded: 3, error: null });
      expect(device.engine.status.failed).toEqual([]);
      expect(device.store.pendingUploads()).toBe(0);
      report('row-level refusals', { refused: 3, codes: '23505+42501+P0001', othersUploaded: 6, pulledMeanwhile: 1, retriedWithBackoff: 3, lost: 0 });
    } finally {
      await first.close();
      await device.close();
    }
  });

  it('retryable call failures (503, 502, 500 with 40001, a timeout, no network) on push and pull are retried by the engine itself until nothing is left', async () => {
    const faults: ReadonlyArray<{ name: string; rpc: 'eq_push' | 'eq_pull'; fault: CallFault }> = [
      { name: '503', rpc: 'eq_push', fault: { status: 503, body: { message: 'Service Unavailable' } } },
      { name: '502', rpc: 'eq_push', fault: { status: 502, body: null } },
      { name: '40001', rpc: 'eq_push', fault: { status: 500, body: pgError('40001', 'could not serialize access due to concurrent update') } },
      { name: 'timeout', rpc: 'eq_push', fault: 'hang' },
      { name: 'network', rpc: 'eq_push', fault: 'network' },
      { name: '503', rpc: 'eq_pull', fault: { status: 503, body: { message: 'Service Unavailable' } } },
      { name: 'timeout', rpc: 'eq_pull', fault: 'hang' },
      { name: '40P01', rpc: 'eq_pull', fault: { status: 500, body: pgError('40P01', 'deadlock detected') } },
    ];
    const results = await Promise.all(
      faults.map(async ({ name, rpc, fault }) => {
        const tenant = uniqueTenant(`retry-${name}`);
        const injected = faultyFetch(rpc, fault, 2);
        const devices: TestDevice[] = [];
        try {
          const device = await openQuickRetryDevice({
            cloud,
            name: 'till',
            tenant,
            plugins: [plugin],
            fetch: injected.fetch,
            timeoutMs: 400,
            sync: { debounceMs: 20, offlineProbeMs: 100, healthTimeoutMs: 400 },
          });
          const writer = await openQuickRetryDevice({ cloud, name: 'writer', tenant, plugins: [plugin] });
          devices.push(device, writer);
          writer.store.forPlugin('injected').insert(notes, { body: 'from writer' });
          await writer.engine.syncNow();
          const scoped = device.store.forPlugin('injected');
          for (let i = 0; i < 5; i++) scoped.insert(items, { code: `c${i}`, label: name });
          let failedRuns = 0;
          device.engine.onDidRun.subscribe(({ result }) => (failedRuns += result.error === null ? 0 : 1));
          // Nobody calls syncNow again: the engine's own triggers must bring everything over.
          device.engine.start();
          device.engine.notifyLocalChange();
          const recovered = await eventually(
            async () =>
              device.store.pendingUploads() === 0 &&
              localRows(device, notes).length === 1 &&
              (await cloudRows(items, tenant, cloud)).length === 5,
            10_000,
          );
          return { name: `${rpc} ${name}`, recovered, hits: injected.hits(), failedRuns, failed: device.engine.status.failed.length };
        } finally {
          for (const device of devices) await device.close();
        }
      }),
    );
    report('retryable call failures', {
      kinds: results.length,
      injected: results.reduce((n, r) => n + r.hits, 0),
      failedRuns: results.reduce((n, r) => n + r.failedRuns, 0),
      recovered: results.filter((r) => r.recovered).length,
      shownAsRefused: results.reduce((n, r) => n + r.failed, 0),
    });
    for (const result of results) {
      expect(result, result.name).toMatchObject({ recovered: true, hits: 2, failed: 0 });
      expect(result.failedRuns, result.name).toBeGreaterThan(0);
    }
  });

  it('a push refused as a whole (42501, P0001, 23505) is reported with its code, loses nothing, and goes up once the cloud accepts it', async () => {
    const faults = [
      { code: '42501', status: 403, message: 'permission denied for function eq_push' },
      { code: 'P0001', status: 400, message: 'refused by a cloud rule' },
      { code: '23505', status: 409, message: 'duplicate key value violates unique constraint' },
    ];
    for (const { code, status, message } of faults) {
      const tenant = uniqueTenant(`whole-${code}`);
      const injected = faultyFetch('eq_push', { status, body: pgError(code, message) }, 2, items);
      const device = await openQuickRetryDevice({ cloud, name: 'till', tenant, plugins: [plugin], fetch: injected.fetch });
      try {
        const scoped = device.store.forPlugin('injected');
        for (let i = 0; i < 3; i++) scoped.insert(items, { code: `c${i}`, label: code });
        const refused = await device.engine.syncNow();
        // Charged to the batch's rows, not to the run: they show in status.failed with the code and back off.
        expect(refused.rejected).toBe(3);
        expect(device.engine.status.failed.map((f) => f.reason)).toEqual(Array(3).fill(expect.stringContaining(code)));
        expect(device.engine.status.online).toBe(true); // a refusal is not an outage
        expect(device.store.pendingUploads()).toBe(3);
        await waitForBackoff(device);
        await device.engine.syncNow();
        await waitForBackoff(device);
        const accepted = await device.engine.syncNow();
        expect(accepted.error).toBeNull();
        expect((await cloudRows(items, tenant, cloud)).length).toBe(3);
      } finally {
        await device.close();
      }
    }
    report('whole-call refusals', { kinds: faults.length, lost: 0 });
  });

  // A non-retryable refusal of one table's whole push is charged to that batch's rows
  // (status.failed, backoff); the other tables upload and the pull goes on.
  it('a push refused as a whole for one table is shown in status.failed and blocks neither other tables nor the pull', async () => {
    const tenant = uniqueTenant('blocked');
    const injected = faultyFetch('eq_push', { status: 403, body: pgError('42501', 'permission denied for function eq_push') }, 1_000, items);
    const device = await openQuickRetryDevice({ cloud, name: 'till', tenant, plugins: [plugin], fetch: injected.fetch });
    const writer = await openQuickRetryDevice({ cloud, name: 'writer', tenant, plugins: [plugin] });
    try {
      writer.store.forPlugin('injected').insert(notes, { body: 'to pull' });
      await writer.engine.syncNow();
      const scoped = device.store.forPlugin('injected');
      const refused = scoped.insert(items, { code: 'c', label: 'refused as a whole' }).id as string;
      scoped.insert(notes, { body: 'must still go up' });
      await device.engine.syncNow();
      expect((await cloudRows(notes, tenant, cloud)).map((row) => row.body).sort()).toEqual(['must still go up', 'to pull']);
      expect(localRows(device, notes)).toHaveLength(2);
      expect(device.engine.status.failed.map((f) => f.id)).toEqual([refused]);
    } finally {
      await device.close();
      await writer.close();
    }
  });
});

describe('a pulled row colliding with a local pending row on a unique key', () => {
  // Two devices of a tenant create rows with the same unique key offline; the first
  // uploads; the second's upload is refused (23505). Its pull then meets the first row:
  // instead of breaking the local unique index (and blocking the page and every table
  // after it), the pulled row waits in the conflict inbox beside the local row.
  it('blocks neither the other rows of the page nor the other tables', async () => {
    const tenant = uniqueTenant('collide');
    const first = await openQuickRetryDevice({ cloud, name: 'first', tenant, plugins: [plugin] });
    const second = await openQuickRetryDevice({ cloud, name: 'second', tenant, plugins: [plugin] });
    try {
      first.store.forPlugin('injected').insert(items, { code: 'same', label: 'first' });
      first.store.forPlugin('injected').insert(items, { code: 'other', label: 'first' });
      first.store.forPlugin('injected').insert(notes, { body: 'to pull' });
      await first.engine.syncNow();
      second.store.forPlugin('injected').insert(items, { code: 'same', label: 'second' });
      const run = await second.engine.syncNow();
      expect(run.error).toBeNull();
      expect(localRows(second, items).map((row) => row.code).sort()).toEqual(['other', 'same']);
      expect(localRows(second, notes)).toHaveLength(1);

      // The person keeps the cloud's row: the local one is set aside and the cloud's written.
      const [conflict] = second.engine.listConflicts();
      expect(conflict?.remote).toMatchObject({ code: 'same', label: 'first' });
      expect(() => second.engine.resolveConflicts([{ id: String(conflict?.id), pick: 'local' }])).toThrow(/same unique key/);
      second.engine.resolveConflicts([{ id: String(conflict?.id), pick: 'remote' }]);
      const live = localRows(second, items).filter((row) => row.deleted !== true);
      expect(live.map((row) => `${row.code}:${row.label}`).sort()).toEqual(['other:first', 'same:first']);
      expect((await second.engine.syncNow()).error).toBeNull();
      expect(second.store.pendingUploads()).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

/** Waits until every refused entry's backoff has passed, so the next run retries it. */
async function waitForBackoff(device: { engine: { status: { failed: readonly { nextAttemptAt: number }[] } } }): Promise<void> {
  const until = Math.max(0, ...device.engine.status.failed.map((f) => f.nextAttemptAt));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now()) + 10));
}
