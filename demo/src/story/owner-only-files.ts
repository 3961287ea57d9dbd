import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

// The demo's folder holds databases, configs with tokens and the cloud's secrets: only its owner may read them.

/**
 * Makes `dir` (and any parent it creates) a folder only its owner may enter (0700),
 * tightening it if it already exists.
 *
 * @example
 * ownerOnlyDir('/tmp/my-demo');
 */
export function ownerOnlyDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Writes a file only its owner may read (0600), also over an existing file with a looser mode.
 *
 * @example
 * writeOwnerOnlyFile(join(dir, 'till-1.json'), JSON.stringify(config));
 */
export function writeOwnerOnlyFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
