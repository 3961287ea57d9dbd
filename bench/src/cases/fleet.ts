import { cpus, loadavg } from 'node:os';
import { compileServerSchema } from '@equinox-sync/core/server';
import { applySql } from '@equinox-sync/local-cloud';
import { fiscalPlugin } from '@equinox-sync/plugin-fiscal';
import { inventoryPlugin } from '@equinox-sync/plugin-inventory';
import type { FleetArgs } from '../args.js';
import type { BenchCloud } from '../cloud-fixture.js';
import { median, progress } from '../measure.js';
import { row, type CaseReport, type ResultRow, type TargetCheck } from '../report.js';
import { CHAIN_TENANT, INVOICES_SCOPE, seedChain, tillInitialSync, WIDE_PLUGIN, wideInitialSync, type InitialSync } from './fleet-chain.js';
import { fleetDeviceId, fleetTenant, type FleetDeviceSpec, type MemoryOutcome, type ShopOutcome } from './fleet-protocol.js';
import { measureStall } from './fleet-stall.js';
import { FleetWorker, percentile } from './fleet-workers.js';
import { cpuNote, latencyNote, medianRep, mixedPhase, ms, phase, pooled, requestsNote, requestsPer, setAggregation, type MixedPhase, type Phase } from './fleet-phases.js';

/** Timed repetitions of the no-op/raw and mixed phases (after a short warm-up of each). */
const PHASE_REPS = 2;
const WARM_UP_SECONDS = 2;
/** The raw limit's request: one row of a synced table, as the device (RLS applies). */
const RAW_PATH = '/rest/v1/products?select=id&limit=1';
const STALL_BASELINE_SAMPLES = 10;
/** In the open loop, one sale in this many (on average) comes with a price edit. */
const EDIT_EVERY = 10;

/**
 * fleet: at least 1,000 tills over 100 tenants against the one local cloud, in worker
 * processes, each till a real SQLite file and a real host with the fiscal and inventory
 * plugins. No-op syncs per second against raw PostgREST GETs at the same concurrency; a
 * mixed shop workload from 100 tills at once in a closed loop, with the master
 * aggregation on and off (throughput), then in an open loop at a shop's rate (latency);
 * the initial sync of a new till in a chain of 20 tills × 5,000 invoices, scoped and
 * tenant-wide; tenant B's pull latency while tenant A holds a write transaction open;
 * memory per device and the cloud's CPU seconds per 1,000 syncs. See bench/README.md.
 */
export async function fleetCase(options: { cloud: BenchCloud; fleet: FleetArgs }): Promise<CaseReport> {
  const { cloud, fleet } = options;
  const rows: ResultRow[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  const loadAtStart = loadavg()[0] ?? 0;
  progress('fleet: installing the fiscal and inventory plugins (and a tenant-wide copy of the invoices table) in the cloud');
  await applySql(cloud.cloud, compileServerSchema([fiscalPlugin, inventoryPlugin, WIDE_PLUGIN]));
  await seedChain(cloud, fleet.tills, fleet.invoices);

  progress(`fleet: ${fleet.devices} devices over ${fleet.tenants} tenants in ${fleet.workers} worker processes`);
  const workers = Array.from({ length: fleet.workers }, (_, worker) => FleetWorker.start({ url: cloud.cloud.url, anonKey: cloud.cloud.anonKey, dir: `${cloud.scratch}/fleet-${worker}`, worker }));
  try {
    const shares: FleetDeviceSpec[][] = workers.map(() => []);
    for (let key = 0; key < fleet.devices; key += 1) {
      const tenant = fleetTenant(key, fleet.tenants);
      const deviceId = fleetDeviceId(key);
      shares[key % fleet.workers]?.push({ key, tenant, deviceId, token: await cloud.tokenWith({ tenant_id: tenant, device_id: deviceId }) });
    }
    const opened = await Promise.all(workers.map((worker, i) => worker.request({ op: 'open', devices: shares[i] ?? [] })));
    progress(`fleet: devices open in ${ms(Math.max(...opened.map((o) => o.ms)))}`);
    const initial = await Promise.all(workers.map((worker) => worker.request({ op: 'syncAll', concurrency: 8 })));
    const initialFailures = initial.reduce((sum, outcome) => sum + outcome.failures, 0);
    progress(`fleet: first sync of every device in ${ms(Math.max(...initial.map((o) => o.ms)))}${initialFailures > 0 ? `, ${initialFailures} failed: ${initial.find((o) => o.firstFailure)?.firstFailure}` : ''}`);
    if (initialFailures > 0) throw new Error(`fleet: the first sync failed on ${initialFailures} devices`);

    // a. No-op syncs vs raw GETs, interleaved, the same concurrency.
    const perWorker = Math.max(1, Math.round(fleet.concurrency / fleet.workers));
    const noops: Phase[] = [];
    const raws: Phase[] = [];
    for (let rep = 0; rep <= PHASE_REPS; rep += 1) {
      const seconds = rep === 0 ? WARM_UP_SECONDS : fleet.seconds;
      const what = rep === 0 ? 'warm-up' : `rep ${rep}/${PHASE_REPS}`;
      const noop = (await phase(cloud, workers, (worker) => worker.request({ op: 'noop', seconds, concurrency: perWorker }))).phase;
      progress(`fleet: no-op syncs ${what}: ${noop.perSecond.toFixed(0)}/s, ${latencyNote(noop.latencies)}, ${requestsPer(noop).toFixed(2)} requests each${noop.failures > 0 ? `, ${noop.failures} failed: ${noop.firstFailure}` : ''}`);
      const raw = (await phase(cloud, workers, (worker) => worker.request({ op: 'raw', seconds, concurrency: perWorker, path: RAW_PATH }))).phase;
      progress(`fleet: raw GETs ${what}: ${raw.perSecond.toFixed(0)}/s, ${latencyNote(raw.latencies)}${raw.failures > 0 ? `, ${raw.failures} failed: ${raw.firstFailure}` : ''}`);
      if (rep > 0) {
        noops.push(noop);
        raws.push(raw);
      }
    }
    const noop = medianRep(noops);
    const raw = medianRep(raws);
    const concurrency = perWorker * fleet.workers;
    const byPath = Object.entries(noop.requests).map(([path, n]) => `${path.replace(/^rpc\//, '')} ${(n / noop.count).toFixed(2)}`).join(', ');
    const noopRow = row({
      case: 'fleet',
      variant: `no-op syncs, ${fleet.devices} devices, ${concurrency} in flight`,
      rows: noop.count,
      medianMs: noop.elapsedMs,
      samplesMs: noops.map((p) => p.elapsedMs),
      rowsPerSec: noop.perSecond,
      ratio: { value: noop.perSecond / raw.perSecond, against: 'raw GETs/s' },
      note: `syncs/s; ${latencyNote(noop.latencies)}; requests per sync: ${byPath}${noop.failures > 0 ? `; ${noop.failures} failed` : ''}`,
      extra: { syncsPerSec: noop.perSecond, p50Ms: percentile(noop.latencies, 50), p99Ms: percentile(noop.latencies, 99), requestsPerSync: requestsPer(noop), failures: noop.failures, perRep: noops.map((p) => p.perSecond.toFixed(1)).join(' ') },
    });
    const rawRow = row({
      case: 'fleet',
      variant: `raw PostgREST GET (products, limit 1), ${concurrency} in flight`,
      rows: raw.count,
      medianMs: raw.elapsedMs,
      samplesMs: raws.map((p) => p.elapsedMs),
      rowsPerSec: raw.perSecond,
      note: `GETs/s; ${latencyNote(raw.latencies)}`,
      extra: { getsPerSec: raw.perSecond, p50Ms: percentile(raw.latencies, 50), p99Ms: percentile(raw.latencies, 99), failures: raw.failures, perRep: raws.map((p) => p.perSecond.toFixed(1)).join(' ') },
    });
    rows.push(noopRow, rawRow);
    const noopRatio = noop.perSecond / raw.perSecond;
    targets.push({ case: 'fleet', target: 'no-op syncs/s ≥ 0.5× raw PostgREST GETs/s', measured: `${noopRatio.toFixed(2)}× (${noop.perSecond.toFixed(0)} vs ${raw.perSecond.toFixed(0)}/s; ${requestsPer(noop).toFixed(1)} requests per sync)`, met: noopRatio >= 0.5 && noop.failures === 0 });
    const requestRatio = (noop.perSecond * requestsPer(noop)) / raw.perSecond;
    notes.push(`fleet: a no-op sync is ${requestsPer(noop).toFixed(2)} requests (${byPath}); the cloud served its requests at ${requestRatio.toFixed(2)}× the raw GETs' request rate.`);

    // e. Memory per device, after every device has synced.
    const memories: MemoryOutcome[] = await Promise.all(workers.map((worker) => worker.request({ op: 'memory' })));
    const rss = memories.reduce((sum, m) => sum + m.rssKiB, 0);
    const base = memories.reduce((sum, m) => sum + m.baseRssKiB, 0);
    const devices = memories.reduce((sum, m) => sum + m.devices, 0);
    rows.push(
      row({
        case: 'fleet',
        variant: 'memory per device (worker RSS ÷ its devices)',
        rows: devices,
        medianMs: 0,
        samplesMs: [],
        rowsPerSec: undefined,
        note: `${(rss / devices / 1024).toFixed(2)} MiB per device; ${((rss - base) / devices / 1024).toFixed(2)} MiB above an empty worker's ${(base / memories.length / 1024).toFixed(0)} MiB; workers ${memories.map((m) => `${(m.rssKiB / 1024).toFixed(0)} MiB/${m.devices}`).join(', ')}`,
        extra: { rssKiBPerDevice: rss / devices, rssKiBPerDeviceAboveBase: (rss - base) / devices, workerRssKiB: memories.map((m) => m.rssKiB).join(' ') },
      }),
    );
    if (noop.cloudCpuSeconds !== null && raw.cloudCpuSeconds !== null) {
      const perThousand = (noop.cloudCpuSeconds / noop.count) * 1000;
      const rawPerThousand = (raw.cloudCpuSeconds / raw.count) * 1000;
      rows.push(
        row({
          case: 'fleet',
          variant: 'cloud CPU seconds per 1,000 no-op syncs',
          rows: noop.count,
          medianMs: noop.elapsedMs,
          samplesMs: [],
          rowsPerSec: undefined,
          note: `${perThousand.toFixed(2)} CPU s; ${cpuNote(noop, 'syncs')}`,
          extra: { cpuSecondsPer1000Syncs: perThousand, cloudCpuByName: JSON.stringify(noop.cloudCpuByName), deviceCpuSeconds: noop.deviceCpuSeconds, cpuSeconds: noop.cloudCpuSeconds },
        }),
        row({
          case: 'fleet',
          variant: 'cloud CPU seconds per 1,000 raw GETs',
          rows: raw.count,
          medianMs: raw.elapsedMs,
          samplesMs: [],
          rowsPerSec: undefined,
          note: `${rawPerThousand.toFixed(2)} CPU s; ${cpuNote(raw, 'GETs')}`,
          extra: { cpuSecondsPer1000Gets: rawPerThousand, cloudCpuByName: JSON.stringify(raw.cloudCpuByName), deviceCpuSeconds: raw.deviceCpuSeconds, cpuSeconds: raw.cloudCpuSeconds },
        }),
      );
    } else {
      notes.push("fleet: the cloud processes' CPU time could not be read from /proc (not Linux?).");
    }

    // b. Mixed shop workload from `mixedDevices` tills at once, with the master aggregation on and off.
    const mixedKeys = Array.from({ length: fleet.mixedDevices }, (_, key) => key);
    const keysOf = (worker: number): number[] => mixedKeys.filter((key) => key % fleet.workers === worker);
    progress(`fleet: preparing the mixed workload on ${fleet.mixedDevices} devices (catalogue, opening stock)`);
    await Promise.all(workers.map((worker, i) => worker.request({ op: 'prepareMixed', keys: keysOf(i) })));
    const withAggregation: MixedPhase[] = [];
    const withoutAggregation: MixedPhase[] = [];
    try {
      for (let rep = 0; rep <= PHASE_REPS; rep += 1) {
        const seconds = rep === 0 ? WARM_UP_SECONDS : fleet.seconds;
        const what = rep === 0 ? 'warm-up' : `rep ${rep}/${PHASE_REPS}`;
        // One warm-up (aggregation on) is enough: both halves run the same device code.
        for (const on of rep === 0 ? [true] : [true, false]) {
          await setAggregation(cloud, on);
          const result = mixedPhase(await phase(cloud, workers, (worker, i) => worker.request({ op: 'mixed', keys: keysOf(i), seconds })));
          progress(`fleet: mixed workload, aggregation ${on ? 'on' : 'off'} ${what}: ${result.rowsPerSecond.toFixed(0)} rows/s, ${result.count} syncs, ${latencyNote(result.latencies)}, rejected ${result.rejected}${result.failures > 0 ? `, ${result.failures} failed: ${result.firstFailure}` : ''}`);
          if (rep > 0) (on ? withAggregation : withoutAggregation).push(result);
        }
      }
    } finally {
      await setAggregation(cloud, true);
    }
    const mixedOn = pooled(withAggregation);
    const mixedOff = pooled(withoutAggregation);
    const mixedRow = (label: string, p: MixedPhase, samples: readonly MixedPhase[]): ResultRow =>
      row({
        case: 'fleet',
        variant: `mixed shop workload (closed loop), ${fleet.mixedDevices} devices at once, ${label}`,
        rows: p.uploaded,
        medianMs: p.elapsedMs,
        samplesMs: samples.map((s) => s.elapsedMs),
        rowsPerSec: p.rowsPerSecond,
        note: `${p.count} syncs, ${latencyNote(p.latencies)}, rejected ${p.rejected}${p.failures > 0 ? `, ${p.failures} failed` : ''}; ${cpuNote(p, 'syncs')}`,
        extra: { syncs: p.count, p50Ms: percentile(p.latencies, 50), p99Ms: percentile(p.latencies, 99), rejected: p.rejected, written: p.written, pending: p.pending, failures: p.failures, perRep: samples.map((s) => s.rowsPerSecond.toFixed(1)).join(' ') },
      });
    const mixedRatio = mixedOn.rowsPerSecond / mixedOff.rowsPerSecond;
    rows.push(
      { ...mixedRow('master aggregation on', mixedOn, withAggregation), ratio: { value: mixedRatio, against: 'aggregation off' } },
      mixedRow('aggregation off (masterAggregationSql(false))', mixedOff, withoutAggregation),
    );
    targets.push({
      case: 'fleet',
      target: 'mixed workload ≥ 0.8× of itself without the master aggregation (closed loop, rows/s)',
      measured: `${mixedRatio.toFixed(2)}× (${mixedOn.rowsPerSecond.toFixed(0)} vs ${mixedOff.rowsPerSecond.toFixed(0)} rows/s, ${PHASE_REPS} reps each pooled)`,
      met: mixedRatio >= 0.8,
    });
    notes.push(`fleet: closed-loop mixed workload per till and round: 3 sales as stock movements (2 on ${5} hot SKUs every tenant sells), 1 invoice issued through the fiscal API (hash chain, signature), a price edit every 5th round; then a sync, and the next round at once. It measures throughput: every till always has a sync in flight, so its latencies are queueing at saturation, not a shop's.`);

    // b'. Sync latency at a shop's rate: an open loop, the aggregation on.
    const offeredSales = fleet.mixedDevices / fleet.saleSeconds;
    progress(`fleet: open loop, ${fleet.mixedDevices} devices, a sale every ${fleet.saleSeconds} s each (Poisson), ${offeredSales.toFixed(1)} sales/s offered, for ${fleet.latencySeconds} s`);
    const shopResult = await phase(cloud, workers, (worker, i) => worker.request({ op: 'shop', keys: keysOf(i), seconds: fleet.latencySeconds, meanGapMs: fleet.saleSeconds * 1000, editEvery: EDIT_EVERY }));
    const shopOutcomes: ShopOutcome[] = shopResult.outcomes;
    const shop = mixedPhase(shopResult);
    const shopSales = shopOutcomes.reduce((sum, o) => sum + o.sales, 0);
    const runLatencies = shopOutcomes.flatMap((o) => o.runLatencies);
    const offeredRows = shop.written / fleet.latencySeconds;
    const p99Shop = percentile(shop.latencies, 99);
    progress(`fleet: open loop: ${shopSales} sales (${(shopSales / fleet.latencySeconds).toFixed(1)}/s), ${shop.rowsPerSecond.toFixed(1)} rows/s achieved, write → ack ${latencyNote(shop.latencies)}, write → run done ${latencyNote(runLatencies)}, rejected ${shop.rejected}${shop.failures > 0 ? `, ${shop.failures} failed: ${shop.firstFailure}` : ''}`);
    rows.push(
      row({
        case: 'fleet',
        variant: `sync latency at a shop's rate: ${fleet.mixedDevices} devices, a sale every ${fleet.saleSeconds} s each (open loop, ${fleet.latencySeconds} s)`,
        rows: shop.uploaded,
        medianMs: shop.elapsedMs,
        samplesMs: [shop.elapsedMs],
        rowsPerSec: shop.rowsPerSecond,
        note:
          `offered ${(shopSales / fleet.latencySeconds).toFixed(1)} sales/s, ${offeredRows.toFixed(1)} rows/s; write → upload acked ${latencyNote(shop.latencies)}; ` +
          `write → run done ${latencyNote(runLatencies)}; rejected ${shop.rejected}${shop.failures > 0 ? `, ${shop.failures} failed` : ''}; ` +
          `requests per sale: ${requestsNote(shop, shopSales)}; ${cpuNote(shop, 'syncs')}`,
        extra: {
          sales: shopSales,
          offeredSalesPerSec: shopSales / fleet.latencySeconds,
          offeredRowsPerSec: offeredRows,
          p50Ms: percentile(shop.latencies, 50),
          p99Ms: p99Shop,
          runP50Ms: percentile(runLatencies, 50),
          runP99Ms: percentile(runLatencies, 99),
          rejected: shop.rejected,
          written: shop.written,
          pending: shop.pending,
          failures: shop.failures,
        },
      }),
    );
    const rejected = [...withAggregation, ...withoutAggregation, shop].reduce((sum, p) => sum + p.rejected, 0);
    const failed = [...withAggregation, ...withoutAggregation, shop].reduce((sum, p) => sum + p.failures, 0);
    targets.push(
      {
        case: 'fleet',
        target: `p99 sync latency ≤ 1 s at ${fleet.mixedDevices} concurrent devices (open loop, a sale every ${fleet.saleSeconds} s each)`,
        measured: `${ms(p99Shop)} write → upload acked (p50 ${ms(percentile(shop.latencies, 50))}); ${(shopSales / fleet.latencySeconds).toFixed(1)} sales/s offered, ${shop.rowsPerSecond.toFixed(0)} rows/s achieved`,
        met: p99Shop <= 1000 && shop.failures === 0,
      },
      { case: 'fleet', target: 'mixed workload: 0 rows rejected', measured: `${rejected} rejected, ${failed} failed runs (closed loop on and off, open loop)`, met: rejected === 0 && failed === 0 },
    );
    notes.push(
      `fleet: open loop: each of ${fleet.mixedDevices} tills makes a sale (a stock movement on a hot SKU every tenant sells, and its invoice) at Poisson arrivals, mean ${fleet.saleSeconds} s apart, ` +
        `a price edit with one sale in ${EDIT_EVERY}, each followed at once by syncNow(); latency is from the write to the cloud's answer to the run's last push (the run's pull follows).`,
    );
    notes.push('fleet: a no-op sync here is a host with the fiscal and inventory plugins (3 synced tables); the raw GET is one request.');

    // c. The initial sync of a new till in a chain of `tills` × `invoices`.
    const total = fleet.tills * fleet.invoices;
    progress(`fleet: initial syncs in ${CHAIN_TENANT} (${total.toLocaleString('en-US')} invoices)`);
    const scoped: InitialSync[] = [];
    const wide: InitialSync[] = [];
    for (let rep = 0; rep < PHASE_REPS; rep += 1) scoped.push(await tillInitialSync(cloud, `chain-new-${rep}`, 'new till'));
    // Once: the target compares rows, and its ~20 s at the default size would lengthen the case for a reference time.
    wide.push(await wideInitialSync(cloud, 'chain-wide-0', 'tenant-wide'));
    const restored = await tillInitialSync(cloud, 'chain-till-1', 'restored till');
    for (const sync of [...scoped, ...wide, restored]) {
      progress(`fleet: ${sync.label}: ${sync.downloaded.toLocaleString('en-US')} rows in ${ms(sync.ms)}${sync.quarantined > 0 ? `, ${sync.quarantined} set aside` : ''}${sync.error === null ? '' : `, error: ${sync.error}`}`);
    }
    const syncRow = (variant: string, syncs: readonly InitialSync[], note: string): ResultRow => {
      const middle = median(syncs.map((s) => s.ms));
      const rowsPulled = syncs[0]?.downloaded ?? 0;
      return row({
        case: 'fleet',
        variant,
        rows: rowsPulled,
        medianMs: middle,
        samplesMs: syncs.map((s) => s.ms),
        note: `${note}${syncs.some((s) => s.error !== null) ? `; error: ${syncs.find((s) => s.error !== null)?.error}` : ''}${syncs.some((s) => s.quarantined > 0) ? `; ${syncs[0]?.quarantined} set aside` : ''}`,
        extra: { downloaded: rowsPulled, quarantined: syncs[0]?.quarantined ?? 0 },
      });
    };
    const scopedRow = syncRow(`initial sync of a new till, with scopes (${fleet.tills} tills × ${fleet.invoices.toLocaleString('en-US')} invoices)`, scoped, `invoices scope: ${INVOICES_SCOPE}; every table of the till`);
    const wideRow = syncRow('the same invoices pulled tenant-wide (no scope)', wide, 'the invoices table without its scope');
    const restoredRow = syncRow('a till restored onto a new file, with scopes', [restored], 'its own chain back');
    rows.push(scopedRow, wideRow, restoredRow);
    const scopedRows = scopedRow.rows;
    targets.push({
      case: 'fleet',
      target: "a new till's initial sync with scopes ≤ 1/10 of the rows without",
      measured: `${scopedRows.toLocaleString('en-US')} vs ${wideRow.rows.toLocaleString('en-US')} rows (${ms(scopedRow.medianMs)} vs ${ms(wideRow.medianMs)})`,
      met: wideRow.rows > 0 && scopedRows * 10 <= wideRow.rows && scoped.every((s) => s.error === null),
    });

    // d. Tenant B's pull latency while tenant A holds a write transaction open.
    const stall = await measureStall(cloud, fleet.holdSeconds, STALL_BASELINE_SAMPLES);
    const worstWithout = Math.max(...stall.without);
    const worstDuring = Math.max(...stall.during);
    rows.push(
      row({ case: 'fleet', variant: "tenant B's pull latency, no open transaction", rows: stall.without.length, medianMs: median(stall.without), samplesMs: stall.without, rowsPerSec: undefined, note: `worst ${ms(worstWithout)} of ${stall.without.length}` }),
      row({
        case: 'fleet',
        variant: `tenant B's pull latency, tenant A's write open ${fleet.holdSeconds} s`,
        rows: stall.during.length,
        medianMs: median(stall.during),
        samplesMs: stall.during,
        rowsPerSec: undefined,
        note: `worst ${ms(worstDuring)} of ${stall.during.length} samples started while it was open (${ms(stall.heldMs)})`,
      }),
    );
    targets.push({ case: 'fleet', target: `tenant B's pull while tenant A holds a write open ${fleet.holdSeconds} s ≤ without + 0.5 s`, measured: `worst ${ms(worstDuring)} vs ${ms(worstWithout)}`, met: worstDuring <= worstWithout + 500 });
    notes.push("fleet: B's pull latency is from the moment B's other device has pushed a row until B's device, syncing back to back, holds it; the worst sample of each phase is compared.");
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
  notes.push(`fleet: load average (1 min) ${loadAtStart.toFixed(1)} when the case started, ${(loadavg()[0] ?? 0).toFixed(1)} when it ended, on ${cpus().length} cores: the devices, the cloud and anything else the machine runs share them.`);
  return { rows, targets, notes };
}
