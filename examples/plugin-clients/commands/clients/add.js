// @ts-check
import { Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { ClientsApi, emailProblem } from '../../clients-api.js';

/**
 * `equinox clients add --name NAME`: adds a client on this device; it syncs with the
 * next run. A bad flag (a missing name, an email without "@") is a usage error (exit 2).
 *
 * @extends {EquinoxCommand<typeof ClientsAdd>}
 */
export default class ClientsAdd extends EquinoxCommand {
  static summary = 'Add a client on this device; it syncs with the next run.';
  static examples = ['<%= config.bin %> clients add --name "Ada Lovelace" --email ada@example.com', '<%= config.bin %> clients add --name Ada --json'];

  static flags = {
    name: Flags.string({ summary: "The client's name.", required: true }),
    'tax-id': Flags.string({ summary: 'Tax id.' }),
    email: Flags.string({
      summary: 'Email address.',
      // Checked while parsing, so a bad one is a usage error like a missing flag.
      parse: async (email) => {
        const problem = emailProblem(email);
        if (problem !== undefined) throw new Error(problem);
        return email;
      },
    }),
    phone: Flags.string({ summary: 'Phone number.' }),
  };

  async run() {
    const { name, email, phone } = this.flags;
    const taxId = this.flags['tax-id'];
    const client = await withHost(this, (host) =>
      host.api(ClientsApi).add({ name, ...(taxId === undefined ? {} : { tax_id: taxId }), ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) }),
    );
    this.log(`Added client ${client.name} (${client.id}).`);
    return client;
  }
}
