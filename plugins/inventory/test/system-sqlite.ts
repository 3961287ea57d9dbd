import { spawnSync } from 'node:child_process';

// A copy of core/test/system-sqlite.ts (packages do not import each other's tests).
const MISSING = 'the system `sqlite3` command-line tool is needed by this test: install it (Debian/Ubuntu: `apt-get install sqlite3`; .ci/run does so in CI)';

/** `sqlite3 --version`, or why there is none (the tests then fail in their first step). */
export function systemSqliteVersion(): string {
  const run = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  return run.error === undefined && run.status === 0 ? run.stdout.trim() : `missing (${run.error?.message ?? run.stderr.trim()})`;
}

/** Runs `sql` on the file with the system `sqlite3`; rows come back through its JSON output. */
export function sqlite3(path: string, sql: string): { ok: boolean; rows: Record<string, unknown>[]; stderr: string } {
  const run = spawnSync('sqlite3', ['-batch', '-bail', '-json', path, sql], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`${MISSING}: ${run.error.message}`);
  const text = run.stdout.trim();
  return { ok: run.status === 0, rows: run.status === 0 && text !== '' ? (JSON.parse(text) as Record<string, unknown>[]) : [], stderr: run.stderr.trim() };
}
