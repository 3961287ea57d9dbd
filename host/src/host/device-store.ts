import { existsSync } from 'node:fs';
import { LocalStore, type PluginDefinition } from '@equinox-sync/core';
import { inject, injectable } from 'inversify';
import { HostConfig } from './host-config.js';

/**
 * Owns the device's database: opens it with the plugins' tables, reopens it when the set
 * of plugins shrinks (one failed to activate), closes it once. Bound as the host's
 * `LocalStore`, always the one open now.
 *
 * @example
 * const store = stores.open([clientsPlugin]);
 * stores.close();
 */
@injectable()
export class DeviceStore {
  private store: LocalStore | undefined;
  private closed = false;
  private created: boolean | undefined;

  constructor(@inject(HostConfig) private readonly host: HostConfig) {}

  /** Opens the database with `plugins`' tables, closing the one open before. */
  open(plugins: readonly PluginDefinition[]): LocalStore {
    if (this.closed) throw new Error('the device store is closed');
    this.store?.close();
    this.store = undefined;
    const { dbPath, tenantId, deviceId } = this.host.config;
    this.created ??= !existsSync(dbPath);
    try {
      this.store = LocalStore.open({ path: dbPath, plugins, tenantId, deviceId });
    } catch (error) {
      throw cannotOpen(error, dbPath, this.host.file);
    }
    return this.store;
  }

  /** Whether the database file was made by this host's first `open` (before it: whether there is none yet). */
  get newDatabase(): boolean {
    return this.created ?? !existsSync(this.host.config.dbPath);
  }

  get current(): LocalStore {
    if (this.store === undefined) throw new Error(this.closed ? 'the host is disposed' : 'the device store is not open yet');
    return this.store;
  }

  /** Closes the database; idempotent. */
  close(): void {
    this.closed = true;
    this.store?.close();
    this.store = undefined;
  }
}

/**
 * A file error opening the database (a folder that cannot be made, no permission) names
 * the path and the config key it came from; any other error is the store's own words.
 */
function cannotOpen(error: unknown, dbPath: string, configFile: string | undefined): unknown {
  const code = (error as { code?: unknown }).code;
  if (!(error instanceof Error) || typeof code !== 'string' || !/^(E[A-Z]+|SQLITE_CANTOPEN)$/.test(code)) return error;
  const from = configFile === undefined ? '' : ` (dbPath in ${configFile})`;
  return Object.assign(new Error(`cannot open the database ${dbPath}${from}: ${error.message}`, { cause: error }), { code });
}
