import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { definePlugin } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { cloudRows, eventually, localRows, sleep, type TestDevice, uniqueTenant } from '../../src/testing/index.js';
import { byId, divergence, openQuickRetryDevice, report, wrapRemote } from './reliability-kit.js';
import { isProcessAlive } from '@equinox-sync/local-cloud/testing';

// This file restarts the cloud's processes, so it runs its own cloud, not the shared one.
let own: LocalCloud;
const items = 'restart_items';
const plugin = definePlugin({
  name: 'restart',
  version: '1.0.0',
  tables: [{ name: items, columns: { label: { type: 'text', nullable: false } }, strategy: 'LastWriteWins' }],
  // A row labelled 'slow' keeps its upload busy in Postgres, so the restart lands while the request is in flight.
  serverSql: `create or replace function public.${items}_slow() returns trigger language plpgsql as $$
begin
  if new.label = 'slow' then perform pg_sleep(0.3); end if;
  return new;
end $$;
create or replace trigger ${items}_slow before insert on public.${items} for each row execute function public.${items}_slow();`,
});
const COLUMNS = ['label', 'updated_at', 'deleted'];

beforeAll(async () => {
  own = await startLocalCloud();
  await own.applySql(compileServerSchema([plugin]));
}, 120_000);

afterAll(async () => {
  await own?.stop();
});

/** Automatic triggers only: after `start()` nobody calls `syncNow()` again. */
function autoSync(): Parameters<typeof openQuickRetryDevice>[0]['sync'] {
  return { debounceMs: 50, offlineProbeMs: 200, intervalSeconds: 1, healthTimeoutMs: 500 };
}

const RESTARTS = [
  { name: 'PostgREST restarted', restart: () => own.restartPostgrest() },
  { name: 'Postgres restarted (fast shutdown)', restart: () => own.restartPostgres() },
  { name: 'Postgres restarted after an immediate (crash) shutdown', restart: () => own.restartPostgres({ immediate: true }) },
] as const;

describe('the cloud restarting under a running engine', () => {
  for (const { name, restart } of RESTARTS) {
    it(`${name}: the engines recover by themselves; nothing is lost`, async () => {
      const tenant = uniqueTenant('restart');
      const devices: TestDevice[] = [];
      try {
        let restarting: Promise<void> | undefined;
        const till = await openQuickRetryDevice({
          cloud: own,
          name: 'till',
          tenant,
          plugins: [plugin],
          timeoutMs: 1_000,
          sync: autoSync(),
          remote: (real) =>
            wrapRemote(real, {
              push: async (table, rows) => {
                const answer = real.push(table, rows);
                if (restarting === undefined && rows.some((item) => item.row.label === 'slow')) {
                  await sleep(50);
                  restarting = restart();
                }
                return answer;
              },
            }),
        });
        const office = await openQuickRetryDevice({ cloud: own, name: 'office', tenant, plugins: [plugin], timeoutMs: 1_000, sync: autoSync() });
        devices.push(till, office);
        till.engine.start();
        office.engine.start();
        const scoped = till.store.forPlugin('restart');
        const errors = new Set<string>();
        let failedRuns = 0;
        till.engine.onDidRun.subscribe(({ result }) => {
          if (result.error === null) return;
          failedRuns += 1;
          errors.add(result.error);
        });

        // Writes keep coming before, during and after the restart.
        let written = 0;
        let writing = true;
        const writer = (async () => {
          while (writing) {
            scoped.insert(items, { label: `row ${written++}` });
            await sleep(25);
          }
        })();
        await sleep(300);
        const pids = own.processIds();
        scoped.insert(items, { label: 'slow' });
        const restartStarted = Date.now();
        expect(await eventually(() => restarting !== undefined, 10_000)).toBe(true);
        await restarting;
        const restartMs = Date.now() - restartStarted;
        await sleep(500);
        writing = false;
        await writer;
        const healedAt = Date.now();

        const truth = byId(localRows(till, items), COLUMNS);
        let gap = { cloudMissing: written, officeMissing: written };
        const converged = await eventually(async () => {
          if (till.store.pendingUploads() > 0) return false;
          const inCloud = divergence(truth, byId(await cloudRows(items, tenant, own), COLUMNS));
          const atOffice = divergence(truth, byId(localRows(office, items), COLUMNS));
          gap = { cloudMissing: inCloud.missing + inCloud.different, officeMissing: atOffice.missing + atOffice.different };
          return gap.cloudMissing + gap.officeMissing === 0;
          // PostgREST reconnects to a restarted Postgres with exponential backoff capped at
          // 32 s (as on Supabase): on a loaded machine a crash recovery can take one full step.
        }, 75_000, 100);
        const recoveryMs = Date.now() - healedAt;
        const after = own.processIds();
        report(name, {
          rows: written,
          restartMs,
          recoveryMs,
          lostInCloud: gap.cloudMissing,
          missingAtOtherDevice: gap.officeMissing,
          failedRuns,
          newPid: name.startsWith('PostgREST') ? after.postgrest !== pids.postgrest : after.postgres !== pids.postgres,
        });
        expect(converged, `errors seen: ${[...errors].join(' | ')}`).toBe(true);
        expect(gap).toEqual({ cloudMissing: 0, officeMissing: 0 });
        expect(till.engine.status.failed).toEqual([]);
        expect(errors.size, 'a run failed during the restart').toBeGreaterThan(0);
        // The restart really happened: new processes, and the engine noticed the outage.
        if (name.startsWith('PostgREST')) expect(after.postgrest).not.toBe(pids.postgrest);
        else expect(after.postgres).not.toBe(pids.postgres);
      } finally {
        for (const device of devices) await device.close();
      }
    }, 150_000);
  }

  it('stop() after the restarts leaves none of the restarted processes running', async () => {
    const pids = own.processIds();
    await own.stop();
    expect(await eventually(() => !isProcessAlive(pids.postgres) && !isProcessAlive(pids.postgrest), 10_000)).toBe(true);
  });

  it('a parent killed with SIGKILL after restarts leaves none of the new processes running (the watchdog follows new pids)', async () => {
    const script = `
      const { startLocalCloud } = await import('@equinox-sync/local-cloud');
      const cloud = await startLocalCloud();
      await cloud.restartPostgrest();
      await cloud.restartPostgres({ immediate: true });
      console.log(JSON.stringify(cloud.processIds()));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<{ postgres: number; postgrest: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] as string));
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    expect(isProcessAlive(pids.postgres) && isProcessAlive(pids.postgrest)).toBe(true);
    child.kill('SIGKILL');
    expect(await eventually(() => !isProcessAlive(pids.postgres) && !isProcessAlive(pids.postgrest), 15_000, 100)).toBe(true);
  });
});

