import { join } from 'node:path';
import type { EquinoxConfigInput } from '@equinox-sync/config';
import { consoleLogger, createHost, type EquinoxHost } from '@equinox-sync/host';
import { deviceClaims, type LocalCloud } from '@equinox-sync/local-cloud';
import { writePrivateFile } from '@equinox-sync/local-cloud';

/** One device of the demo: a name, its tenant, its host, and the config file written for it. */
export interface DemoDevice {
  readonly name: string;
  readonly tenant: string;
  readonly host: EquinoxHost;
  readonly configFile: string;
}

/**
 * Makes a device the way a user would: a config file in the demo dir (so `--keep`
 * leaves something the CLI can open), a device token minted by the local cloud for this
 * tenant and this device (its name is its device id), and a
 * host with the built-in plugins. `url` lets a device reach the cloud through another
 * address (the demo's unplugged network cable).
 */
export async function openDemoDevice(options: {
  dir: string;
  cloud: LocalCloud;
  name: string;
  tenant: string;
  role?: 'store' | 'master';
  url?: string;
}): Promise<DemoDevice> {
  const role = options.role ?? 'store';
  // Each till its own token, naming it: installation-bound writes (its chain, its key, its seat) need it.
  const token = await options.cloud.mintToken(deviceClaims({ tenant: options.tenant, device: options.name, role }), { expiresIn: '365d' });
  const config: EquinoxConfigInput = {
    tenantId: options.tenant,
    deviceId: options.name,
    dbPath: join(options.dir, `${options.name}.db`),
    role,
    supabase: { url: options.url ?? options.cloud.url, key: options.cloud.anonKey, accessToken: token },
    sync: { intervalSeconds: 3600 },
  };
  const configFile = join(options.dir, `${options.name}.json`);
  writePrivateFile(configFile, `${JSON.stringify({ ...config, supabase: { ...config.supabase, url: options.cloud.url } }, null, 2)}\n`);
  const host = await createHost({ config, logger: consoleLogger('error') });
  return { name: options.name, tenant: options.tenant, host, configFile };
}
