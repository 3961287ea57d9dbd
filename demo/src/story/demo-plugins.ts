import { FiscalApi } from '@equinox-sync/plugin-fiscal';
import { InventoryApi } from '@equinox-sync/plugin-inventory';
import type { DemoDevice } from './demo-devices.js';

/** The built-in plugins' APIs on a demo device. */
export const inventory = (device: DemoDevice): InventoryApi => device.host.api(InventoryApi);
export const fiscal = (device: DemoDevice): FiscalApi => device.host.api(FiscalApi);

/** Issues a licence for a tenant as the back office does: with the service key, through the plugin's cloud function. */
export async function issueLicence(cloud: { url: string; serviceKey: string }, tenant: string, maxDevices: number): Promise<void> {
  const response = await fetch(`${cloud.url}/rest/v1/rpc/settings_put_licence`, {
    method: 'POST',
    headers: { apikey: cloud.serviceKey, authorization: `Bearer ${cloud.serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      p_tenant: tenant,
      p_plan: 'pro',
      p_valid_until: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      p_max_devices: maxDevices,
    }),
  });
  if (!response.ok) throw new Error(`issuing the licence of ${tenant}: HTTP ${response.status} ${await response.text()}`);
}
