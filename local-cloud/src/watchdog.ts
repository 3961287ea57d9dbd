import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The parent's side of the watchdog (see `watchdog-process.ts`): a detached Node process
 * that stops the given processes and removes the given paths if this process dies
 * without cleaning up. It never keeps this process alive.
 *
 * @example
 * const watchdog = Watchdog.start();
 * watchdog.watch(postgresPid, 'SIGQUIT');
 * watchdog.removeOnCrash(tempDir);
 * // ... on a clean stop:
 * watchdog.release();
 */
export class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  static start(): Watchdog {
    // From src/ (tests) and from dist/ alike this names the compiled script in dist/.
    const script = fileURLToPath(new URL('../dist/watchdog-process.js', import.meta.url));
    const child = spawn(process.execPath, [script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => undefined);
    return new Watchdog(child);
  }

  /** The watchdog's pid, for tests that check it ends. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  watch(pid: number, signal: NodeJS.Signals): void {
    this.send({ watch: pid, signal });
  }

  unwatch(pid: number): void {
    this.send({ unwatch: pid });
  }

  removeOnCrash(path: string): void {
    this.send({ remove: path });
  }

  /** Ends the watchdog without it touching anything: the owner has cleaned up. */
  release(): void {
    this.send({ release: true });
    this.child.stdin?.end();
  }

  private send(message: object): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
}
