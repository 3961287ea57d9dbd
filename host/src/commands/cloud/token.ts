import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { loadOrCreateSecrets, TokenMinter } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag } from '../../cli/data-dir-flag.js';

export default class CloudToken extends EquinoxCommand<typeof CloudToken> {
  static override summary = "Mint a device token for a tenant, signed with the local cloud's JWT secret.";
  static override description =
    'The token is an HS256 JWT with role "authenticated" and the tenant_id claim that row-level security keys on. ' +
    '--role master adds eq_role "master" (head office, may read aggregates across tenants).';
  static override examples = [
    '<%= config.bin %> cloud token --tenant store-1',
    '<%= config.bin %> cloud token --tenant head-office --role master --json',
  ];
  static override flags = {
    data: dataDirFlag,
    tenant: Flags.string({ summary: 'Tenant id carried in the tenant_id claim.', required: true }),
    role: Flags.string({ summary: 'Device role.', options: ['store', 'master'], default: 'store' }),
    'expires-in': Flags.string({ summary: 'Lifetime, e.g. 30d, 12h.', default: '365d' }),
  };

  async run(): Promise<{ token: string }> {
    if (!existsSync(join(this.flags.data, 'secrets.json'))) {
      this.fail(`no local cloud in ${this.flags.data}; start one with: equinox cloud start --data ${this.flags.data}`);
    }
    const { jwtSecret } = loadOrCreateSecrets(this.flags.data);
    const claims = { tenant_id: this.flags.tenant, ...(this.flags.role === 'master' ? { eq_role: 'master' } : {}) };
    const token = await new TokenMinter(jwtSecret).mint(claims, { expiresIn: this.flags['expires-in'] });
    this.log(token);
    return { token };
  }
}
