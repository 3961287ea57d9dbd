import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LiveTarget } from './live-devices.js';

/** What the bench's process asks a watcher process; each request is answered once, with its `seq`. */
export type WatcherRequest =
  /** Counts the devices' requests from now on. */
  | { readonly op: 'reset'; readonly seq: number }
  /** Starts watching for `rows` rows in each device's table; answered at once, before the write is made. */
  | { readonly op: 'watch'; readonly seq: number; readonly rows: number; readonly timeoutMs: number }
  /** Answers with each device's arrival (the end of the run that brought the row), once all came or the watch timed out. */
  | { readonly op: 'arrivals'; readonly seq: number }
  /** Answers once every device is idle, and `settleMs` after, with the requests counted since `reset`. */
  | { readonly op: 'idle'; readonly seq: number; readonly settleMs: number }
  | { readonly op: 'close'; readonly seq: number };

/** A watcher process's answers. `arrivals` are absolute times (`performance.timeOrigin + performance.now()`), one per device that got there. */
export type WatcherAnswer =
  | { readonly seq: number; readonly ok: true; readonly arrivals?: number[]; readonly byPath?: Record<string, number> }
  | { readonly seq: number; readonly ok: false; readonly error: string };

/** What a watcher process opens: its devices of one tenant, started on the live channel. */
export interface WatcherJob {
  readonly target: LiveTarget;
  readonly tenant: string;
  readonly names: readonly string[];
}

/**
 * A process holding some of the live case's watching devices, as separate tills would
 * be: their engines do not share the bench's event loop (nor each other's, across
 * processes). Started with `child_process.fork`; it says `ready` once every device has
 * joined its channel and made its first run.
 *
 * @example
 * const watchers = await LiveWatchers.start({ target, tenant, names: ['till-2', 'till-3'] });
 * await watchers.ask({ op: 'watch', rows: 5, timeoutMs: 10_000 });
 * write();
 * const { arrivals } = await watchers.ask({ op: 'arrivals' });
 */
export class LiveWatchers {
  private seq = 0;
  private readonly waiting = new Map<number, (answer: WatcherAnswer) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (answer: WatcherAnswer) => {
      this.waiting.get(answer.seq)?.(answer);
      this.waiting.delete(answer.seq);
    });
    child.on('exit', (code) => {
      for (const settle of this.waiting.values()) settle({ seq: -1, ok: false, error: `a live watcher process exited with ${code}` });
      this.waiting.clear();
    });
  }

  static async start(job: WatcherJob): Promise<LiveWatchers> {
    const script = fileURLToPath(new URL('./live-watcher.js', import.meta.url));
    const child = fork(script, [], { env: { ...process.env, EQUINOX_LIVE_WATCHERS: JSON.stringify(job) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const watchers = new LiveWatchers(child);
    await watchers.answer(0);
    return watchers;
  }

  /** Sends a request and waits for its answer; a failure in the process is thrown here. */
  async ask(request: DistributiveOmit<WatcherRequest, 'seq'>): Promise<WatcherAnswer & { ok: true }> {
    const seq = ++this.seq;
    const answered = this.answer(seq);
    this.child.send({ ...request, seq });
    return answered;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.ask({ op: 'close' }).catch(() => this.child.kill('SIGKILL'));
    await exited;
  }

  private answer(seq: number): Promise<WatcherAnswer & { ok: true }> {
    return new Promise((resolve, reject) =>
      this.waiting.set(seq, (answer) => (answer.ok ? resolve(answer) : reject(new Error(`live watcher: ${answer.error}`)))),
    );
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
