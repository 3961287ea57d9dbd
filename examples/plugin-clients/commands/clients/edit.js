// @ts-check
import { Args } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { clientFields, clientFlags } from '../../client-flags.js';
import { ClientsApi } from '../../clients-api.js';

/**
 * `equinox clients edit ID --phone P`: changes a client on this device; it syncs with the
 * next run. Another device's edit of the same client meanwhile puts both versions in the
 * conflict inbox (`equinox conflicts list`). No field, or a bad one, is a usage error (exit 2).
 *
 * @extends {EquinoxCommand<typeof ClientsEdit>}
 */
export default class ClientsEdit extends EquinoxCommand {
  static summary = 'Change a client on this device; it syncs with the next run.';
  static description = 'Only the fields given change. If another device changed the same client before this edit synced, both versions wait in the conflict inbox: equinox conflicts list.';
  static examples = ['<%= config.bin %> clients edit 0196… --phone "600 000 002"', '<%= config.bin %> clients edit 0196… --email ada@lovelace.org --json'];

  static args = { id: Args.string({ description: "The client's id (see clients list).", required: true }) };

  static flags = clientFlags({ nameRequired: false });

  async run() {
    const patch = clientFields(this.flags);
    if (Object.keys(patch).length === 0) this.usage('give at least one field to change: --name, --email, --phone or --tax-id');
    const client = await withHost(this, (host) => host.api(ClientsApi).update(this.args.id, patch));
    this.log(`Updated client ${client.name} (${client.id}).`);
    return client;
  }
}
