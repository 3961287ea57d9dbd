import type { Database, Statement } from 'better-sqlite3';
import { Observable, Subject, share } from 'rxjs';
import type { CaptureLog } from './capture-log.js';

/** How often another connection's commits are looked for, by default (DESIGN.md §4: noticed within 250 ms). */
export const DEFAULT_CHANGE_POLL_MS = 250;

/**
 * Tells the engine that a user-visible change to a synced table was committed, by any
 * connection to the file, so that a run can start at once (DESIGN.md §4, Triggers).
 *
 * What counts is the capture log's high-water mark ({@link CaptureLog.highWater}), the
 * newest step's seq, which moves only when a capture trigger logs a change. It never
 * moves back, so a fold or an upload that empties the log or the queue is not a change
 * (`max(seq)` would drop and look like one), and neither is a pull (triggers muted), a
 * row marked Synced, an entry queued for recovery or a cursor: the engine's own
 * bookkeeping cannot start a run.
 *
 * Two ways a change is noticed:
 * - the store's own writes call {@link ChangeSignal.wrote}; the mark is checked once the
 *   current task's synchronous work is done, so the writer's transaction has committed
 *   (or rolled back) and a burst of writes in one tick makes one signal;
 * - other connections' commits (a host app's plain SQL, another process) move
 *   `PRAGMA data_version`, which SQLite changes only for other connections' commits. It is
 *   read every `pollMs` while someone listens (a read of a counter in the pager, no I/O),
 *   and only when it moved is the mark read.
 *
 * Known edges: a write with plain SQL on the store's own connection outside its
 * `transaction()` is seen by neither (call `SyncEngine.notifyLocalChange()`).
 *
 * @example
 * const signal = new ChangeSignal(db, new CaptureLog(db));
 * const subscription = signal.changes$.subscribe(() => engine.notifyLocalChange());
 * db.transaction(() => insert.run(row)).immediate();
 * signal.wrote(); // checked after this task: one signal
 * subscription.unsubscribe();
 */
export class ChangeSignal {
  /** One emission per noticed change of the capture log's high-water mark. Polls other connections while subscribed. */
  readonly changes$: Observable<void>;
  private readonly noticed = new Subject<void>();
  private readonly dataVersion: Statement<[], number>;
  private mark: number;
  private checkQueued = false;
  /** A check found the connection inside a transaction: the next poll checks again. */
  private deferred = false;

  constructor(
    private readonly db: Database,
    private readonly capture: CaptureLog,
    pollMs: number = DEFAULT_CHANGE_POLL_MS,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.mark = this.readMark();
    this.changes$ = new Observable<void>((subscriber) => {
      const forwarded = this.noticed.subscribe(subscriber);
      let version = this.readDataVersion();
      const timer = setInterval(() => {
        const now = this.readDataVersion();
        if (now === version && !this.deferred) return;
        version = now;
        this.check();
      }, pollMs);
      // A listener must not keep the process alive by itself.
      timer.unref();
      return () => {
        clearInterval(timer);
        forwarded.unsubscribe();
      };
    }).pipe(share());
  }

  /** The store wrote (or may have): the mark is compared once the current synchronous work is done. */
  wrote(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    queueMicrotask(() => {
      this.checkQueued = false;
      this.check();
    });
  }

  /** Compares the mark with the last one seen and signals when it moved; returns whether it did. */
  check(): boolean {
    if (!this.db.open) return false;
    // Inside a transaction the mark may still roll back; look again once it is over.
    if (this.db.inTransaction) {
      this.deferred = true;
      return false;
    }
    this.deferred = false;
    const mark = this.readMark();
    if (mark === this.mark) return false;
    this.mark = mark;
    this.noticed.next();
    return true;
  }

  private readMark(): number {
    return this.capture.highWater();
  }

  private readDataVersion(): number {
    return this.db.open ? (this.dataVersion.get() ?? -1) : -1;
  }
}
