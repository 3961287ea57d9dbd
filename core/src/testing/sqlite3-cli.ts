import { spawnSync } from 'node:child_process';

// The system `sqlite3` command-line tool, as a host app's own SQLite (often older than the
// one better-sqlite3 bundles) sees a device database. Never skipped: without the tool the
// test fails and says how to get it.
const MISSING = 'the system `sqlite3` command-line tool is needed by this test: install it (Debian/Ubuntu: `apt-get install sqlite3`; .ci/run does so in CI)';

/**
 * What one `sqlite3` run printed, and whether it succeeded.
 *
 * @example
 * const { ok, stderr }: SqliteRun = sqlite3(path, 'PRAGMA integrity_check');
 */
export interface SqliteRun {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `sqlite3 --version`, or why there is none (the tests then fail in their first step).
 *
 * @example
 * console.log(`system sqlite3 ${systemSqliteVersion()}`);
 */
export function systemSqliteVersion(): string {
  const run = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  return run.error === undefined && run.status === 0 ? run.stdout.trim() : `missing (${run.error?.message ?? run.stderr.trim()})`;
}

/**
 * Runs `sql` (one or more statements, stopping at the first error) on the file with the
 * system `sqlite3`.
 *
 * @example
 * expect(sqlite3(path, "INSERT INTO notes (body) VALUES ('x')").ok).toBe(true);
 */
export function sqlite3(path: string, sql: string): SqliteRun {
  const run = spawnSync('sqlite3', ['-batch', '-bail', path, sql], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`${MISSING}: ${run.error.message}`);
  return { ok: run.status === 0, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

/**
 * The rows of one query, through the tool's JSON output; throws with the tool's words on an error.
 *
 * @example
 * const [row] = sqlite3Rows(path, 'SELECT count(*) AS n FROM _eq_outbox');
 */
export function sqlite3Rows(path: string, sql: string): Record<string, unknown>[] {
  const run = spawnSync('sqlite3', ['-batch', '-bail', '-json', path, sql], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`${MISSING}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`sqlite3 ${path}: ${run.stderr.trim()}`);
  const text = run.stdout.trim();
  return text === '' ? [] : (JSON.parse(text) as Record<string, unknown>[]);
}
