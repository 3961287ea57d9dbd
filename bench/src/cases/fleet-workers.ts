import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetAnswer, FleetMessage, FleetRequest, FleetResults, FleetWorkerJob } from './fleet-protocol.js';

type Op = FleetRequest['op'];

/**
 * One worker process of the fleet case, started with `child_process.fork`: requests go
 * over IPC, each answered once.
 *
 * @example
 * const worker = await FleetWorker.start({ url, anonKey, dir, worker: 0 });
 * const outcome = await worker.request({ op: 'noop', seconds: 8, concurrency: 16 });
 */
export class FleetWorker {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (answer: FleetAnswer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (answer.ok) waiter?.resolve(answer.result);
      else waiter?.reject(new Error(`fleet worker: ${answer.error}`));
    });
    child.on('exit', (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`a fleet worker exited with ${code}`));
      this.waiting.clear();
    });
  }

  static start(job: FleetWorkerJob): FleetWorker {
    const script = fileURLToPath(new URL('./fleet-worker.js', import.meta.url));
    const child = fork(script, [], { env: { ...process.env, EQUINOX_FLEET_JOB: JSON.stringify(job) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new FleetWorker(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  request<O extends Op>(message: Extract<FleetRequest, { op: O }>): Promise<FleetResults[O]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...message, id } satisfies FleetMessage);
    });
  }

  /** Asks the worker to close its devices and waits for it to exit; kills it if it does not within 60 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await this.request({ op: 'close' }).catch(() => this.child.kill('SIGKILL'));
    await exited;
    clearTimeout(timer);
  }
}

/**
 * CPU seconds (user + system, with those of reaped children) of process `root` and every
 * live process below it, from /proc (Linux): for the cloud, its gateway process, Postgres
 * with its backends, and PostgREST. Null where /proc cannot be read.
 *
 * @example
 * const before = processTreeCpuSeconds(cloud.pid);
 */
export function processTreeCpuSeconds(root: number): { seconds: number; processes: number; byName: Record<string, number> } | null {
  const ticks = 100; // USER_HZ: 100 on every Linux Node runs on
  const stats = new Map<number, { ppid: number; cpu: number; name: string }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const ppid = Number(fields[1]);
      const cpu = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      stats.set(Number(entry), { ppid, cpu, name });
    } catch {
      // The process ended while /proc was read.
    }
  }
  if (!stats.has(root)) return null;
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  const byName: Record<string, number> = {};
  for (const pid of inTree) {
    const stat = stats.get(pid);
    if (stat === undefined) continue;
    total += stat.cpu;
    // The cloud process itself is the gateway (Node); Postgres backends are all "postgres".
    const name = pid === root ? 'gateway' : stat.name;
    byName[name] = (byName[name] ?? 0) + stat.cpu / ticks;
  }
  return { seconds: total / ticks, processes: inTree.size, byName };
}

/** Percentile `p` (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
