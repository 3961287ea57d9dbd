import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Flags } from '@oclif/core';
import { configSchema, CONFIG_FILE, type EquinoxConfigInput } from '@equinox-sync/config';
import { deviceClaims, loadOrCreateSecrets, TokenMinter, type CloudState } from '@equinox-sync/local-cloud';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { cloudPlugins } from '../cli/cloud-plugins.js';
import { applyCloudSchema, missingCloudSchema, type DeviceConnection } from '../cli/cloud-schema.js';
import { DEFAULT_CLOUD_DIR } from '../cli/data-dir-flag.js';
import { runningLocalCloud } from '../cli/running-local-cloud.js';
import { deviceFlag, tenantFlag } from '../cli/identity-flags.js';
import { privateDir, writePrivateFile } from '@equinox-sync/local-cloud';

/** What `init --json` prints. */
export interface InitResult {
  config: string;
  tenantId: string;
  deviceId: string;
  /** The database file, absolute: what loading the config gives. */
  dbPath: string;
  url: string;
  role: 'store' | 'master';
  /** With --local: whether the cloud schema of these plugins had to be installed, and why. */
  cloudSchema?: { installed: boolean; plugins: string[]; reason?: string };
}

export default class Init extends EquinoxCommand<typeof Init> {
  static override summary = 'Write a device config (equinox.config.json).';
  static override description =
    'With --local, the device joins the local cloud running on --data: its URL and anon key are read from the state file ' +
    'and a device token is minted (app_metadata: tenant_id, device_id = the device id, eq_role). Otherwise give the Supabase ' +
    'project URL, its anon key and the device user\'s JWT carrying tenant_id and device_id. The config holds that token: ' +
    'it is written readable by its owner only (0600). With --local, the schema of the device\'s plugins is installed on the ' +
    'local cloud (or upgraded) when the cloud lacks it. A relative --db is written relative to the config file\'s folder, ' +
    'where loading the config resolves it.';
  static override examples = [
    '<%= config.bin %> init --tenant store-1 --db ./till-1.db --local',
    '<%= config.bin %> init --tenant hq --db ./hq.db --local --role master --device office',
    '<%= config.bin %> init --tenant store-1 --db ./till.db --url https://xyz.supabase.co --key <anon key> --token <user JWT>',
    '<%= config.bin %> init --tenant store-1 --db ./till-1.db --local --plugin ../examples/plugin-clients',
  ];
  static override flags = {
    tenant: tenantFlag({ summary: 'Tenant id (the tenant_id claim of the token).', required: true }),
    db: Flags.string({ summary: 'SQLite file of this device.', required: true }),
    local: Flags.boolean({ summary: 'Use the local cloud running on --data.', exclusive: ['url'] }),
    data: Flags.directory({ summary: `Data directory of the local cloud (with --local; default ${DEFAULT_CLOUD_DIR}).`, dependsOn: ['local'] }),
    url: Flags.string({ summary: 'Supabase project URL.', dependsOn: ['key'] }),
    key: Flags.string({ summary: 'Supabase anon key (never the service key).', dependsOn: ['url'] }),
    token: Flags.string({ summary: 'User JWT with the tenant_id and device_id claims.', dependsOn: ['url'] }),
    device: deviceFlag({ summary: 'Device id (default: hostname plus a random suffix).' }),
    role: Flags.string({ summary: 'Device role.', options: ['store', 'master'], default: 'store' }),
    plugin: Flags.string({
      summary: 'A plugin to load besides the built-in ones: a folder or a package name (repeatable).',
      description: 'Written to the config\'s "plugins"; a relative folder is written relative to the config file\'s folder, where loading the config resolves it.',
      multiple: true,
    }),
    force: Flags.boolean({ summary: 'Overwrite an existing config file.' }),
  };

  async run(): Promise<InitResult> {
    const { flags } = this;
    if (!flags.local && !flags.url) this.usage('give either --local or --url and --key');
    const file = resolve(flags.config ?? process.env.EQUINOX_CONFIG ?? CONFIG_FILE);
    if (existsSync(file) && !flags.force) this.fail(`${file} exists; use --force to overwrite it`);
    for (const spec of flags.plugin ?? []) {
      if ((spec.startsWith('.') || isAbsolute(spec)) && !existsSync(resolve(spec))) this.usage(`--plugin: ${spec}: no such folder (give a plugin's folder or its package name)`);
    }
    const role = flags.role === 'master' ? 'master' : 'store';
    const deviceId = flags.device ?? defaultDeviceId();
    const dbPath = resolve(flags.db);
    const local = flags.local ? await this.localCoordinates(flags.data ?? DEFAULT_CLOUD_DIR, flags.tenant, deviceId, role) : undefined;
    const supabase = local?.device ?? { url: flags.url ?? '', key: flags.key ?? '', ...(flags.token ? { accessToken: flags.token } : {}) };
    const input: EquinoxConfigInput = {
      tenantId: flags.tenant,
      deviceId,
      // The loader resolves a relative dbPath against the config file's folder, not the
      // working directory the user typed it in: write it relative to that folder.
      dbPath: relativeTo(dirname(file), dbPath),
      role,
      supabase,
      ...(flags.plugin === undefined ? {} : { plugins: flags.plugin.map((spec) => pluginSpec(dirname(file), spec)) }),
    };
    const parsed = configSchema.safeParse(input);
    if (!parsed.success) this.usage(parsed.error.issues.map((issue) => `${flagOf(issue.path.join('.'))}: ${issue.message}`).join('; '));
    // Folders made here are 0700 and the file 0600 (also over an old one): it holds the device's token.
    this.attempt(`cannot create the folder of the config ${dirname(file)}`, () => existsSync(dirname(file)) || privateDir(dirname(file)));
    this.attempt(`cannot create the folder of the database ${dirname(dbPath)}`, () => existsSync(dirname(dbPath)) || privateDir(dirname(dbPath)));
    this.attempt(`cannot write the config ${file}`, () => writePrivateFile(file, `${JSON.stringify(input, null, 2)}\n`));
    this.log(`Wrote ${file} for tenant ${flags.tenant}, device ${deviceId}, database ${dbPath}.`);
    const cloudSchema = local === undefined ? undefined : await this.installSchema(file, local.cloud, local.device);
    return {
      config: file,
      tenantId: flags.tenant,
      deviceId,
      dbPath,
      url: supabase.url,
      role,
      ...(cloudSchema === undefined ? {} : { cloudSchema }),
    };
  }

  /**
   * Installs or upgrades the schema of the device's plugins on the local cloud when the
   * device, through its new token, finds it missing or older; the migration is idempotent.
   */
  private async installSchema(file: string, cloud: CloudState, device: DeviceConnection): Promise<InitResult['cloudSchema']> {
    const retry = `run "equinox cloud sql --apply --config ${file} --data ${cloud.dataDir}"`;
    try {
      const plugins = await cloudPlugins(file);
      const missing = await missingCloudSchema(device, plugins);
      const names = plugins.map((plugin) => plugin.name);
      const count = `${names.length} plugin${names.length === 1 ? '' : 's'}`;
      if (missing === undefined) {
        this.log(`The local cloud at ${cloud.url} already has the schema of the ${count}.`);
        return { installed: false, plugins: names };
      }
      await applyCloudSchema(cloud, plugins);
      this.log(`Installed the cloud schema for ${count} (${names.join(', ')}) on the local cloud at ${cloud.url}: ${missing}.`);
      return { installed: true, plugins: names, reason: missing };
    } catch (error) {
      this.fail(`wrote ${file}, but could not install the cloud schema: ${(error as Error).message}; ${retry}`);
    }
  }

  /** Runs a file operation; its failure is one line that names the path. */
  private attempt(what: string, operation: () => unknown): void {
    try {
      operation();
    } catch (error) {
      this.fail(`${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  private async localCoordinates(
    dataDir: string,
    tenant: string,
    device: string,
    role: 'store' | 'master',
  ): Promise<{ cloud: CloudState; device: DeviceConnection }> {
    // A `cloud start &` of a moment ago may still be starting: wait for it rather than refuse.
    const state = await runningLocalCloud(dataDir);
    if (!state) this.fail(`no local cloud is running on ${dataDir}; start one with: equinox cloud start --data ${dataDir}`);
    const { jwtSecret } = loadOrCreateSecrets(state.dataDir);
    const accessToken = await new TokenMinter(jwtSecret).mint(deviceClaims({ tenant, device, role }), { expiresIn: '365d' });
    return { cloud: state, device: { url: state.url, key: state.anonKey, accessToken } };
  }
}

/**
 * A --plugin as the config should hold it: a path (it starts with `.` or `/`) relative to
 * the config file's folder, since the loader resolves it from there; a package name as given.
 */
function pluginSpec(configDir: string, spec: string): string {
  if (!spec.startsWith('.') && !isAbsolute(spec)) return spec;
  const path = relativeTo(configDir, resolve(spec));
  return path.startsWith('.') || isAbsolute(path) ? path : `./${path}`;
}

/** The flag that set a config key, to name it in an error. */
const FLAG_OF_KEY: Readonly<Record<string, string>> = {
  tenantId: '--tenant',
  deviceId: '--device',
  dbPath: '--db',
  role: '--role',
  'supabase.url': '--url',
  'supabase.key': '--key',
  'supabase.accessToken': '--token',
};

function flagOf(key: string): string {
  return FLAG_OF_KEY[key] ?? (key.startsWith('plugins') ? '--plugin' : key);
}

/** `path` relative to `folder` when it can be (and is not the same path), else absolute. */
function relativeTo(folder: string, path: string): string {
  const relativePath = relative(folder, path);
  return relativePath === '' || isAbsolute(relativePath) ? path : relativePath;
}

function defaultDeviceId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'device';
  return `${host}-${randomBytes(3).toString('hex')}`;
}
