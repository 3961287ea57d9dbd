// @ts-check
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { clientFields, clientFlags } from '../../client-flags.js';
import { ClientsApi } from '../../clients-api.js';

/**
 * `equinox clients add --name NAME`: adds a client on this device; it syncs with the
 * next run. A bad flag (a missing name, an email without "@") is a usage error (exit 2).
 *
 * @extends {EquinoxCommand<typeof ClientsAdd>}
 */
export default class ClientsAdd extends EquinoxCommand {
  static summary = 'Add a client on this device; it syncs with the next run.';
  static examples = ['<%= config.bin %> clients add --name "Ada Lovelace" --email ada@example.com', '<%= config.bin %> clients add --name Ada --json'];

  static flags = clientFlags({ nameRequired: true });

  async run() {
    const client = await withHost(this, (host) => host.api(ClientsApi).add({ ...clientFields(this.flags), name: this.flags.name }));
    this.log(`Added client ${client.name} (${client.id}).`);
    return client;
  }
}
