import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new empty folder in the system's temporary folder, `equinox-<label>-XXXXXX`: for a
 * test's database files, configs and plugin packages.
 *
 * @example
 * const dbPath = join(tempDir('notes'), 'till-1.db');
 */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `equinox-${label}-`));
}
