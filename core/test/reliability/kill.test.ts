import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql } from '@equinox-sync/local-cloud';
import { definePlugin, type PluginDeclaration, type Row } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { cloudRows, deviceToken, eventually, localRows, prng, type TestDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { byId, divergence, openQuickRetryDevice, report, runSeed, scale, workDir } from './reliability-kit.js';

const cloud = inject('cloud');
const worker = fileURLToPath(new URL('./kill-worker.mjs', import.meta.url));
const sfx = uniqueSuffix();
const links = `kill_links_${sfx}`;
const counters = `kill_counters_${sfx}`;
// A generic hash chain per device (append-only, uploaded in order per device) and a
// last-write-wins table the device keeps editing. The fiscal plugin's own chains join
// this test once its store-bound issueInvoice exists.
const declaration: PluginDeclaration = {
  name: 'kill-test',
  version: '1.0.0',
  tables: [
    {
      name: links,
      columns: {
        device: { type: 'text', nullable: false },
        idx: { type: 'integer', nullable: false },
        payload: { type: 'text', nullable: false },
        prev_hash: { type: 'text', nullable: false },
        hash: { type: 'text', nullable: false },
      },
      strategy: 'LocalWins',
      appendOnly: true,
      orderingKey: ['device'],
    },
    {
      name: counters,
      columns: { device: { type: 'text', nullable: false }, name: { type: 'text', nullable: false }, value: { type: 'integer', nullable: false } },
      strategy: 'LastWriteWins',
    },
  ],
};
const plugin = definePlugin(declaration);
const KILLS = scale(30, 300);

/** Where the parent kills the worker. */
type KillPlan =
  | { readonly kind: 'random'; readonly delayMs: number }
  | { readonly kind: 'freeze'; readonly phase: 'pushed' | 'pulled'; readonly occurrence: number }
  | { readonly kind: 'after'; readonly phase: 'push-inflight' | 'write'; readonly occurrence: number; readonly delayMs: number };

interface WorkerRun {
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

function choosePlan(random: () => number): KillPlan {
  const pick = random();
  const occurrence = 1 + Math.floor(random() * 3);
  if (pick < 0.3) return { kind: 'random', delayMs: Math.floor(random() * 500) };
  if (pick < 0.55) return { kind: 'freeze', phase: 'pushed', occurrence };
  if (pick < 0.75) return { kind: 'freeze', phase: 'pulled', occurrence: occurrence + 1 };
  if (pick < 0.9) return { kind: 'after', phase: 'push-inflight', occurrence, delayMs: Math.floor(random() * 15) };
  return { kind: 'after', phase: 'write', occurrence, delayMs: Math.floor(random() * 3) };
}

function planName(plan: KillPlan): string {
  return plan.kind === 'random' ? 'random' : plan.phase;
}

/** Runs one worker and kills it with SIGKILL where the plan says. */
function runWorker(config: object, plan: KillPlan): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], {
      env: { ...process.env, EQUINOX_KILL_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killed = false;
    let out = '';
    let stderr = '';
    const kill = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const safety = setTimeout(() => {
      kill();
      reject(new Error(`worker hung: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let newline: number;
      while ((newline = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        if (line === 'ready' && plan.kind === 'random') setTimeout(kill, plan.delayMs);
        const [word, phase, n] = line.split(' ');
        if (word !== 'phase' || plan.kind === 'random' || phase !== plan.phase || Number(n) !== plan.occurrence) continue;
        if (plan.kind === 'freeze') kill();
        else setTimeout(kill, plan.delayMs);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(safety);
      resolve({ killed, code, stderr });
    });
  });
}

function linkHash(prev: string, device: string, idx: number, payload: string): string {
  return createHash('sha256').update(`${prev}|${device}|${idx}|${payload}`).digest('hex');
}

/** Broken links of one device's chain: a gap, a repeated index, a wrong prev_hash or hash. */
function brokenLinks(rows: readonly Row[], device: string): number {
  const chain = rows.filter((row) => row.device === device).sort((a, b) => Number(a.idx) - Number(b.idx));
  let broken = 0;
  chain.forEach((row, i) => {
    const prev = i === 0 ? '' : String(chain[i - 1]?.hash);
    const ok = Number(row.idx) === i && row.prev_hash === prev && row.hash === linkHash(prev, device, i, String(row.payload));
    if (!ok) broken += 1;
  });
  return broken;
}

function duplicates(rows: readonly Row[], key: (row: Row) => string): number {
  const seen = new Set<string>();
  let repeated = 0;
  for (const row of rows) {
    const k = key(row);
    if (seen.has(k)) repeated += 1;
    seen.add(k);
  }
  return repeated;
}

const LINK_COLUMNS = ['device', 'idx', 'payload', 'prev_hash', 'hash', 'deleted'];
const COUNTER_COLUMNS = ['device', 'name', 'value', 'updated_at', 'deleted'];

describe('kill -9 of a syncing device', () => {
  beforeAll(async () => {
    await applySql(cloud, compileServerSchema([plugin]));
  });

  it(`loses and duplicates nothing over ${KILLS} kills at random points; chains verify and the queue drains on restart`, { timeout: scale(120_000, 3_600_000) }, async () => {
    const seed = runSeed();
    const random = prng(seed);
    const tenant = uniqueTenant('kill');
    const names = ['till-a', 'till-b'];
    const tokens = new Map(await Promise.all(names.map(async (device) => [device, await deviceToken(tenant, device, cloud)] as const)));
    const base = (device: string): object => ({
      dbPath: join(workDir, `kill-${sfx}-${device}.db`),
      tenant,
      device,
      url: cloud.url,
      anonKey: cloud.anonKey,
      token: tokens.get(device),
      declaration,
      links,
      counters,
      loops: 4,
      linksPerLoop: 3,
      batchSize: 4,
      pullPageSize: 3,
    });
    const kills: Record<string, number> = {};
    let completed = 0;
    // The two devices run and die side by side, so pulls meet the other's fresh rows.
    await Promise.all(
      names.map(async (device) => {
        let mine = 0;
        for (let i = 0; mine < KILLS / names.length && i < KILLS * 3; i++) {
          const plan = choosePlan(random);
          const freeze = plan.kind === 'freeze' ? { phase: plan.phase, occurrence: plan.occurrence } : null;
          const run = await runWorker({ ...base(device), seed: Math.floor(random() * 2 ** 31), freeze }, plan);
          if (!run.killed && run.code !== 0) throw new Error(`worker ${device} failed (exit ${run.code}, seed ${seed}): ${run.stderr}`);
          if (run.killed) {
            mine += 1;
            kills[planName(plan)] = (kills[planName(plan)] ?? 0) + 1;
          } else completed += 1;
        }
      }),
    );

    // Restart each device in this process: its first run must drain what the kills left.
    const devices: TestDevice[] = [];
    const drainRuns: number[] = [];
    for (const device of names) {
      const opened = await openQuickRetryDevice({ cloud, name: device, tenant, plugins: [plugin], path: (base(device) as { dbPath: string }).dbPath });
      devices.push(opened);
      let runs = 0;
      while (opened.store.pendingUploads() > 0 && runs < 5) {
        const result = await opened.engine.syncNow();
        expect(result.error, `seed ${seed}`).toBeNull();
        runs += 1;
      }
      drainRuns.push(runs);
      expect(opened.store.pendingUploads(), `seed ${seed}`).toBe(0);
      expect(opened.engine.status.failed, `seed ${seed}`).toEqual([]);
    }
    try {
      // Each device holds the truth of what it wrote; the cloud and the other device must hold the same.
      const compare = async (): Promise<{ lost: number; differing: number; extra: number }> => {
        await Promise.all(devices.map((device) => device.engine.syncNow()));
        const cloudLinks = byId(await cloudRows(links, tenant, cloud), LINK_COLUMNS);
        const cloudCounters = byId(await cloudRows(counters, tenant, cloud), COUNTER_COLUMNS);
        let lost = 0;
        let differing = 0;
        let extra = 0;
        for (const device of devices) {
          const ownLinks = byId(localRows(device, links).filter((row) => row.device === device.name), LINK_COLUMNS);
          const ownCounters = byId(localRows(device, counters).filter((row) => row.device === device.name), COUNTER_COLUMNS);
          for (const [own, cloudSide] of [
            [ownLinks, cloudLinks],
            [ownCounters, cloudCounters],
          ] as const) {
            const gap = divergence(own, cloudSide);
            lost += gap.missing;
            differing += gap.different;
          }
          // Pulled side: every cloud row is on every device, as the cloud has it.
          for (const [table, columns, cloudSide] of [
            [links, LINK_COLUMNS, cloudLinks],
            [counters, COUNTER_COLUMNS, cloudCounters],
          ] as const) {
            const gap = divergence(cloudSide, byId(localRows(device, table), columns));
            lost += gap.missing;
            differing += gap.different;
            extra += gap.extra;
          }
        }
        return { lost, differing, extra };
      };
      let gaps = await compare();
      // Rows committed behind a transaction still open elsewhere in the shared cloud arrive a moment late.
      await eventually(async () => {
        gaps = await compare();
        return gaps.lost + gaps.differing + gaps.extra === 0;
      }, 10_000, 100);

      const cloudLinkRows = await cloudRows(links, tenant, cloud);
      const cloudCounterRows = await cloudRows(counters, tenant, cloud);
      const duplicated =
        duplicates(cloudLinkRows, (row) => `${String(row.device)}#${String(row.idx)}`) +
        duplicates(cloudCounterRows, (row) => `${String(row.device)}#${String(row.name)}`);
      let broken = 0;
      for (const device of names) {
        broken += brokenLinks(cloudLinkRows, device);
        for (const holder of devices) broken += brokenLinks(localRows(holder, links), device);
      }
      const totalKills = Object.values(kills).reduce((a, b) => a + b, 0);
      report('kill -9', {
        seed,
        kills: totalKills,
        ...Object.fromEntries(Object.entries(kills).map(([point, n]) => [`at_${point}`, n])),
        completedRuns: completed,
        links: cloudLinkRows.length,
        counters: cloudCounterRows.length,
        lost: gaps.lost,
        differing: gaps.differing,
        extra: gaps.extra,
        duplicated,
        brokenLinks: broken,
        drainRuns: drainRuns.join('+'),
      });
      expect(totalKills).toBeGreaterThanOrEqual(KILLS);
      expect({ ...gaps, duplicated, broken }, `seed ${seed}`).toEqual({ lost: 0, differing: 0, extra: 0, duplicated: 0, broken: 0 });
      expect(Math.max(...drainRuns), `seed ${seed}`).toBeLessThanOrEqual(1);
      expect(cloudLinkRows.length).toBeGreaterThan(0);
    } finally {
      for (const device of devices) await device.close();
    }
  });
});
