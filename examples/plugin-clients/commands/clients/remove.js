// @ts-check
import { Args } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { ClientsApi } from '../../clients-api.js';

/**
 * `equinox clients remove ID`: removes a client on this device. Sync never deletes cloud
 * data on its own: the delete waits in `equinox deletes list` until a person confirms it
 * with `equinox deletes confirm ID` (the client's id), and the next sync uploads it.
 *
 * @extends {EquinoxCommand<typeof ClientsRemove>}
 */
export default class ClientsRemove extends EquinoxCommand {
  static summary = 'Remove a client on this device; the cloud keeps it until confirmed.';
  static description = 'The delete waits in equinox deletes list; equinox deletes confirm ID releases it, and the next sync uploads it.';
  static examples = ['<%= config.bin %> clients remove 0196…', '<%= config.bin %> clients remove 0196… --json'];

  static args = { id: Args.string({ description: "The client's id (see clients list).", required: true }) };

  async run() {
    const { id } = this.args;
    const client = await withHost(this, (host) => host.api(ClientsApi).remove(id));
    this.log(`Removed client ${client.name} (${client.id}) on this device; the cloud keeps it until you confirm: equinox deletes confirm ${client.id}`);
    return { id: client.id, held: true };
  }
}
