import { Flags } from '@oclif/core';

/** Where `equinox cloud start` keeps a local cloud unless told otherwise. */
export const DEFAULT_CLOUD_DIR = '.equinox/cloud';

/**
 * The port `equinox cloud start` tries first on a new data dir, as the Supabase CLI's API does.
 *
 * @example
 * await startLocalCloud({ dataDir, preferredPort: SUPABASE_CLI_PORT });
 */
export const SUPABASE_CLI_PORT = 54321;

/** `--data DIR`: the local cloud's data directory. */
export const dataDirFlag = Flags.directory({
  summary: 'Data directory of the local cloud.',
  default: DEFAULT_CLOUD_DIR,
});
