import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Histogram as ApiHistogram } from '@opentelemetry/api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSyncEngine, definePlugin, SYNC_METER_NAME, type SyncEngine } from '../../src/index.js';
import { deviceRemote, installCloudSchema, openStore, tempDbPath, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import type { LocalStore } from '../../src/index.js';

const suffix = uniqueSuffix();
const notes = `metric_notes_${suffix}`;
const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [{ name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

/** A reader the test collects by hand: what an exporter would be sent, without a timer. */
class ManualReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** An engine over a fresh device, reporting to its own provider (the global one is left alone). */
async function meteredDevice(tenant: string): Promise<{ store: LocalStore; engine: SyncEngine; collect: () => Promise<MetricData[]> }> {
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  const store = openStore({ path: tempDbPath('metrics'), plugins: [plugin], tenantId: tenant, deviceId: 'till' });
  const engine = await createSyncEngine({ store, remote: await deviceRemote(tenant, 'till'), meterProvider: provider });
  onTestFinished(async () => {
    await engine.dispose();
    await provider.shutdown();
  });
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === SYNC_METER_NAME);
    expect(scope?.scope.version).toMatch(/^\d+\.\d+\.\d+/);
    return scope?.metrics ?? [];
  };
  return { store, engine, collect };
}

function points(data: MetricData[], name: string): DataPoint<unknown>[] {
  return (data.find((metric) => metric.descriptor.name === name)?.dataPoints ?? []) as DataPoint<unknown>[];
}

function sum(data: MetricData[], name: string): number {
  return points(data, name).reduce((total, point) => total + (point.value as number), 0);
}

/** A provider whose run histogram throws on its first `record`, as a broken exporter might. */
function throwingOnce(provider: MeterProvider): MeterProvider {
  let thrown = false;
  return new Proxy(provider, {
    get(target, key, receiver) {
      if (key !== 'getMeter') return Reflect.get(target, key, receiver) as unknown;
      return (...args: Parameters<MeterProvider['getMeter']>) => {
        const meter = target.getMeter(...args);
        return new Proxy(meter, {
          get(inner, name, innerReceiver) {
            if (name !== 'createHistogram') return Reflect.get(inner, name, innerReceiver) as unknown;
            return (...histogramArgs: Parameters<typeof meter.createHistogram>) => {
              const histogram: ApiHistogram = inner.createHistogram(...histogramArgs);
              return {
                record: (...recordArgs: Parameters<ApiHistogram['record']>) => {
                  if (!thrown) {
                    thrown = true;
                    throw new Error('the exporter broke');
                  }
                  histogram.record(...recordArgs);
                },
              };
            };
          },
        });
      };
    },
  });
}

describe('engine metrics', () => {
  it('a metrics provider that throws fails that run, not the engine: its caller is answered and the next run works', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('metrics-throw');
    const store = openStore({ path: tempDbPath('metrics'), plugins: [plugin], tenantId: tenant, deviceId: 'till' });
    const provider = new MeterProvider({ readers: [new ManualReader()] });
    const engine = await createSyncEngine({ store, remote: await deviceRemote(tenant, 'till'), meterProvider: throwingOnce(provider) });
    onTestFinished(async () => {
      await engine.dispose();
      await provider.shutdown();
    });
    store.forPlugin('notes').insert(notes, { body: 'a' });
    expect(await engine.syncNow()).toMatchObject({ error: 'the run failed: the exporter broke' });
    expect(engine.status).toMatchObject({ isSyncing: false, lastError: 'the run failed: the exporter broke', pendingUploads: 0 });
    store.forPlugin('notes').insert(notes, { body: 'b' });
    expect(await engine.syncNow()).toMatchObject({ error: null, uploaded: 1 });
  });

  it('reports a run: its duration, rows up and down, and the queue emptied', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('metrics');
    const { store, engine, collect } = await meteredDevice(tenant);
    for (const body of ['a', 'b', 'c']) store.forPlugin('notes').insert(notes, { body });

    const before = await collect();
    expect(points(before, 'equinox.sync.queue.depth').map((p) => p.value)).toEqual([3]);
    // Never synced: no lag to report yet.
    expect(points(before, 'equinox.sync.pull.lag')).toEqual([]);

    const result = await engine.syncNow();
    expect(result).toMatchObject({ uploaded: 3, error: null });
    const after = await collect();

    const runs = points(after, 'equinox.sync.run.duration') as DataPoint<Histogram>[];
    expect(runs).toHaveLength(1);
    expect(runs[0]?.attributes).toEqual({ 'equinox.trigger': 'manual', 'equinox.outcome': 'ok' });
    expect(runs[0]?.value.count).toBe(1);
    expect(runs[0]?.value.sum).toBeCloseTo(result.durationMs / 1000, 6);
    expect(after.find((m) => m.descriptor.name === 'equinox.sync.run.duration')?.descriptor.unit).toBe('s');

    const uploaded = points(after, 'equinox.sync.rows.uploaded');
    expect(uploaded.map((p) => [p.attributes, p.value])).toEqual([[{ 'equinox.trigger': 'manual', 'equinox.outcome': 'ok' }, 3]]);
    // The device's own rows come back with their cloud versions; whatever the count, it is the run's.
    expect(sum(after, 'equinox.sync.rows.downloaded')).toBe(result.downloaded);
    expect(sum(after, 'equinox.sync.rejections')).toBe(0);
    expect(sum(after, 'equinox.sync.conflicts')).toBe(0);

    expect(points(after, 'equinox.sync.queue.depth').map((p) => p.value)).toEqual([0]);
    const lag = points(after, 'equinox.sync.pull.lag').map((p) => p.value as number);
    expect(lag).toHaveLength(1);
    expect(lag[0]).toBeGreaterThanOrEqual(0);
    expect(lag[0]).toBeLessThan(60);

    // No tenant, device or row reaches an attribute.
    const attributeKeys = new Set(after.flatMap((m) => m.dataPoints.flatMap((p) => Object.keys(p.attributes))));
    expect([...attributeKeys].sort()).toEqual(['equinox.outcome', 'equinox.trigger']);
  });

  it('marks an offline run as such', async () => {
    const tenant = uniqueTenant('metrics-offline');
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const store = openStore({ path: tempDbPath('metrics'), plugins: [plugin], tenantId: tenant, deviceId: 'till' });
    // Nothing listens on port 9 (discard): the probe gets no answer.
    const remote = await deviceRemote(tenant, 'till', { url: 'http://127.0.0.1:9' });
    const engine = await createSyncEngine({ store, remote, meterProvider: provider, sync: { healthTimeoutMs: 500 } });
    onTestFinished(async () => {
      await engine.dispose();
      await provider.shutdown();
    });
    store.forPlugin('notes').insert(notes, { body: 'waits' });

    expect(await engine.syncNow()).toMatchObject({ offline: true });
    const { resourceMetrics } = await reader.collect();
    const data = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    expect(points(data, 'equinox.sync.run.duration').map((p) => p.attributes)).toEqual([{ 'equinox.trigger': 'manual', 'equinox.outcome': 'offline' }]);
    expect(points(data, 'equinox.sync.queue.depth').map((p) => p.value)).toEqual([1]);
  });

  it('stops reading the store once the engine is disposed', async () => {
    await installCloudSchema([plugin]);
    const tenant = uniqueTenant('metrics-dispose');
    const { store, engine, collect } = await meteredDevice(tenant);
    expect(points(await collect(), 'equinox.sync.queue.depth').map((p) => p.value)).toEqual([0]);

    await engine.dispose();
    // The store outlives the engine: a gauge still registered would now read 2.
    store.forPlugin('notes').insert(notes, { body: 'after' });
    store.forPlugin('notes').insert(notes, { body: 'after, again' });
    expect(store.pendingUploads()).toBe(2);
    const depth = points(await collect(), 'equinox.sync.queue.depth').map((p) => p.value);
    expect(depth).not.toContain(2);
  });
});
