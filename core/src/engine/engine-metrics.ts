import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metrics, type Attributes, type BatchObservableCallback, type Counter, type Histogram, type Meter, type MeterProvider, type ObservableGauge } from '@opentelemetry/api';
import type { SyncTrigger } from '../sync/index.js';
import type { SyncRunResult } from './sync-status.js';

/**
 * DI token of the OpenTelemetry `MeterProvider` the engine reports to. Unbound, the
 * engine takes the global one (`metrics.getMeterProvider()`), a no-op until the app
 * registers an SDK — so register it before the engine is made: the global provider is
 * read once, when the engine is constructed.
 *
 * @example
 * container.bind(SyncMeterProvider).toConstantValue(new MeterProvider({ readers: [reader] }));
 */
export const SyncMeterProvider = Symbol('SyncMeterProvider');
/** The provider bound to {@link SyncMeterProvider}: any `MeterProvider` of `@opentelemetry/api`. */
export type SyncMeterProvider = MeterProvider;

/**
 * The meter's name; every instrument below is in it, with the package's version. Instruments
 * and attributes are listed in the README (Embedding).
 *
 * @example
 * const meter = provider.getMeter(SYNC_METER_NAME);
 */
export const SYNC_METER_NAME = 'equinox-sync';

/** How a run ended, as the `equinox.outcome` attribute says it. */
type RunOutcome = 'ok' | 'offline' | 'error';

/**
 * What the gauges read when the SDK collects: cheap reads of the store, or undefined when it is closed.
 *
 * @example
 * const sources: MetricSources = { pendingUploads: () => store.pendingUploads(), lastSync: () => store.lastSync(), now: Date.now };
 */
export interface MetricSources {
  /** Changes waiting to upload. */
  readonly pendingUploads: () => number | undefined;
  /** When the last complete run ended (ms since the epoch). */
  readonly lastSync: () => number | undefined;
  readonly now: () => number;
}

/**
 * Durations are in seconds (OpenTelemetry's convention); these bounds, from its HTTP
 * conventions, stretched to a first pull of a large tenant.
 */
const DURATION_BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300];

const VERSION: string = (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

/**
 * The engine's instruments. Attributes are the run's trigger and outcome only: never a
 * tenant, a device, a row or an error message, which would make a series per device or
 * per failure and carry what a metrics backend should not hold. With no SDK registered,
 * every instrument is the API's no-op: a run costs a few empty calls.
 *
 * @example
 * const metrics = new EngineMetrics(provider, sources);
 * metrics.recordRun('manual', result);
 * metrics.dispose();
 */
export class EngineMetrics {
  private readonly meter: Meter;
  private readonly duration: Histogram;
  private readonly uploaded: Counter;
  private readonly downloaded: Counter;
  private readonly rejections: Counter;
  private readonly conflicts: Counter;
  private readonly quarantined: Counter;
  private readonly gauges: ObservableGauge[];
  private readonly observe: BatchObservableCallback;
  private disposed = false;

  constructor(provider: MeterProvider | undefined, sources: MetricSources) {
    this.meter = (provider ?? metrics.getMeterProvider()).getMeter(SYNC_METER_NAME, VERSION);
    this.duration = this.meter.createHistogram('equinox.sync.run.duration', {
      description: 'How long a sync run took.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BOUNDS_S },
    });
    this.uploaded = this.meter.createCounter('equinox.sync.rows.uploaded', { description: 'Rows the cloud accepted from this device.', unit: '{row}' });
    this.downloaded = this.meter.createCounter('equinox.sync.rows.downloaded', { description: 'Rows pulled from the cloud and applied.', unit: '{row}' });
    this.rejections = this.meter.createCounter('equinox.sync.rejections', { description: 'Uploads the cloud refused (retried with backoff).', unit: '{row}' });
    this.conflicts = this.meter.createCounter('equinox.sync.conflicts', { description: 'Conflicts found, settled by strategy or left for a person.', unit: '{conflict}' });
    this.quarantined = this.meter.createCounter('equinox.sync.rows.quarantined', { description: 'Pulled rows set aside because the device could not take them.', unit: '{row}' });
    const depth = this.meter.createObservableGauge('equinox.sync.queue.depth', { description: 'Local changes waiting to upload.', unit: '{row}' });
    const lag = this.meter.createObservableGauge('equinox.sync.pull.lag', { description: 'Time since the last complete sync run.', unit: 's' });
    this.gauges = [depth, lag];
    // One callback for both: a collection reads the store once per gauge, and never while the store is closed.
    this.observe = (result) => {
      const pending = sources.pendingUploads();
      if (pending !== undefined) result.observe(depth, pending);
      const last = sources.lastSync();
      // A device that never synced has no lag to show; its queue depth says what waits.
      if (last !== undefined) result.observe(lag, Math.max(0, sources.now() - last) / 1000);
    };
    this.meter.addBatchObservableCallback(this.observe, this.gauges);
  }

  /** Records one run's duration and counts, under its trigger and outcome. */
  recordRun(trigger: SyncTrigger, result: SyncRunResult): void {
    const attributes: Attributes = { 'equinox.trigger': trigger, 'equinox.outcome': outcomeOf(result) };
    this.duration.record(result.durationMs / 1000, attributes);
    this.uploaded.add(result.uploaded, attributes);
    this.downloaded.add(result.downloaded, attributes);
    this.rejections.add(result.rejected, attributes);
    this.conflicts.add(result.conflicts, attributes);
    this.quarantined.add(result.quarantined, attributes);
  }

  /** Unregisters the gauges' callback, so a disposed engine is never read again. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.meter.removeBatchObservableCallback(this.observe, this.gauges);
  }
}

function outcomeOf(result: SyncRunResult): RunOutcome {
  if (result.offline) return 'offline';
  return result.error === null ? 'ok' : 'error';
}
