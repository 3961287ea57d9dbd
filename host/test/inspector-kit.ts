import { disposeAfterTest, syncUntil, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import type { DeviceCloud } from '@equinox-sync/core/testing';
import { expect } from 'vitest';
import { createHost, type EquinoxHost, type InlinePlugin } from '../src/index.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, memoryLogger } from './host-kit.js';

// A device in every state the inspector shows, built through the real engine against the
// local cloud: a queue, a refused upload, a conflict, a held delete, panels that load,
// act and fail.

export const CLIENTS = '@acme/equinox-clients';
export const PROBE = 'inspector-probe';

/** A plugin with panels only: one that loads and has an action, one whose load throws. */
export const probePlugin: InlinePlugin = {
  packageJson: { name: PROBE, version: '1.0.0', equinox: { engines: { equinox: '^0.1.0' }, activationEvents: ['onStartup'] } },
  module: {
    activate(context) {
      let pings = 0;
      context.subscriptions.push(
        context.inspector.registerPanel({
          id: 'healthy',
          title: 'Healthy panel',
          load: () => ({ summary: `pinged ${pings} time(s)`, tone: 'ok', sections: [{ kind: 'facts', facts: [{ label: 'Pings', value: String(pings) }] }] }),
          actions: [{ id: 'ping', label: 'Ping', run: () => ({ message: `pong ${(pings += 1)}`, tone: 'ok' }) }],
        }),
        context.inspector.registerPanel({
          id: 'broken',
          title: 'Broken panel',
          load: () => {
            throw new Error('the probe could not read its table');
          },
        }),
      );
    },
  },
};

/** What {@link inspectedDevice} made: the till to inspect and the ids of its rows in each state. */
export interface InspectedDevice {
  readonly host: EquinoxHost;
  readonly conflictId: string;
  readonly heldId: string;
  readonly failedId: string;
  readonly queuedId: string;
}

async function device(cloud: DeviceCloud, tenant: string, name: string, dir: string): Promise<EquinoxHost> {
  const config = await deviceConfig(cloud, { tenant, device: name, dir, plugins: [EXAMPLE_PLUGIN_DIR] });
  return disposeAfterTest(await createHost({ config, plugins: [probePlugin], logger: memoryLogger() }));
}

/**
 * Two tills of a new tenant; the second ends with a conflict on a client (the clients
 * table's strategy is Manual), a held delete, an upload refused by the plugin's hook
 * (an email without "@") and a new client queued. Neither host is started: nothing
 * syncs behind the test's back.
 */
export async function inspectedDevice(cloud: DeviceCloud): Promise<InspectedDevice> {
  const tenant = uniqueTenant('inspect');
  const dir = tempDir('inspect');
  const other = await device(cloud, tenant, 'till-a', dir);
  const host = await device(cloud, tenant, 'till-b', dir);
  const [otherClients, clients] = [other.store(CLIENTS), host.store(CLIENTS)];

  const conflictId = String(otherClients.insert('clients', { name: 'Ada Lovelace', email: 'ada@example.com', phone: '600000001' }).id);
  expect(await other.syncNow()).toMatchObject({ uploaded: 1, error: null });
  await syncUntil(host, () => clients.get('clients', conflictId) !== undefined);
  otherClients.update('clients', conflictId, { phone: '600000002' });
  clients.update('clients', conflictId, { email: 'ada@lovelace.org' });
  expect(await other.syncNow()).toMatchObject({ uploaded: 1, error: null });
  await syncUntil(host, () => host.conflicts.list().length > 0);

  const heldId = String(clients.insert('clients', { name: 'Alan Turing', email: 'alan@example.com' }).id);
  expect(await host.syncNow()).toMatchObject({ error: null });
  clients.delete('clients', heldId);
  const failedId = String(clients.insert('clients', { name: 'Grace Hopper', email: 'grace-at-example.com' }).id);
  expect(await host.syncNow()).toMatchObject({ rejected: 1 });
  const queuedId = String(clients.insert('clients', { name: 'Queued Quinn', email: 'quinn@example.com' }).id);
  await other.dispose();
  return { host, conflictId, heldId, failedId, queuedId };
}
