import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { PluginLoadError } from './plugin-load-error.js';

/** A plugin package found on disk. */
export interface LocatedPackage {
  /** The package folder, symlinks resolved (workspaces link their packages). */
  readonly dir: string;
  readonly packageJsonPath: string;
  readonly packageJson: unknown;
}

const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Finds a plugin package: a path (a folder or its package.json, relative to `baseDir`)
 * or an npm package name, looked up in the `node_modules` folders above `baseDir` as
 * Node would. The package's `exports` need not expose package.json.
 *
 * @example
 * const { dir, packageJson } = locatePackage('@acme/equinox-clients', '/apps/till');
 */
export function locatePackage(spec: string, baseDir: string): LocatedPackage {
  const path = isPathLike(spec) ? resolve(baseDir, spec) : findInstalled(spec, baseDir);
  const packageJsonPath = basename(path) === 'package.json' ? path : join(path, 'package.json');
  if (!existsSync(packageJsonPath)) throw new PluginLoadError(spec, `no package.json at ${packageJsonPath}`);
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  } catch (error) {
    throw new PluginLoadError(spec, `${packageJsonPath} is not valid JSON: ${(error as Error).message}`);
  }
  return { dir: realpathSync(dirname(packageJsonPath)), packageJsonPath, packageJson };
}

function findInstalled(name: string, baseDir: string): string {
  if (!PACKAGE_NAME.test(name)) throw new PluginLoadError(name, 'is neither a path (./, ../ or absolute) nor an npm package name');
  const folders = createRequire(join(baseDir, 'package.json')).resolve.paths(name) ?? [];
  const found = folders.map((folder) => join(folder, name)).find((dir) => existsSync(join(dir, 'package.json')));
  if (found === undefined) throw new PluginLoadError(name, `package not found from ${baseDir}; is it installed?`);
  return found;
}

function isPathLike(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec);
}
