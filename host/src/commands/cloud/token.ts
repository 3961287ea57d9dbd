import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { deviceClaims, loadOrCreateSecrets, TokenMinter } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { dataDirFlag } from '../../cli/data-dir-flag.js';
import { deviceFlag, lifetimeFlag, tenantFlag } from '../../cli/identity-flags.js';

export default class CloudToken extends EquinoxCommand<typeof CloudToken> {
  static override summary = "Mint a device token for a tenant and a device, signed with the local cloud's JWT secret.";
  static override description =
    'The token is an HS256 JWT with role "authenticated" whose app_metadata carries tenant_id (what row-level security keys on) ' +
    'and device_id (the installation: the config\'s deviceId, to which installation-bound rows such as a signing chain, its key or a seat are bound). ' +
    '--role master adds eq_role "master" (head office, may read aggregates across tenants). ' +
    'Without --device the token still reads and writes the tenant\'s data, but the cloud refuses it every installation-bound write.';
  static override examples = [
    '<%= config.bin %> cloud token --tenant store-1 --device till-1',
    '<%= config.bin %> cloud token --tenant head-office --device office --role master --json',
  ];
  static override flags = {
    data: dataDirFlag,
    tenant: tenantFlag({ summary: 'Tenant id carried in the tenant_id claim.', required: true }),
    device: deviceFlag({ summary: "Device id carried in the device_id claim: the device config's deviceId." }),
    role: Flags.string({ summary: 'Device role.', options: ['store', 'master'], default: 'store' }),
    'expires-in': lifetimeFlag({ summary: 'Lifetime: a positive whole number and a unit s, m, h, d, w or y, e.g. 30d, 12h.', default: '365d' }),
  };

  async run(): Promise<{ token: string }> {
    if (!existsSync(join(this.flags.data, 'secrets.json'))) {
      this.fail(`no local cloud in ${this.flags.data}; start one with: equinox cloud start --data ${this.flags.data}`);
    }
    const { jwtSecret } = loadOrCreateSecrets(this.flags.data);
    if (this.flags.device === undefined) {
      process.stderr.write('Warning: no --device: the cloud will refuse this token every installation-bound write (a chain link, a key, a seat).\n');
    }
    const claims = deviceClaims({ tenant: this.flags.tenant, device: this.flags.device, role: this.flags.role === 'master' ? 'master' : 'store' });
    const token = await new TokenMinter(jwtSecret).mint(claims, { expiresIn: this.flags['expires-in'] });
    this.log(token);
    return { token };
  }
}
