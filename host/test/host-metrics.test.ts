import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYNC_METER_NAME } from '@equinox-sync/core';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHost } from '../src/index.js';
import { BUILTIN_PLUGINS, deviceConfig } from './host-kit.js';

const cloud = inject('cloud');
const INVENTORY = '@equinox-sync/plugin-inventory';

/** A reader the test collects by hand. */
class ManualReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

describe('createHost({ meterProvider })', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it("reports the host's runs to the provider it is given, the global one left alone", async () => {
    const dir = tempDir('host-metrics');
    const file = join(dir, 'equinox.config.json');
    writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant('host-metrics'), device: 'till', dir, builtins: true })));
    const reader = new ManualReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const host = await createHost({ config: file, meterProvider });
    try {
      host.store(INVENTORY).insert('products', { sku: 'OT-1', name: 'Metered', price_cents: 1 });
      expect((await host.syncNow()).error).toBeNull();
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.find((scope) => scope.scope.name === SYNC_METER_NAME)?.metrics ?? [];
      const uploaded = metrics.find((metric) => metric.descriptor.name === 'equinox.sync.rows.uploaded');
      expect(uploaded?.dataPoints.reduce((total, point) => total + (point.value as number), 0)).toBe(1);
      expect(metrics.find((metric) => metric.descriptor.name === 'equinox.sync.run.duration')?.dataPoints).toHaveLength(1);
    } finally {
      await host.dispose();
      await meterProvider.shutdown();
    }
  });
});
