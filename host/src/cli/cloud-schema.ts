import { SupabaseRemote, type PluginDefinition } from '@equinox-sync/core';
import { compileServerSchema, SYNC_PROTOCOL_VERSION } from '@equinox-sync/core/server';
import { applySql, type CloudCoordinates } from '@equinox-sync/local-cloud';

/**
 * Compiles the migration of `plugins` and applies it to the local cloud, as its owner
 * role; PostgREST has reloaded its schema when this resolves. The migration is
 * idempotent, so applying it again changes nothing. Returns the plugins' names.
 *
 * @example
 * const names = await applyCloudSchema(readCloudState(dataDir)!, await cloudPlugins(flags.config));
 */
export async function applyCloudSchema(cloud: CloudCoordinates, plugins: readonly PluginDefinition[]): Promise<string[]> {
  await applySql(cloud, compileServerSchema(plugins));
  return plugins.map((plugin) => plugin.name);
}

/**
 * A device's way into the cloud: the API URL, the anon key and the device's token.
 *
 * @example
 * const device: DeviceConnection = { url: state.url, key: state.anonKey, accessToken: token };
 */
export interface DeviceConnection {
  readonly url: string;
  readonly key: string;
  readonly accessToken: string;
}

/** How long each probe of {@link missingCloudSchema} waits. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * What the cloud lacks for a device with these plugins, as the device sees it through its
 * token, or `undefined` when nothing: no equinox schema (`eq_health` missing), a schema of
 * another sync protocol, or a declared table or column the cloud's API does not serve.
 * Rejects when the cloud does not answer at all.
 *
 * @example
 * const gap = await missingCloudSchema({ url, key, accessToken }, plugins);
 * if (gap !== undefined) await applyCloudSchema(cloud, plugins);
 */
export async function missingCloudSchema(connection: DeviceConnection, plugins: readonly PluginDefinition[]): Promise<string | undefined> {
  const health = await new SupabaseRemote(connection).health(PROBE_TIMEOUT_MS);
  if (!health.online) throw new Error(`the cloud at ${connection.url} does not answer: ${health.error?.message ?? 'no answer'}`);
  // PostgREST's "function not found": the migration was never applied.
  if (health.error?.code === 'PGRST202') return 'the cloud had no equinox schema';
  if (health.protocol !== undefined && health.protocol !== SYNC_PROTOCOL_VERSION) {
    return `the cloud's schema spoke sync protocol ${health.protocol}, this engine ${SYNC_PROTOCOL_VERSION}`;
  }
  const tables = plugins.flatMap((plugin) => plugin.tables);
  const served = await Promise.all(tables.map((table) => servesColumns(connection, table.name, table.columns.map((column) => column.name))));
  const missing = tables.filter((_, index) => !served[index]).map((table) => table.name);
  return missing.length === 0 ? undefined : `the cloud lacked ${missing.length === 1 ? 'table' : 'tables'} ${missing.join(', ')} (or some of their columns)`;
}

/**
 * Whether the cloud's API serves `table` with these columns: a select of no rows, which
 * PostgREST refuses when the table or a column is not in its schema cache.
 */
async function servesColumns(connection: DeviceConnection, table: string, columns: readonly string[]): Promise<boolean> {
  const select = [...new Set(['id', 'tenant_id', 'updated_at', 'deleted', ...columns])].map(encodeURIComponent).join(',');
  const response = await fetch(`${connection.url.replace(/\/+$/, '')}/rest/v1/${encodeURIComponent(table)}?select=${select}&limit=0`, {
    headers: { apikey: connection.key, Authorization: `Bearer ${connection.accessToken}` },
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  await response.body?.cancel();
  return response.ok;
}
