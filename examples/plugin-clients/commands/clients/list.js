// @ts-check
import { EquinoxCommand, printTable, withHost } from '@equinox-sync/host/command-kit';
import { ClientsApi } from '../../clients-api.js';

/**
 * `equinox clients list`: the clients on this device, by name.
 *
 * @extends {EquinoxCommand<typeof ClientsList>}
 */
export default class ClientsList extends EquinoxCommand {
  static summary = 'List the clients on this device, by name.';
  static examples = ['<%= config.bin %> clients list', '<%= config.bin %> clients list --json'];

  async run() {
    const clients = await withHost(this, (host) => host.api(ClientsApi).list());
    printTable(
      this,
      ['name', 'tax id', 'email', 'phone', 'id'],
      clients.map((client) => [client.name, client.tax_id ?? '', client.email ?? '', client.phone ?? '', client.id]),
    );
    return clients;
  }
}
