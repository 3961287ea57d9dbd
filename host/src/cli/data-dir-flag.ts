import { Flags } from '@oclif/core';

/** Where `equinox cloud start` keeps a local cloud unless told otherwise. */
export const DEFAULT_CLOUD_DIR = '.equinox/cloud';

/** `--data DIR`: the local cloud's data directory. */
export const dataDirFlag = Flags.directory({
  summary: 'Data directory of the local cloud.',
  default: DEFAULT_CLOUD_DIR,
});
