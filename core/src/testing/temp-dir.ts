import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A new empty folder in the system's temporary folder, `equinox-<label>-XXXXXX`: for a
 * test's database files, configs and plugin packages. The folders are removed when the
 * test process exits (each test file runs in a process of its own), so runs do not pile
 * them up in /tmp; set `EQUINOX_KEEP_TEMP=1` to keep them for a look after a failure.
 *
 * @example
 * const dbPath = join(tempDir('notes'), 'till-1.db');
 */
export function tempDir(label: string): string {
  if (made.length === 0 && process.env.EQUINOX_KEEP_TEMP !== '1') process.once('exit', removeMade);
  const dir = mkdtempSync(join(tmpdir(), `equinox-${label}-`));
  made.push(dir);
  return dir;
}

function removeMade(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder still in use by a child process that outlived the test is left behind; nothing else depends on it.
    }
  }
}
