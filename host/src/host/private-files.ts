import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes `dir`, and every parent it has to create, a folder only its owner may enter
 * (0700): the host's folders hold tokens, keys and databases. An existing folder is
 * tightened too; parents that existed before are left as they are.
 *
 * @example
 * privateDir(join(dirname(dbPath), 'till-1.db.equinox'));
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Writes a file only its owner may read (0600), also over an existing file with a looser
 * mode (`writeFileSync`'s `mode` applies only to a file it creates).
 *
 * @example
 * writePrivateFile('equinox.config.json', JSON.stringify(config));
 */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Copies the folder `from` to `to` (which must not exist yet), keeping nothing readable
 * by others in the copy: folders 0700, files without group or other bits.
 *
 * @example
 * copyPrivately('.equinox/plugins/acme', 'till-1.db.equinox/acme');
 */
export function copyPrivately(from: string, to: string): void {
  cpSync(from, to, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true });
  const tighten = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    chmodSync(path, stat.isDirectory() ? 0o700 : stat.mode & 0o700);
    if (stat.isDirectory()) for (const name of readdirSync(path)) tighten(join(path, name));
  };
  tighten(to);
}
