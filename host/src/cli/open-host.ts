import { createHost, type CreateHostOptions } from '../create-host.js';
import type { EquinoxHost } from '../host/equinox-host.js';

/**
 * Opens the host a command works on, from `--config` (else `EQUINOX_CONFIG`, else
 * ./equinox.config.json), runs `work`, and always disposes it: the database is closed
 * and no timer is left, whatever `work` does.
 *
 * @example
 * const status = await withHost(this.flags.config, (host) => host.status);
 */
export async function withHost<T>(configPath: string | undefined, work: (host: EquinoxHost) => Promise<T> | T, options: Omit<CreateHostOptions, 'config'> = {}): Promise<T> {
  const host = await createHost({ ...options, ...(configPath === undefined ? {} : { config: configPath }) });
  try {
    return await work(host);
  } finally {
    await host.dispose();
  }
}
