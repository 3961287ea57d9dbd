import { SingleBar, Presets } from 'cli-progress';
import type { Observable } from 'rxjs';
import type { SyncStatus } from '@equinox-sync/core';

/**
 * A progress bar for a sync run, drawn on stderr only when it is a terminal (never in
 * `--json` mode or in a pipe). Returns a function that removes it.
 *
 * @example
 * const stop = showSyncProgress(host.status$, !this.jsonEnabled());
 * await host.syncNow();
 * stop();
 */
export function showSyncProgress(status$: Observable<SyncStatus>, enabled: boolean): () => void {
  if (!enabled || !process.stderr.isTTY) return () => undefined;
  const bar = new SingleBar({ format: '{phase} {table} |{bar}| {value}/{total}', stream: process.stderr, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
  let started = false;
  const subscription = status$.subscribe(({ progress }) => {
    if (progress === null) return;
    const payload = { phase: progress.phase === 'upload' ? 'uploading' : 'pulling', table: progress.table };
    if (!started) {
      bar.start(Math.max(progress.total, 1), progress.done, payload);
      started = true;
    } else {
      bar.setTotal(Math.max(progress.total, 1));
      bar.update(progress.done, payload);
    }
  });
  return () => {
    subscription.unsubscribe();
    if (started) bar.stop();
  };
}
