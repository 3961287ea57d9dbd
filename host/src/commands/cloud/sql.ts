import { compileServerSchema } from '@equinox-sync/core';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { cloudPlugins } from '../../cli/cloud-plugins.js';

export default class CloudSql extends EquinoxCommand<typeof CloudSql> {
  static override summary = 'Print the cloud migration for a real Supabase project.';
  static override description =
    'Compiles the declarations of the built-in plugins and those named in the config into one idempotent SQL migration: ' +
    'tables, row-level security keyed on the JWT tenant_id claim, and the eq_push / eq_pull / eq_health functions. ' +
    'Save it as a Supabase migration and apply it with the Supabase CLI.';
  static override examples = [
    '<%= config.bin %> cloud sql > supabase/migrations/20260101000000_equinox.sql',
    '<%= config.bin %> cloud sql --config ./equinox.config.json --json',
  ];

  async run(): Promise<{ sql: string; plugins: string[] }> {
    const plugins = await cloudPlugins(this.flags.config);
    const sql = compileServerSchema(plugins);
    if (!this.jsonEnabled()) process.stdout.write(sql);
    return { sql, plugins: plugins.map((plugin) => plugin.name) };
  }
}
