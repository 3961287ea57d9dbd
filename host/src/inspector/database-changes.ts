import type { LocalStore } from '@equinox-sync/core';
import { merge, Observable } from 'rxjs';

/** How often another connection's commits are looked for: as the engine does for `watch`. */
const POLL_MS = 250;

/**
 * Fires when the device's data may have changed outside a run: a write to a synced
 * table through this store at once, and any commit by another connection (another
 * program, `equinox` in another terminal: settled conflicts, confirmed deletes, local
 * tables too) within {@link POLL_MS}. `PRAGMA data_version` moves only for other
 * connections' commits, so this host's own bookkeeping never fires it.
 *
 * @example
 * databaseChanges(store).subscribe(() => refresh());
 */
export function databaseChanges(store: LocalStore, pollMs: number = POLL_MS): Observable<void> {
  const otherConnections = new Observable<void>((subscriber) => {
    const db = store.database;
    const dataVersion = db.prepare('PRAGMA data_version').pluck();
    const read = (): number => (db.open ? (dataVersion.get() as number) : -1);
    let version = read();
    const timer = setInterval(() => {
      const now = read();
      if (now === version) return;
      version = now;
      subscriber.next();
    }, pollMs);
    // A listener must not keep the process alive by itself.
    timer.unref();
    return () => clearInterval(timer);
  });
  return merge(store.localChanges$, otherConnections);
}
