import { createHost, type CreateHostOptions } from '../create-host.js';
import type { EquinoxHost } from '../host/equinox-host.js';

/**
 * What {@link withHost} needs of the running command: its id (oclif's `this.id`, which
 * activates the plugins with `onCommand:<id>`) and its `--config` file. Every
 * `EquinoxCommand` is one.
 *
 * @example
 * const command: HostCommand = { id: 'clients:list', configFile: './till.json' };
 */
export interface HostCommand {
  readonly id: string | undefined;
  readonly configFile: string | undefined;
}

/**
 * Opens the host a command works on, from its `--config` (else `EQUINOX_CONFIG`, else
 * ./equinox.config.json), with the `onStartup` plugins and those activated by this
 * command (`onCommand:<id>`) active; runs `work`, and always disposes it: the database is
 * closed and no timer is left, whatever `work` does. Given a config path (or nothing)
 * instead of the command, it opens the host for no command.
 *
 * @example
 * async run() {
 *   return withHost(this, (host) => host.api(ClientsApi).list());
 * }
 */
export async function withHost<T>(
  command: HostCommand | string | undefined,
  work: (host: EquinoxHost) => Promise<T> | T,
  options: Omit<CreateHostOptions, 'config' | 'command'> = {},
): Promise<T> {
  const configPath = typeof command === 'object' ? command.configFile : command;
  const id = typeof command === 'object' ? command.id : undefined;
  const host = await createHost({ ...options, ...(configPath === undefined ? {} : { config: configPath }), ...(id === undefined ? {} : { command: id }) });
  try {
    return await work(host);
  } finally {
    await host.dispose();
  }
}
