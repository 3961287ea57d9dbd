import type { EquinoxConfig } from '@equinox-sync/config';
import type { SyncOptions } from '@equinox-sync/core';

/** DI token of {@link HostConfig}. */
export const HostConfig = Symbol('HostConfig');

/**
 * The validated configuration a host runs with, and where relative names resolve.
 *
 * @example
 * const { config, baseDir } = container.get<HostConfig>(HostConfig);
 */
export interface HostConfig {
  readonly config: EquinoxConfig;
  /** The config file's folder, else the working directory: plugin package names and paths resolve from here. */
  readonly baseDir: string;
  /** The config file, when the config came from one. */
  readonly file: string | undefined;
  /** Engine options given in code, over the config's `sync` section (debounce, probe timings...). */
  readonly sync?: Partial<SyncOptions>;
}
