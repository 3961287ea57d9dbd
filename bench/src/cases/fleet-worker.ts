/**
 * A worker process of the fleet case: holds its share of the simulated tills, each a
 * real SQLite file and a real host (`createHost`, the fiscal and inventory plugins, the
 * sync engine over supabase-js), and runs the phases the bench asks for over IPC. Its own
 * process, so the devices share neither an event loop with the cloud nor with the bench
 * driver's timers. Progress on stderr; answers on the IPC channel.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SupabaseRemote } from '@equinox-sync/core';
import { prng } from '@equinox-sync/core/testing/prng';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { FiscalApi } from '@equinox-sync/plugin-fiscal';
import { InventoryApi } from '@equinox-sync/plugin-inventory';
import { RequestCounter } from '../device.js';
import {
  HOT_SKUS,
  OWN_SKUS,
  type FleetAnswer,
  type FleetDeviceSpec,
  type FleetMessage,
  type FleetResults,
  type FleetWorkerJob,
  type MixedOutcome,
  type PhaseOutcome,
  type ShopOutcome,
} from './fleet-protocol.js';

interface Till {
  readonly spec: FleetDeviceSpec;
  readonly host: EquinoxHost;
  /** Mixed-workload rounds done, so series and edits carry on across phases. */
  rounds: number;
  /** When the last `eq_push` answer reached the till (performance.now()): the cloud acknowledging an upload. */
  readonly lastPushAckAt: number;
}

const job = JSON.parse(process.env.EQUINOX_FLEET_JOB ?? '') as FleetWorkerJob;
const baseRssKiB = Math.round(process.memoryUsage().rss / 1024);
const requests = new RequestCounter();
const tills = new Map<number, Till>();
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] fleet worker ${job.worker}: ${message}\n`);
}

async function open(devices: readonly FleetDeviceSpec[]): Promise<FleetResults['open']> {
  const started = performance.now();
  mkdirSync(job.dir, { recursive: true });
  for (const spec of devices) {
    const acks = { at: 0 };
    // One remote per device (its own token), all counting through the worker's one fetch;
    // each notes when the cloud answered one of its pushes (the open-loop latency ends there).
    const tillFetch: typeof fetch = async (input, init) => {
      const response = await requests.fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes('/rpc/eq_push')) acks.at = performance.now();
      return response;
    };
    const remote = new SupabaseRemote({ url: job.url, key: job.anonKey, accessToken: spec.token, fetch: tillFetch }, { timeoutMs: 120_000 });
    const host = await createHost({
      config: {
        tenantId: spec.tenant,
        deviceId: spec.deviceId,
        dbPath: join(job.dir, `${spec.deviceId}.db`),
        supabase: { url: job.url, key: job.anonKey, accessToken: spec.token },
        // A till of a shop: the fiscal and inventory plugins; settings would add a table to every run.
        builtins: { settings: false },
      },
      remote,
      logger: silent,
    });
    const till: Till = {
      spec,
      host,
      rounds: 0,
      get lastPushAckAt() {
        return acks.at;
      },
    };
    tills.set(spec.key, till);
    if (tills.size % 100 === 0) log(`${tills.size} devices open, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  }
  return { ms: performance.now() - started };
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}

async function syncAll(concurrency: number): Promise<FleetResults['syncAll']> {
  const started = performance.now();
  let downloaded = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  await pool([...tills.values()], concurrency, async (till) => {
    const result = await till.host.syncNow();
    downloaded += result.downloaded;
    if (result.error !== null) {
      failures += 1;
      firstFailure ??= `${till.spec.deviceId}: ${result.error}`;
    }
  });
  return { ms: performance.now() - started, downloaded, failures, firstFailure };
}

/**
 * What every timed phase keeps: its clock and deadline, the worker's CPU from the start,
 * the latencies, the failures (the first one's text), and the requests made meanwhile.
 */
class PhaseTally {
  readonly latencies: number[] = [];
  readonly started = performance.now();
  readonly deadline: number;
  private failures = 0;
  private firstFailure: string | null = null;
  private readonly cpu = process.cpuUsage();

  constructor(seconds: number) {
    requests.reset();
    this.deadline = this.started + seconds * 1000;
  }

  fail(text: string): void {
    this.failures += 1;
    this.firstFailure ??= text;
  }

  outcome(): PhaseOutcome {
    const { latencies, failures, firstFailure } = this;
    return { count: latencies.length, elapsedMs: performance.now() - this.started, latencies, failures, firstFailure, requests: requests.byPath(), cpuMs: cpuMsSince(this.cpu) };
  }
}

/**
 * `concurrency` lanes, each taking the next device in turn (round-robin over every
 * device of the worker, so no device runs twice at once and caches stay cold) until
 * `seconds` have passed; every operation's latency is kept.
 */
async function timedLanes(seconds: number, concurrency: number, operation: (index: number) => Promise<string | null>): Promise<PhaseOutcome> {
  const tally = new PhaseTally(seconds);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < tally.deadline) {
      const index = next++;
      const begun = performance.now();
      const failure = await operation(index).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      tally.latencies.push(performance.now() - begun);
      if (failure !== null) tally.fail(failure);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return tally.outcome();
}

function noop(seconds: number, concurrency: number): Promise<PhaseOutcome> {
  const all = [...tills.values()];
  return timedLanes(seconds, concurrency, async (index) => {
    const till = all[index % all.length] as Till;
    const result = await till.host.syncNow();
    if (result.error !== null) return `${till.spec.deviceId}: ${result.error}`;
    const work = result.uploaded + result.downloaded + result.conflicts + result.rejected;
    return work === 0 ? null : `${till.spec.deviceId}: the no-op run had work to do: ${JSON.stringify(result)}`;
  });
}

/** The raw limit: one PostgREST GET of one row of a synced table per operation, with the same device tokens (RLS applies). */
function raw(seconds: number, concurrency: number, path: string): Promise<PhaseOutcome> {
  const all = [...tills.values()];
  return timedLanes(seconds, concurrency, async (index) => {
    const till = all[index % all.length] as Till;
    const response = await fetch(`${job.url}${path}`, { headers: { apikey: job.anonKey, authorization: `Bearer ${till.spec.token}` } });
    const body = await response.text();
    return response.ok ? null : `GET ${path}: ${response.status} ${body.slice(0, 200)}`;
  });
}

function issuerOf(till: Till): string {
  // A NIF-shaped tax id per tenant: a letter and eight digits.
  return `B${String(Number(/\d+/.exec(till.spec.tenant)?.[0] ?? 0)).padStart(8, '0')}`;
}

/** The tenant's catalogue: the shared hot SKUs and its own; every mixed device writes it (the same ids per tenant, so they converge). */
async function prepareMixed(keys: readonly number[]): Promise<FleetResults['prepareMixed']> {
  const started = performance.now();
  await pool(keys.map((key) => tills.get(key) as Till), 8, async (till) => {
    const inventory = till.host.api(InventoryApi);
    for (const sku of HOT_SKUS) inventory.upsertProduct({ sku, name: `Hot item ${sku}`, priceCents: 150, taxRateBp: 1000 });
    for (let i = 0; i < OWN_SKUS; i += 1) inventory.upsertProduct({ sku: `OWN-${i}`, name: `Own item ${i}`, priceCents: 500 + i, taxRateBp: 2100 });
    for (const sku of HOT_SKUS) inventory.adjust({ sku, delta: 1000, reason: 'purchase' });
    const result = await till.host.syncNow();
    if (result.error !== null) throw new Error(`${till.spec.deviceId}: preparing the mixed workload: ${result.error}`);
  });
  return { ms: performance.now() - started };
}

/**
 * One round of a till's day, all through the plugins' APIs: three sales as stock
 * movements (two on hot SKUs every tenant sells, one on the tenant's own), one invoice
 * issued as the next link of the till's hash chain, and every fifth round a price edit.
 */
function shopRound(till: Till): number {
  const inventory = till.host.api(InventoryApi);
  const fiscal = till.host.api(FiscalApi);
  const round = till.rounds++;
  const key = till.spec.key;
  inventory.adjust({ sku: HOT_SKUS[(key + round) % HOT_SKUS.length] as string, delta: -1, reason: 'sale' });
  inventory.adjust({ sku: HOT_SKUS[(key + round + 2) % HOT_SKUS.length] as string, delta: -2, reason: 'sale' });
  inventory.adjust({ sku: `OWN-${(key + round) % OWN_SKUS}`, delta: -1, reason: 'sale' });
  fiscal.issueInvoice({ issuerTaxId: issuerOf(till), series: `T${key}-`, type: 'F2', taxTotal: '1.05', grossTotal: '6.05' });
  let written = 4;
  if (round % 5 === 4) {
    inventory.upsertProduct({ sku: `OWN-${(key + round) % OWN_SKUS}`, name: `Own item ${(key + round) % OWN_SKUS}`, priceCents: 500 + (round % 97) });
    written += 1;
  }
  return written;
}

/** Every till of `keys` at once: a round of writes, then a sync (timed), until `seconds` have passed. */
async function mixed(keys: readonly number[], seconds: number): Promise<MixedOutcome> {
  const tally = new PhaseTally(seconds);
  let written = 0;
  let uploaded = 0;
  let rejected = 0;
  await Promise.all(
    keys.map(async (key) => {
      const till = tills.get(key) as Till;
      while (performance.now() < tally.deadline) {
        written += shopRound(till);
        const begun = performance.now();
        const result = await till.host.syncNow();
        tally.latencies.push(performance.now() - begun);
        uploaded += result.uploaded;
        rejected += result.rejected;
        if (result.error !== null) tally.fail(`${till.spec.deviceId}: ${result.error}`);
      }
    }),
  );
  const outcome = tally.outcome();
  const pending = keys.reduce((sum, key) => sum + (tills.get(key) as Till).host.status.pendingUploads, 0);
  return { ...outcome, written, uploaded, rejected, pending };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * One sale at a till: a stock movement on one of the hot SKUs every tenant sells and
 * the invoice for it (the next link of the till's hash chain); now and then (`edit`) a
 * price edit. Returns the rows written.
 */
function sale(till: Till, edit: boolean): number {
  const inventory = till.host.api(InventoryApi);
  const fiscal = till.host.api(FiscalApi);
  const round = till.rounds++;
  const key = till.spec.key;
  inventory.adjust({ sku: HOT_SKUS[(key + round) % HOT_SKUS.length] as string, delta: -1, reason: 'sale' });
  fiscal.issueInvoice({ issuerTaxId: issuerOf(till), series: `T${key}-`, type: 'F2', taxTotal: '0.15', grossTotal: '1.65' });
  if (!edit) return 2;
  const own = (key + round) % OWN_SKUS;
  inventory.upsertProduct({ sku: `OWN-${own}`, name: `Own item ${own}`, priceCents: 500 + (round % 97) });
  return 3;
}

/**
 * The open loop: every till of `keys` makes sales at Poisson arrivals (exponential gaps
 * of mean `meanGapMs`, seeded per till) for `seconds`, each sale followed at once by
 * the engine's sync, as a till whose local writes start an upload. A sale arriving while
 * the till's run is under way is written at once and its `syncNow()` waits for the run
 * after (the engine runs one at a time). Latency: from the sale's write to the cloud's
 * answer to the last push that carried it (the run's last `eq_push` answer), and to the
 * end of that run (its pull included). The phase ends when the last sale's run is done.
 */
async function shop(keys: readonly number[], seconds: number, meanGapMs: number, editEvery: number): Promise<ShopOutcome> {
  const tally = new PhaseTally(seconds);
  const runLatencies: number[] = [];
  let written = 0;
  let uploaded = 0;
  let rejected = 0;
  let sales = 0;
  await Promise.all(
    keys.map(async (key) => {
      const till = tills.get(key) as Till;
      const random = prng(0x5eed + key);
      const syncs: Promise<void>[] = [];
      // Sales that arrive during a run share the run after it: count each run's result once.
      const counted = new Set<object>();
      let at = tally.started - Math.log(1 - random()) * meanGapMs;
      while (at < tally.deadline) {
        await sleep(at - performance.now());
        const edit = random() < 1 / editEvery;
        const writtenAt = performance.now();
        written += sale(till, edit);
        sales += 1;
        syncs.push(
          till.host.syncNow().then((result) => {
            const done = performance.now();
            const ack = till.lastPushAckAt;
            tally.latencies.push((ack >= writtenAt ? ack : done) - writtenAt);
            runLatencies.push(done - writtenAt);
            if (counted.has(result)) return;
            counted.add(result);
            uploaded += result.uploaded;
            rejected += result.rejected;
            if (result.error !== null) tally.fail(`${till.spec.deviceId}: ${result.error}`);
          }),
        );
        at -= Math.log(1 - random()) * meanGapMs;
      }
      await Promise.all(syncs);
    }),
  );
  const outcome = tally.outcome();
  const pending = keys.reduce((sum, key) => sum + (tills.get(key) as Till).host.status.pendingUploads, 0);
  return { ...outcome, runLatencies, written, uploaded, rejected, pending, sales, offeredSeconds: seconds };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function memory(): FleetResults['memory'] {
  const usage = process.memoryUsage();
  return { devices: tills.size, baseRssKiB, rssKiB: Math.round(usage.rss / 1024), heapUsedKiB: Math.round(usage.heapUsed / 1024) };
}

async function close(): Promise<FleetResults['close']> {
  const started = performance.now();
  // A few at once: disposing 500 hosts one after another took ~20 s of the case.
  await pool([...tills.values()], 16, (till) => till.host.dispose());
  tills.clear();
  return { ms: performance.now() - started };
}

async function handle(message: FleetMessage): Promise<unknown> {
  switch (message.op) {
    case 'open':
      return open(message.devices);
    case 'syncAll':
      return syncAll(message.concurrency);
    case 'noop':
      return noop(message.seconds, message.concurrency);
    case 'raw':
      return raw(message.seconds, message.concurrency, message.path);
    case 'prepareMixed':
      return prepareMixed(message.keys);
    case 'mixed':
      return mixed(message.keys, message.seconds);
    case 'shop':
      return shop(message.keys, message.seconds, message.meanGapMs, message.editEvery);
    case 'memory':
      return memory();
    case 'close':
      return close();
  }
}

process.on('message', (message: FleetMessage) => {
  void handle(message).then(
    (result) => answer({ id: message.id, ok: true, result }, message.op === 'close'),
    (error: unknown) => answer({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, false),
  );
});
// The bench died: leave rather than hold the devices' files open.
process.on('disconnect', () => process.exit(0));

function answer(reply: FleetAnswer, last: boolean): void {
  process.send?.(reply, () => {
    if (last) process.disconnect();
  });
}
