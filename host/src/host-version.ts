import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * This host's version (host/package.json), which plugins' `engines.equinox` ranges are
 * checked against. Read from the file, not hard-coded, so a release cannot forget it.
 *
 * @example
 * semver.satisfies(HOST_VERSION, '^0.1.0');
 */
export const HOST_VERSION: string = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string }
).version;
