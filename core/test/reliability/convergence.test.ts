import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql } from '@equinox-sync/local-cloud';
import { definePlugin, RemoteUnavailableError, type PluginDefinition, type RemoteStore, type ConflictStrategy } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { awaitInSync, cloudRows, localRows, type TestDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { byId, CHAOS, divergence, openQuickRetryDevice, report, runSeed, scale, wrapRemote } from './reliability-kit.js';

const cloud = inject('cloud');
const sfx = uniqueSuffix();
const STRATEGIES = ['LastWriteWins', 'LocalWins', 'RemoteWins'] as const satisfies readonly ConflictStrategy[];
/** One plugin per strategy, one table each: a schedule opens its devices with one of them. */
const plugins = new Map<ConflictStrategy, PluginDefinition>(
  STRATEGIES.map((strategy) => [
    strategy,
    definePlugin({
      name: `conv-${strategy.toLowerCase()}`,
      version: '1.0.0',
      tables: [{ name: `conv_${strategy.toLowerCase()}_${sfx}`, columns: { label: { type: 'text' }, n: { type: 'integer' } }, strategy }],
    }),
  ]),
);
const COLUMNS = ['label', 'n', 'deleted', 'updated_at'];
const DEVICES = 3;
const SCHEDULES = scale(100, 1_000);

/** A fault armed for a device's next run. */
type Fault = 'lose-push-answer' | 'fail-push' | 'fail-first-pull' | 'fail-second-pull';

type Op =
  | { readonly kind: 'insert'; readonly device: number; readonly label: string }
  | { readonly kind: 'update'; readonly device: number; readonly pick: number; readonly label: string }
  | { readonly kind: 'delete'; readonly device: number; readonly pick: number }
  | { readonly kind: 'sync'; readonly device: number }
  | { readonly kind: 'fault'; readonly device: number; readonly fault: Fault };

interface Schedule {
  readonly strategy: ConflictStrategy;
  /** Each device's wall clock offset: HLCs must order edits whatever the clocks say. */
  readonly skewsMs: readonly number[];
  /** Rows every device starts with (made by device 0 and synced to all), so edits collide. */
  readonly shared: number;
  readonly ops: readonly Op[];
}

const device = fc.integer({ min: 0, max: DEVICES - 1 });
const label = fc.constantFrom('a', 'b', 'c', 'd');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), device, label }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), device, pick: fc.nat(3), label }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), device, pick: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), device }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      device,
      fault: fc.constantFrom<Fault>('lose-push-answer', 'fail-push', 'fail-first-pull', 'fail-second-pull'),
    }),
  },
);
const schedule: fc.Arbitrary<Schedule> = fc.record({
  strategy: fc.constantFrom(...STRATEGIES),
  skewsMs: fc.array(fc.integer({ min: -120_000, max: 120_000 }), { minLength: DEVICES, maxLength: DEVICES }),
  shared: fc.integer({ min: 0, max: 3 }),
  ops: fc.array(op, { minLength: 2, maxLength: 14 }),
});

const totals = { schedules: 0, ops: 0, syncs: 0, faults: 0, conflicts: 0, rows: 0, divergent: 0, settleRounds: 0 };

/** The device's remote with a one-shot fault that the schedule can arm. */
function faultable(real: RemoteStore, armed: { fault: Fault | null }): RemoteStore {
  const injected = (operation: 'push' | 'pull'): RemoteUnavailableError =>
    new RemoteUnavailableError({ operation, status: 0, message: `${operation} failed: injected ${armed.fault}` });
  let pulls = 0;
  return wrapRemote(real, {
    push: async (table, items) => {
      const fault = armed.fault;
      if (fault === 'fail-push') throw ((armed.fault = null), injected('push'));
      const outcomes = await real.push(table, items);
      // The cloud committed; the answer is lost on the way back.
      if (fault === 'lose-push-answer') throw ((armed.fault = null), injected('push'));
      return outcomes;
    },
    pull: async (table, cursor, limit) => {
      pulls += 1;
      const fault = armed.fault;
      if (fault === 'fail-first-pull' || (fault === 'fail-second-pull' && pulls % 2 === 0)) throw ((armed.fault = null), injected('pull'));
      return real.pull(table, cursor, limit);
    },
  });
}

async function runSchedule(s: Schedule): Promise<void> {
  const plugin = plugins.get(s.strategy) as PluginDefinition;
  const table = plugin.tables[0]?.name as string;
  const tenant = uniqueTenant('conv');
  const arms = Array.from({ length: DEVICES }, () => ({ fault: null as Fault | null }));
  const devices: TestDevice[] = [];
  try {
    for (let i = 0; i < DEVICES; i++) {
      const skew = s.skewsMs[i] ?? 0;
      devices.push(
        await openQuickRetryDevice({
          cloud,
          name: `dev${i}`,
          tenant,
          plugins: [plugin],
          now: () => Date.now() + skew,
          sync: { pullPageSize: 3, batchSize: 4 },
          remote: (real) => faultable(real, arms[i] as { fault: Fault | null }),
        }),
      );
    }
    const at = (i: number): TestDevice => devices[i] as TestDevice;
    if (s.shared > 0) {
      const scoped = at(0).store.forPlugin(plugin.name);
      for (let i = 0; i < s.shared; i++) scoped.insert(table, { label: 'shared', n: 0 });
      for (const d of devices) await d.engine.syncNow();
    }
    const live = (i: number): string[] => localRows(at(i), table).filter((row) => row.deleted !== true).map((row) => String(row.id));
    for (const step of s.ops) {
      const scoped = at(step.device).store.forPlugin(plugin.name);
      switch (step.kind) {
        case 'insert':
          scoped.insert(table, { label: step.label, n: 0 });
          break;
        case 'update': {
          const ids = live(step.device);
          const id = ids[step.pick % Math.max(1, ids.length)];
          if (id !== undefined) scoped.update(table, id, { label: step.label, n: Number(scoped.get(table, id)?.n ?? 0) + 1 });
          break;
        }
        case 'delete': {
          const ids = live(step.device);
          const id = ids[step.pick % Math.max(1, ids.length)];
          if (id !== undefined) {
            scoped.delete(table, id);
            at(step.device).store.confirmDeletes([id]);
          }
          break;
        }
        case 'sync': {
          totals.syncs += 1;
          totals.conflicts += (await at(step.device).engine.syncNow()).conflicts;
          break;
        }
        case 'fault':
          totals.faults += 1;
          (arms[step.device] as { fault: Fault | null }).fault = step.fault;
      }
    }

    // The network heals; every device syncs in turn until all of them hold the same rows, which must be the cloud's.
    for (const arm of arms) arm.fault = null;
    const settled = await awaitInSync(devices, { tables: [table], columns: COLUMNS, timeoutMs: 15_000 });
    totals.settleRounds += settled.rounds;
    totals.conflicts += settled.conflicts;
    const inCloud = byId(await cloudRows(table, tenant, cloud), COLUMNS);
    totals.rows = Math.max(totals.rows, inCloud.size);
    const gap = divergence(inCloud, byId(localRows(at(0), table), COLUMNS));
    const divergent = gap.missing + gap.extra + gap.different;
    totals.divergent += divergent;
    if (divergent > 0) throw new Error(`${divergent} row(s) of the devices differ from the cloud after settling (${s.strategy}): ${JSON.stringify(gap)}`);
  } finally {
    for (const d of devices) await d.close();
  }
}

describe('convergence under random operations, sync orders and faults', () => {
  beforeAll(async () => {
    await applySql(cloud, compileServerSchema([...plugins.values()]));
  });

  it(`${SCHEDULES} random schedules of three devices end with every device equal to the cloud`, { timeout: scale(120_000, 3_600_000) }, async () => {
    const seed = runSeed();
    // Independent lanes interleave their network waits; each lane is one fast-check run with its
    // own seed. A given EQUINOX_SEED replays one lane with every schedule (add EQUINOX_PATH for just one).
    const replay = process.env.EQUINOX_SEED !== undefined && process.env.EQUINOX_SEED !== '';
    const lanes = replay ? 1 : scale(2, 4);
    const seeds = Array.from({ length: lanes }, (_, lane) => seed + lane);
    // Printed before the run, so even a crash leaves the seeds to replay.
    console.log(`[reliability] convergence: seeds=${seeds.join(',')} (replay one with EQUINOX_SEED=<seed>)`);
    const started = Date.now();
    const runs = await Promise.all(
      seeds.map((laneSeed) =>
        fc.check(
          fc.asyncProperty(schedule, async (s) => {
            totals.schedules += 1;
            totals.ops += s.ops.length;
            await runSchedule(s);
          }),
          {
            numRuns: Math.ceil(SCHEDULES / lanes),
            seed: laneSeed,
            // EQUINOX_SEED + EQUINOX_PATH (both printed on failure) replay exactly the failing schedule.
            ...(process.env.EQUINOX_PATH ? { path: process.env.EQUINOX_PATH } : {}),
            // Shrinking replays schedules against the real cloud: the long run may afford it, the fast one stops at the first failure.
            endOnFailure: !CHAOS && process.env.EQUINOX_SHRINK !== '1',
          },
        ),
      ),
    );
    report('convergence', {
      seeds: seeds.join('+'),
      schedules: totals.schedules,
      ops: totals.ops,
      syncs: totals.syncs,
      faults: totals.faults,
      conflicts: totals.conflicts,
      maxRows: totals.rows,
      divergentRows: totals.divergent,
      ms: Date.now() - started,
    });
    const failures = runs.flatMap((details, lane) => {
      if (!details.failed) return [];
      // fast-check's report names the seed, the path and the counterexample.
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      return [`${fc.defaultReportMessage(details) ?? 'property failed'}\nError: ${cause}\nReplay: EQUINOX_SEED=${seeds[lane]} EQUINOX_PATH=${details.counterexamplePath ?? ''}`];
    });
    if (failures.length > 0) {
      console.log(`[reliability] convergence FAILED:\n${failures.join('\n')}`);
      expect.fail(failures.join('\n'));
    }
    expect(totals.schedules).toBeGreaterThanOrEqual(SCHEDULES);
  });
});
