import { rmSync } from 'node:fs';
import { join } from 'node:path';

let counter = 0;

/** A new database path in the scratch dir. */
export function scratchDb(dir: string, label: string): string {
  counter += 1;
  return join(dir, `${label}-${process.pid}-${counter}.db`);
}

/** Removes a database file with its WAL and shared-memory files. */
export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
