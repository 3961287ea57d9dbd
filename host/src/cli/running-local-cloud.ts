import { awaitCloudState, type CloudState } from '@equinox-sync/local-cloud';

/**
 * The local cloud running on `dataDir` for a command that needs it (`init --local`,
 * `cloud sql --apply`), waiting for one still starting there — `equinox cloud start &`
 * run a moment before — and saying so on stderr (stdout stays the command's, `--json`
 * included). `undefined` when none runs or starts there.
 *
 * @example
 * const cloud = await runningLocalCloud('.equinox/cloud');
 * if (!cloud) this.fail('no local cloud is running on .equinox/cloud');
 */
export function runningLocalCloud(dataDir: string): Promise<CloudState | undefined> {
  return awaitCloudState(dataDir, {
    onStarting: (pid) => process.stderr.write(`Waiting for the local cloud starting on ${dataDir} (pid ${pid})…\n`),
  });
}
