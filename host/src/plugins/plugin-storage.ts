import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { HostLogger } from '../host/host-logger.js';
import { privateDir } from '@equinox-sync/local-cloud';
import { copyPrivately } from '../host/private-copy.js';

/**
 * The storage folder of plugin `name` for the database at `dbPath`:
 * `<folder>/<database file>.equinox/<plugin>/`. Named after the database file, so two
 * databases in one folder (two tills, two tenants) never share a key or a mark.
 *
 * @example
 * pluginStorageDir('/data/till-1.db', '@acme/equinox-clients');
 * // '/data/till-1.db.equinox/_acme_equinox-clients'
 */
export function pluginStorageDir(dbPath: string, name: string): string {
  return join(dirname(dbPath), `${basename(dbPath)}.equinox`, folderName(name));
}

/**
 * The folder every database in `dbPath`'s folder shared before storage was per database:
 * `<folder>/.equinox/plugins/<plugin>/`.
 *
 * @example
 * sharedStorageDir('/data/till-1.db', '@acme/clients'); // '/data/.equinox/plugins/_acme_clients'
 */
export function sharedStorageDir(dbPath: string, name: string): string {
  return join(dirname(dbPath), '.equinox', 'plugins', folderName(name));
}

/** What {@link preparePluginStorage} needs to know about the database. */
export interface StorageOwner {
  readonly dbPath: string;
  /** The database file did not exist before this host opened it: nothing of the old shared folder is its own. */
  readonly newDatabase: boolean;
}

/**
 * Makes the plugin's storage folder for this database (0700) and returns it. A database
 * that already existed and finds no folder of its own yet, while the old shared folder
 * holds this plugin's files, gets a copy of them, so its keys are found again. A copy,
 * not a move: other databases in the folder may need the same files, and a move would
 * take them away. The copy is logged, since databases that shared the folder now hold
 * the same files (e.g. one signing key). A new database starts empty: the shared files
 * belong to others.
 *
 * @example
 * const storageDir = preparePluginStorage({ dbPath, newDatabase: false }, '@acme/equinox-clients', logger);
 */
export function preparePluginStorage(owner: StorageOwner, name: string, logger: HostLogger): string {
  const dir = pluginStorageDir(owner.dbPath, name);
  privateDir(dirname(dir));
  if (!existsSync(dir) && !owner.newDatabase) {
    const shared = sharedStorageDir(owner.dbPath, name);
    if (holdsFiles(shared)) copyShared(shared, dir, logger);
  }
  privateDir(dir);
  return dir;
}

function copyShared(shared: string, dir: string, logger: HostLogger): void {
  // Copied beside the target first and renamed into place, so a crash never leaves a half copy that looks complete.
  const staging = `${dir}.copying-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  copyPrivately(shared, staging);
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process of this database made the folder meanwhile: its copy is as good.
    if (existsSync(dir)) return;
    throw error;
  }
  logger.warn(
    `storage is now per database: copied ${shared} to ${dir}. The old folder stays for the other databases in ${dirname(dirname(dirname(shared)))}; ` +
      'databases that shared it now hold copies of the same files (e.g. one signing key). Remove it once each of them has started once.',
  );
}

function holdsFiles(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function folderName(plugin: string): string {
  return plugin.replace(/[^A-Za-z0-9._-]/g, '_');
}
