import { performance } from 'node:perf_hooks';
import { dataRow } from '../bench-tables.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { formatMs, median, progress, timed } from '../measure.js';
import { row, type CaseReport, type ResultRow } from '../report.js';
import { LIVE_PLUGIN, LIVE_TABLE, openLiveDevice, requestTotals, settled, sleep, waitFor, type LiveDevice, type LiveTarget } from './live-devices.js';
import { LiveWatchers } from './live-watchers.js';

/** Timed writes per variant, after one warm-up write. */
const WRITES = 30;
const LARGE = 50;
/** A row not on a device by then counts as this latency, and as missed. */
const ARRIVAL_TIMEOUT_MS = 10_000;
/** After every device is idle again, how long trailing runs (and their requests) are waited for. */
const SETTLE_MS = 300;

interface Tally {
  total: number;
  byPath: Record<string, number>;
}

interface LatencyRun {
  readonly devices: number;
  readonly latencies: number[];
  readonly missed: number;
  /** Requests of the watching devices, summed over the timed writes. */
  readonly watchers: Tally;
  /** Requests of the writing device, summed over the timed writes. */
  readonly writer: Tally;
}

interface PickupRun {
  readonly durations: number[];
  readonly requests: Tally;
}

function add(into: Tally, from: Tally): void {
  into.total += from.total;
  for (const [path, count] of Object.entries(from.byPath)) into.byPath[path] = (into.byPath[path] ?? 0) + count;
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function perChange(tally: Tally, changes: number): string {
  const paths = Object.entries(tally.byPath).map(([path, count]) => `${path.replace(/^rpc\//, '')} ${(count / changes).toFixed(2)}`);
  return `${(tally.total / changes).toFixed(2)} (${paths.join(', ')})`;
}

/** Processes the watching devices are spread over: separate tills do not share an event loop. */
const WATCHER_PROCESSES = 2;

/**
 * `devices` started engines of one tenant, all on the live channel: device 1 in this
 * process writes one row at a time through its store; the others, spread over
 * {@link WATCHER_PROCESSES} child processes, read their table at the end of each of their
 * runs (`onDidRun`) until the row is there: the arrival is when the run that brought it
 * ended. Times are absolute (`performance.timeOrigin + now()`) across the processes.
 */
async function latencyRun(cloud: BenchCloud, devices: number): Promise<LatencyRun> {
  const tenant = `bench-live-${devices}`;
  progress(`live: starting ${devices} engines of tenant ${tenant} (${devices - 1} watching, in child processes) and waiting for their channels`);
  const target: LiveTarget = { url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, token: await cloud.token(tenant), scratch: cloud.scratch };
  const writer = await openLiveDevice(cloud, tenant, 'till-1', 'live');
  const groups: string[][] = Array.from({ length: Math.min(WATCHER_PROCESSES, devices - 1) }, () => []);
  for (let i = 2; i <= devices; i += 1) groups[(i - 2) % groups.length]!.push(`till-${i}`);
  const processes: LiveWatchers[] = [];
  try {
    for (const names of groups) processes.push(await LiveWatchers.start({ target, tenant, names }));
    await waitFor(() => settled(writer, true), 60_000, 'the writer to join its channel');
    const scoped = writer.store.forPlugin(LIVE_PLUGIN.name);
    const latencies: number[] = [];
    let missed = 0;
    const watcherTally: Tally = { total: 0, byPath: {} };
    const writerTally: Tally = { total: 0, byPath: {} };
    for (let write = 0; write <= WRITES; write += 1) {
      writer.requests.reset();
      await Promise.all(processes.map((watchers) => watchers.ask({ op: 'reset' })));
      await Promise.all(processes.map((watchers) => watchers.ask({ op: 'watch', rows: write + 1, timeoutMs: ARRIVAL_TIMEOUT_MS })));
      const started = performance.timeOrigin + performance.now();
      scoped.insert(LIVE_TABLE, dataRow(write));
      const answers = await Promise.all(processes.map((watchers) => watchers.ask({ op: 'arrivals' })));
      const arrivals = answers.flatMap((answer) => (answer.arrivals ?? []).map((at) => at - started));
      const late = devices - 1 - arrivals.length;
      await waitFor(() => settled(writer, false), 60_000, 'the writer to be idle');
      const idle = await Promise.all(processes.map((watchers) => watchers.ask({ op: 'idle', settleMs: SETTLE_MS })));
      const what = write === 0 ? 'warm-up' : `write ${write}/${WRITES}`;
      progress(`live, ${devices} devices: ${what}: slowest ${formatMs(Math.max(...arrivals, 0))}${late > 0 ? `, ${late} missed` : ''}`);
      if (write === 0) continue;
      latencies.push(...arrivals, ...Array.from({ length: late }, () => ARRIVAL_TIMEOUT_MS));
      missed += late;
      for (const answer of idle) add(watcherTally, tallyOf(answer.byPath ?? {}));
      add(writerTally, requestTotals([writer]));
    }
    return { devices, latencies, missed, watchers: watcherTally, writer: writerTally };
  } finally {
    await Promise.all([...processes.map((watchers) => watchers.close()), writer.close()]);
  }
}

function tallyOf(byPath: Record<string, number>): Tally {
  return { total: Object.values(byPath).reduce((sum, count) => sum + count, 0), byPath };
}

/**
 * Realtime off: a writer and a watcher, both started on a remote without a live
 * channel, and a never-started device (today's way: a plain sync run). After each
 * write is uploaded, the watcher and the never-started device pick it up with one
 * `syncNow()`; their requests are counted from just before it to {@link SETTLE_MS}
 * after, so a run that followed it would be counted too.
 */
async function pickupRun(cloud: BenchCloud): Promise<{ off: PickupRun; today: PickupRun }> {
  const tenant = 'bench-live-off';
  progress('live: Realtime off: a writer and a watcher started without a live channel, and a never-started device');
  const writer = await openLiveDevice(cloud, tenant, 'till-1', 'off');
  const watcher = await openLiveDevice(cloud, tenant, 'till-2', 'off');
  const today = await openLiveDevice(cloud, tenant, 'till-3', 'one-shot');
  try {
    await today.engine.syncNow();
    await waitFor(() => settled(writer, false) && settled(watcher, false), 60_000, 'the Realtime-off devices to make their first run');
    if (watcher.engine.status.live) throw new Error('live: the Realtime-off watcher joined a live channel');
    const scoped = writer.store.forPlugin(LIVE_PLUGIN.name);
    const off: PickupRun = { durations: [], requests: { total: 0, byPath: {} } };
    const plain: PickupRun = { durations: [], requests: { total: 0, byPath: {} } };
    for (let write = 0; write <= WRITES; write += 1) {
      const id = String(scoped.insert(LIVE_TABLE, dataRow(write)).id);
      await waitFor(() => settled(writer, false), 60_000, 'the write to be uploaded');
      watcher.requests.reset();
      today.requests.reset();
      // The order alternates, so a busy moment of the machine hits both alike.
      const pair: [LiveDevice, PickupRun][] = write % 2 === 0 ? [[watcher, off], [today, plain]] : [[today, plain], [watcher, off]];
      for (const [device, run] of pair) {
        const { ms } = await timed(() => device.engine.syncNow());
        if (!device.has(id)) throw new Error(`live: ${device.name}'s syncNow() did not bring the row written on till-1`);
        if (write > 0) run.durations.push(ms);
      }
      await sleep(SETTLE_MS);
      if (write === 0) continue;
      add(off.requests, requestTotals([watcher]));
      add(plain.requests, requestTotals([today]));
    }
    progress(`live, Realtime off: ${WRITES} changes picked up by syncNow()`);
    return { off, today: plain };
  } finally {
    await Promise.all([writer.close(), watcher.close(), today.close()]);
  }
}

function latencyRow(run: LatencyRun): ResultRow {
  const watching = run.devices - 1;
  const changes = WRITES * watching;
  const p99 = percentile(run.latencies, 99);
  return row({
    case: 'live',
    variant: `write on one till → readable on another, ${run.devices} devices (${watching} watching)`,
    rows: WRITES,
    medianMs: percentile(run.latencies, 50),
    samplesMs: run.latencies,
    rowsPerSec: undefined,
    note: `p99 ${formatMs(p99)} over ${run.latencies.length} arrivals${run.missed > 0 ? `, ${run.missed} missed` : ''}; requests per change per watching device ${perChange(run.watchers, changes)}; writer ${perChange(run.writer, WRITES)} per write`,
    extra: { p50Ms: percentile(run.latencies, 50), p99Ms: p99, missed: run.missed, watcherRequestsPerChange: run.watchers.total / changes, writerRequestsPerWrite: run.writer.total / WRITES },
  });
}

function pickupRow(variant: string, run: PickupRun): ResultRow {
  return row({
    case: 'live',
    variant,
    rows: WRITES,
    medianMs: median(run.durations),
    samplesMs: run.durations,
    rowsPerSec: undefined,
    note: `requests per change ${perChange(run.requests, WRITES)}`,
    extra: { requestsPerChange: run.requests.total / WRITES },
  });
}

/**
 * live: till-to-till latency over the live channel (DESIGN.md §4, Live nudges) with 2
 * and with 50 started engines of one tenant (the watching ones in child processes), each on its own SQLite
 * file; and what a change costs each watching device in HTTP requests, with Realtime
 * on, off, and as a plain sync run picks it up (today's cost).
 */
export async function liveCase(options: { cloud: BenchCloud }): Promise<CaseReport> {
  const { cloud } = options;
  const pair = await latencyRun(cloud, 2);
  const large = await latencyRun(cloud, LARGE);
  const { off, today } = await pickupRun(cloud);
  const p50 = percentile(large.latencies, 50);
  const p99 = percentile(large.latencies, 99);
  const offPerChange = off.requests.total / WRITES;
  const todayPerChange = today.requests.total / WRITES;
  return {
    rows: [
      latencyRow(pair),
      latencyRow(large),
      pickupRow('change picked up by syncNow(), Realtime off (engine started)', off),
      pickupRow('change picked up by syncNow(), never started (today: a plain sync run)', today),
    ],
    targets: [
      { case: 'live', target: `p50 ≤ 300 ms with ${LARGE} devices`, measured: `${formatMs(p50)} (${large.latencies.length} arrivals)`, met: p50 <= 300 },
      { case: 'live', target: `p99 ≤ 1 s with ${LARGE} devices`, measured: `${formatMs(p99)}${large.missed > 0 ? `, ${large.missed} missed` : ''}`, met: p99 <= 1000 && large.missed === 0 },
      {
        case: 'live',
        target: 'Realtime off: requests per change per device ≤ today (a plain sync run)',
        measured: `${offPerChange.toFixed(2)} vs ${todayPerChange.toFixed(2)}`,
        met: offPerChange <= todayPerChange,
      },
    ],
    notes: [
      `live: ${WRITES} writes per variant after a warm-up, one at a time through device 1's store; the median column of a latency row is its p50, over every watching device's arrival. The writer runs in this process, the watching engines in ${WATCHER_PROCESSES} child processes (interval 300 s), each with its own SQLite file and socket; a row has arrived when the run that brought it ends (onDidRun).`,
      `live: requests are the HTTP calls of each device's fetch, from the write until every device is idle plus ${SETTLE_MS} ms; the nudge itself is one WebSocket frame per device, not counted. "Today" is a never-started device picking the change up with syncNow() (no live channel, no triggers): the sync run the engine made before live sync.`,
    ],
  };
}
