/**
 * Whether a process with this pid is running (signal 0 probes without touching it).
 *
 * @example
 * if (isProcessAlive(state.pid)) console.log('the cloud is up');
 */
export function isProcessAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
