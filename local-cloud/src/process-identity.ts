import { readFileSync } from 'node:fs';
import { isProcessAlive } from './process-alive.js';

/**
 * When a process started, in clock ticks since boot (Linux `/proc/<pid>/stat`, field
 * 22), or `undefined` where there is no /proc. With the pid it names one process, even
 * after a reboot or in a container where pids are soon reused.
 *
 * @example
 * const mine = processStart(process.pid);
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after its last ')' are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the process `pid` that started at `start` still runs: alive, and (where the
 * system says) the same process, not a later one that got the same pid.
 *
 * @example
 * if (isSameProcessAlive(lock.pid, lock.start)) refuse();
 */
export function isSameProcessAlive(pid: number, start: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === start;
}
