import 'reflect-metadata';
import { container as rootContainer, inject, injectable } from 'tsyringe';
import { disposeAfterTest, installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject as provided, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import type { EquinoxHost } from '../src/index.js';
import { EquinoxHostToken, registerEquinoxHost } from '../src/tsyringe/index.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, memoryLogger } from './host-kit.js';

const cloud = provided('cloud');

/** An app service wired by tsyringe, as an embedding app would write it. */
@injectable()
class ClientDirectory {
  constructor(@inject(EquinoxHostToken) private readonly equinox: EquinoxHost) {}

  async add(name: string): Promise<number> {
    this.equinox.store('@acme/equinox-clients').insert('clients', { name });
    return (await this.equinox.syncNow()).uploaded;
  }
}

describe('@equinox-sync/host/tsyringe', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('registers a working host that tsyringe injects into app services', async () => {
    const container = rootContainer.createChildContainer();
    const config = await deviceConfig(cloud, { tenant: uniqueTenant('tsyringe'), device: 'till-a', dir: tempDir('tsyringe'), plugins: [EXAMPLE_PLUGIN_DIR] });
    const host = disposeAfterTest(await registerEquinoxHost(container, { config, logger: memoryLogger() }));
    expect(container.resolve(EquinoxHostToken)).toBe(host);
    expect(await container.resolve(ClientDirectory).add('Ada')).toBe(1);
    expect(host.status.pendingUploads).toBe(0);
  });

  it('is published at the package subpath @equinox-sync/host/tsyringe', async () => {
    const published = await import('@equinox-sync/host/tsyringe');
    expect(typeof published.registerEquinoxHost).toBe('function');
    expect(typeof published.EquinoxHostToken).toBe('symbol');
  });

  it('registers under a token of the app', async () => {
    const container = rootContainer.createChildContainer();
    const config = await deviceConfig(cloud, { tenant: uniqueTenant('tsyringe'), device: 'till-b', dir: tempDir('tsyringe'), plugins: [EXAMPLE_PLUGIN_DIR] });
    disposeAfterTest(await registerEquinoxHost(container, { config, logger: memoryLogger() }, 'sync'));
    expect(container.resolve<EquinoxHost>('sync').plugins()).toEqual([expect.objectContaining({ name: '@acme/equinox-clients', state: 'active' })]);
    expect(container.isRegistered(EquinoxHostToken)).toBe(false);
  });
});
