import type { SyncRunResult } from '@equinox-sync/core';
import { EquinoxCommand } from '../cli/equinox-command.js';
import { withHost } from '../cli/open-host.js';
import { showSyncProgress } from '../cli/sync-progress.js';

/** What `sync --json` prints. */
export interface SyncSummary {
  uploaded: number;
  downloaded: number;
  conflicts: number;
  rejected: number;
  durationMs: number;
  /** Something the run went on despite, e.g. a token of another installation of the tenant. */
  warning?: string;
}

export default class Sync extends EquinoxCommand<typeof Sync> {
  static override summary = 'Run one sync now: upload the queue, pull what changed.';
  static override description = 'Exits 1 when the run could not reach the cloud or failed midway; nothing queued is lost and the next run goes on from where this one stopped.';
  static override examples = ['<%= config.bin %> sync', '<%= config.bin %> sync --config till.json --json'];

  async run(): Promise<SyncSummary> {
    const { result, warning } = await withHost(this, async (host) => {
      const stop = showSyncProgress(host.status$, !this.jsonEnabled());
      try {
        const done = await host.syncNow();
        // A run that succeeded may still leave a word in the status (a token of another installation).
        return { result: done, warning: done.error === null ? host.status.lastError : null };
      } finally {
        stop();
      }
    });
    if (result.error !== null) this.fail(describeFailure(result));
    if (warning !== null) this.warn(warning);
    this.log(`Uploaded ${result.uploaded}, downloaded ${result.downloaded}, ${result.conflicts} conflict(s), ${result.rejected} rejected, in ${result.durationMs} ms.`);
    return {
      uploaded: result.uploaded,
      downloaded: result.downloaded,
      conflicts: result.conflicts,
      rejected: result.rejected,
      durationMs: result.durationMs,
      ...(warning === null ? {} : { warning }),
    };
  }
}

function describeFailure(result: SyncRunResult): string {
  const done = `uploaded ${result.uploaded}, downloaded ${result.downloaded} before it stopped`;
  return result.offline ? `${result.error}; changes stay queued` : `sync failed: ${result.error} (${done}; the rest stays queued)`;
}
