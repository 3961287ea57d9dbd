import { chmodSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Whether users other than the owner may walk down to `dir`: every folder on the way
 * lets others through (o+x). As root, Postgres runs as the `postgres` user and needs that
 * for its binaries and its data dir.
 *
 * @example
 * if (!reachableByOthers('/root/app/node_modules')) copyElsewhere();
 */
export function reachableByOthers(dir: string): boolean {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * Lets others read everything under `dir` (and run what its owner may run), whatever the
 * umask was when it was written. Symlinks are left alone.
 *
 * @example
 * openToOthers(sharedCopy);
 */
export function openToOthers(dir: string): void {
  const open = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const executable = stat.isDirectory() || (stat.mode & 0o100) !== 0;
    chmodSync(path, (stat.mode & 0o7777) | 0o044 | (executable ? 0o011 : 0));
    if (stat.isDirectory()) for (const name of readdirSync(path)) open(join(path, name));
  };
  open(dir);
}
