/**
 * @equinox-sync/host/command-kit — what a plugin's oclif commands are built on: the
 * `equinox` base command (`--config`, `--json`, `--verbose`, one-line errors, usage
 * errors exit 2), opening the device's host for the command, and table and progress
 * output. Stable within a major version of the host, like the plugin API.
 *
 * @example
 * import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
 * import { ClientsApi } from '../../clients-api.js';
 *
 * export default class ClientsList extends EquinoxCommand<typeof ClientsList> {
 *   static override summary = 'List the clients on this device.';
 *   async run() {
 *     return withHost(this, (host) => host.api(ClientsApi).list());
 *   }
 * }
 */
export { EquinoxCommand, type CommandArgs, type CommandFlags } from '../cli/equinox-command.js';
export { withHost, type HostCommand } from '../cli/open-host.js';
export { printTable } from '../cli/print-table.js';
export { showSyncProgress } from '../cli/sync-progress.js';
export type { EquinoxHost } from '../host/equinox-host.js';
