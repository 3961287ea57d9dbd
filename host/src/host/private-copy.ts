import { chmodSync, cpSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
