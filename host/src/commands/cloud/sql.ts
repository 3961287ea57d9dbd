import { Flags } from '@oclif/core';
import { compileServerSchema } from '@equinox-sync/core/server';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { cloudPlugins } from '../../cli/cloud-plugins.js';
import { applyCloudSchema } from '../../cli/cloud-schema.js';
import { DEFAULT_CLOUD_DIR } from '../../cli/data-dir-flag.js';
import { runningLocalCloud } from '../../cli/running-local-cloud.js';

export default class CloudSql extends EquinoxCommand<typeof CloudSql> {
  static override summary = 'Print the cloud migration for a real Supabase project (or apply it to the local cloud).';
  static override description =
    'Compiles the declarations of the built-in plugins, or of the plugins the config enables, into one idempotent SQL migration: ' +
    'tables, row-level security keyed on the JWT tenant_id claim, and the eq_push / eq_pull / eq_health functions. ' +
    'Save it as a Supabase migration and apply it with the Supabase CLI; --apply installs it on the local cloud running on --data.';
  static override examples = [
    '<%= config.bin %> cloud sql > supabase/migrations/20260101000000_equinox.sql',
    '<%= config.bin %> cloud sql --apply',
    '<%= config.bin %> cloud sql --config ./equinox.config.json --json',
  ];
  static override flags = {
    apply: Flags.boolean({ summary: 'Apply it to the local cloud running on --data instead of printing it.' }),
    data: Flags.directory({ summary: `Data directory of the local cloud (with --apply; default ${DEFAULT_CLOUD_DIR}).`, dependsOn: ['apply'] }),
  };

  async run(): Promise<{ sql: string; plugins: string[]; applied: boolean }> {
    const plugins = await cloudPlugins(this.flags.config);
    const sql = compileServerSchema(plugins);
    const names = plugins.map((plugin) => plugin.name);
    if (this.flags.apply) {
      const dataDir = this.flags.data ?? DEFAULT_CLOUD_DIR;
      const cloud = await runningLocalCloud(dataDir);
      if (!cloud) this.fail(`no local cloud is running on ${dataDir}; start one with: equinox cloud start --data ${dataDir}`);
      await applyCloudSchema(cloud, plugins);
      this.log(`Applied the schema of ${names.join(', ')} to the local cloud at ${cloud.url}.`);
    } else if (!this.jsonEnabled()) {
      process.stdout.write(sql);
    }
    return { sql, plugins: names, applied: this.flags.apply };
  }
}
