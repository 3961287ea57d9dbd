import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';

/**
 * Makes `dir` (and any parent it has to create) a folder only its owner may enter: the
 * cloud's folders hold its secrets, keys and logs.
 *
 * @example
 * privateDir(join(dataDir, 'logs'));
 */
export function privateDir(dir: string, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
}

/**
 * Writes a file only its owner may read (0600), also when it existed before with a
 * looser mode: `writeFileSync`'s `mode` applies only to a file it creates.
 *
 * @example
 * writePrivateFile(join(dataDir, 'state.json'), JSON.stringify(state));
 */
export function writePrivateFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Takes group and others' access away from an existing file (a secret or a log written
 * by an older version, or restored from a backup); a missing file is left missing.
 *
 * @example
 * restrictFile(join(dataDir, 'secrets.json'));
 */
export function restrictFile(path: string): void {
  if (!existsSync(path)) return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}
