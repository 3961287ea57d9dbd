import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { createHost, type CreateHostOptions } from '../create-host.js';
import type { EquinoxHost } from '../host/equinox-host.js';

/**
 * The tsyringe token of the host that {@link registerEquinoxHost} registers.
 *
 * @example
 * constructor(@inject(EquinoxHostToken) private readonly equinox: EquinoxHost) {}
 */
export const EquinoxHostToken: InjectionToken<EquinoxHost> = Symbol('EquinoxHost');

/**
 * For apps wired with tsyringe: creates a host (see `createHost`) and registers it as an
 * instance under `token` (default {@link EquinoxHostToken}). The host is not disposed by
 * `container.dispose()` (tsyringe only disposes what it constructed): call
 * `host.dispose()` when the app stops. The app imports `reflect-metadata` for tsyringe;
 * this adapter imports nothing of tsyringe at run time.
 *
 * @example
 * import 'reflect-metadata';
 * import { container } from 'tsyringe';
 * import { registerEquinoxHost, EquinoxHostToken } from '@equinox-sync/host/tsyringe';
 *
 * const host = await registerEquinoxHost(container, { config: 'equinox.config.json' });
 * container.resolve(EquinoxHostToken) === host; // true
 */
export async function registerEquinoxHost(
  container: DependencyContainer,
  options: CreateHostOptions = {},
  token: InjectionToken<EquinoxHost> = EquinoxHostToken,
): Promise<EquinoxHost> {
  const host = await createHost(options);
  container.registerInstance(token, host);
  return host;
}
