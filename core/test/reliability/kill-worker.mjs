// A syncing device in a process of its own, for the kill -9 test (kill.test.ts). Plain
// JS over the built package, so the parent can start it with `node` and SIGKILL it.
//
// Input: one JSON object in EQUINOX_KILL_WORKER (see WorkerConfig in kill.test.ts).
// Output, one line each on stdout: `ready`, `phase <name> <n>` as it passes the points
// a kill aims at, `done`. With `freeze: { phase, occurrence }` it stops dead at that
// point (after printing it) and waits to be killed: e.g. `pushed` is after the cloud
// answered a push and before the device recorded the answer.
import { createHash } from 'node:crypto';
import { createSyncEngine, definePlugin, LocalStore, SupabaseRemote } from '@equinox-sync/core';
// The kit's PRNG from the built package, by path: the testing entry also loads vitest.
import { prng } from '../../dist/testing/prng.js';

const config = JSON.parse(process.env.EQUINOX_KILL_WORKER ?? '{}');
const random = prng(config.seed);
const seen = new Map();

async function mark(phase) {
  const n = (seen.get(phase) ?? 0) + 1;
  seen.set(phase, n);
  process.stdout.write(`phase ${phase} ${n}\n`);
  if (config.freeze && config.freeze.phase === phase && config.freeze.occurrence === n) {
    setInterval(() => undefined, 1 << 30);
    await new Promise(() => undefined);
  }
}

const plugin = definePlugin(config.declaration);
const store = LocalStore.open({ path: config.dbPath, plugins: [plugin], tenantId: config.tenant, deviceId: config.device });
const real = new SupabaseRemote({ url: config.url, key: config.anonKey, accessToken: config.token }, { timeoutMs: 5_000 });
const remote = {
  health: (timeoutMs) => real.health(timeoutMs),
  rpc: (fn, args) => real.rpc(fn, args),
  async push(table, items) {
    const answer = real.push(table, items);
    await mark('push-inflight');
    const outcomes = await answer;
    await mark('pushed');
    return outcomes;
  },
  async pull(table, cursor, limit) {
    const page = await real.pull(table, cursor, limit);
    await mark('pulled');
    return page;
  },
};
const engine = await createSyncEngine({
  store,
  remote,
  sync: { batchSize: config.batchSize, pullPageSize: config.pullPageSize, retry: { baseMs: 20, maxMs: 100, maxAttempts: 3 } },
});
const scoped = store.forPlugin(plugin.name);
process.stdout.write('ready\n');

// What the last run left behind goes first: this is the restart after a kill.
await check(await engine.syncNow());
for (let loop = 0; loop < config.loops; loop++) {
  await mark('write');
  for (let k = 0; k < config.linksPerLoop; k++) appendLink();
  const counters = scoped.query(config.counters, { device: config.device });
  scoped.insert(config.counters, { device: config.device, name: `c${counters.length}`, value: 0 });
  const target = counters[Math.floor(random() * counters.length)];
  if (target !== undefined) scoped.update(config.counters, String(target.id), { value: Number(target.value) + 1 });
  await check(await engine.syncNow());
}
await engine.dispose();
store.close();
process.stdout.write('done\n');

function appendLink() {
  // One statement, one transaction: a link is either in the file with its hash, or not at all.
  const tail = store.database
    .prepare(`SELECT idx, hash FROM "${config.links}" WHERE device = ? ORDER BY idx DESC LIMIT 1`)
    .get(config.device);
  const idx = tail === undefined ? 0 : tail.idx + 1;
  const prev = tail === undefined ? '' : tail.hash;
  const payload = `${config.device}:${idx}:${Math.floor(random() * 1e9)}`;
  scoped.insert(config.links, { device: config.device, idx, payload, prev_hash: prev, hash: linkHash(prev, config.device, idx, payload) });
}

async function check(result) {
  // Transport failures are expected to be retried by a later run; anything else is a bug worth a trace.
  if (result.error !== null && !/unreachable|timed out|offline|HTTP 5\d\d/.test(result.error)) {
    process.stderr.write(`run failed: ${result.error}\n`);
    process.exit(3);
  }
}

// The parent's checker computes the same hash (kill.test.ts).
function linkHash(prev, device, idx, payload) {
  return createHash('sha256').update(`${prev}|${device}|${idx}|${payload}`).digest('hex');
}
