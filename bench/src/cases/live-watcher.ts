import { performance } from 'node:perf_hooks';
import { LIVE_TABLE, openLiveDeviceAt, requestTotals, settled, sleep, waitFor, type LiveDevice } from './live-devices.js';
import type { WatcherAnswer, WatcherJob, WatcherRequest } from './live-watchers.js';

// A child process of the live case (see LiveWatchers): opens its share of the watching
// devices, then answers the bench's requests over IPC.

const job = JSON.parse(process.env.EQUINOX_LIVE_WATCHERS ?? 'null') as WatcherJob | null;
if (job === null || process.send === undefined) throw new Error('live-watcher.js is started by the live bench case, with an IPC channel');
const send = (answer: WatcherAnswer): void => void process.send!(answer);

const devices: LiveDevice[] = [];
for (const name of job.names) devices.push(await openLiveDeviceAt(job.target, job.tenant, name, 'live'));
await waitFor(() => devices.every((device) => settled(device, true)), 60_000, `${devices.length} watching devices to join their channel`);
const counting = devices.map((device) => device.store.database.prepare(`SELECT count(*) FROM ${LIVE_TABLE}`).pluck());
send({ seq: 0, ok: true });

let watching: Promise<number[]> | undefined;

/** Each device's arrival: the end of the run after which its table holds `rows` rows. */
async function watch(rows: number, timeoutMs: number): Promise<number[]> {
  const arrivals: number[] = [];
  const pending = new Set(devices.keys());
  const subscriptions = devices.map((device, index) =>
    device.engine.onDidRun.subscribe(() => {
      if (!pending.has(index) || (counting[index]!.get() as number) < rows) return;
      arrivals.push(performance.timeOrigin + performance.now());
      pending.delete(index);
    }),
  );
  try {
    await waitFor(() => pending.size === 0, timeoutMs, 'the row on every device').catch(() => undefined);
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
  }
  return arrivals;
}

process.on('message', (request: WatcherRequest) => {
  void (async () => {
    try {
      switch (request.op) {
        case 'reset':
          for (const device of devices) device.requests.reset();
          send({ seq: request.seq, ok: true });
          return;
        case 'watch':
          // Subscribed synchronously, before the answer: no run can end unseen after it.
          watching = watch(request.rows, request.timeoutMs);
          send({ seq: request.seq, ok: true });
          return;
        case 'arrivals':
          send({ seq: request.seq, ok: true, arrivals: (await watching) ?? [] });
          watching = undefined;
          return;
        case 'idle':
          await waitFor(() => devices.every((device) => settled(device, false)), 60_000, 'every watching device to be idle');
          await sleep(request.settleMs);
          send({ seq: request.seq, ok: true, byPath: requestTotals(devices).byPath });
          return;
        case 'close':
          await Promise.all(devices.map((device) => device.close()));
          send({ seq: request.seq, ok: true });
          process.disconnect();
          return;
      }
    } catch (error) {
      send({ seq: request.seq, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  })();
});
