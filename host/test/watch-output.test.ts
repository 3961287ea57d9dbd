import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INITIAL_STATUS, type SyncRunResult, type SyncStatus } from '@equinox-sync/core';
import { cloudRows, eventually, installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { describeWatchEvent, WatchEvents, type WatchEvent } from '../src/cli/watch-events.js';
import { deviceConfig, EXAMPLE_PLUGIN_DIR, offlineConfig, startEquinox, type RunningProcess } from './host-kit.js';

const cloud = inject('cloud');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** `equinox watch` on a config file of its own; `lines` fills as it prints. */
function watch(config: object, json: boolean): RunningProcess & { readonly lines: string[] } {
  const file = join(tempDir('watch-output'), 'equinox.config.json');
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  const running = startEquinox(['watch', '--config', file, ...(json ? ['--json'] : [])], { onLine: (line) => lines.push(line) });
  return { ...running, lines };
}

type Printed = WatchEvent | { readonly stopped: true; readonly signal: string; readonly runs: number };

const runsOf = (printed: readonly Printed[]) => printed.filter((line): line is Extract<WatchEvent, { event: 'run' }> => 'event' in line && line.event === 'run');
const transitionsOf = (printed: readonly Printed[]) => printed.flatMap((line) => ('event' in line && line.event !== 'run' ? [line.event] : []));

describe('equinox watch prints its transitions and what each run did', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('--json: online, then one object per run (trigger, rows up and down, conflicts, duration); a write by another process is uploaded at once', async () => {
    const tenant = uniqueTenant('watch-json');
    const dir = tempDir('watch-json');
    const config = await deviceConfig(cloud, { tenant, device: 'till', dir, plugins: [EXAMPLE_PLUGIN_DIR] });
    const watching = watch(config, true);
    const printed = (): Printed[] => watching.lines.map((line) => JSON.parse(line) as Printed);
    let before = 0;
    try {
      expect(await eventually(() => runsOf(printed()).length > 0, 20_000)).toBe(true);
      expect(runsOf(printed())[0]).toMatchObject({ trigger: 'back-online', uploaded: 0, downloaded: 0, conflicts: 0, error: null });
      // Runs the engine starts by itself around joining the live channel (if any) are over before the write.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      before = runsOf(printed()).length;

      // Another process (this one) writes to the device's file with plain SQL: the watcher notices it within 250 ms.
      const db = new Database(config.dbPath);
      try {
        db.pragma('busy_timeout = 5000');
        db.prepare(`INSERT INTO clients (id, name) VALUES ('ada', 'Ada')`).run();
      } finally {
        db.close();
      }
      expect(await eventually(() => runsOf(printed()).length > before, 10_000)).toBe(true);
      expect((await cloudRows('clients', tenant)).map((row) => row.id)).toEqual(['ada']);
      // Quiet for a while: the upload is not followed by another run.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      watching.child.kill('SIGTERM');
    }
    const { code, stderr } = await watching.exited;
    expect(code, stderr).toBe(0);
    const lines = printed();
    const runs = runsOf(lines);
    // After the write: one run, started by it, that uploaded it, and no local-change run after it. (A 'nudge' run
    // may follow when another test's open transaction in the shared cloud held a pull back: the engine asks again.)
    const after = runs.slice(before);
    expect(after.filter((run) => run.trigger !== 'nudge').map((run) => run.trigger), JSON.stringify(after)).toEqual(['local-change']);
    expect(after.find((run) => run.trigger === 'local-change')).toMatchObject({ event: 'run', uploaded: 1, downloaded: 0, conflicts: 0, rejected: 0, offline: false, error: null });
    for (const run of runs) {
      expect(run.at).toMatch(ISO);
      expect(typeof run.durationMs).toBe('number');
    }
    // 'online' once, before the first run; 'live' (and 'not-live') show when the engine has a live channel.
    expect(transitionsOf(lines).filter((event) => event !== 'live' && event !== 'not-live')).toEqual(['online']);
    expect(lines.findIndex((line) => 'event' in line && line.event === 'online')).toBeLessThan(lines.indexOf(runs[0] as Printed));
    expect(lines.at(-1)).toEqual({ stopped: true, signal: 'SIGTERM', runs: runs.length });
  });

  it('text: one line per transition and per run', async () => {
    const tenant = uniqueTenant('watch-text');
    const dir = tempDir('watch-text');
    const watching = watch(await deviceConfig(cloud, { tenant, device: 'till', dir, plugins: [EXAMPLE_PLUGIN_DIR] }), false);
    try {
      expect(await eventually(() => watching.lines.some((line) => line.includes(' run ')), 20_000)).toBe(true);
    } finally {
      watching.child.kill('SIGTERM');
    }
    expect((await watching.exited).code).toBe(0);
    const events = watching.lines.filter((line) => /^\d{4}-/.test(line) && !/ (live|not-live)$/.test(line));
    expect(events[0]).toMatch(/^\S+Z online$/);
    expect(events).toContainEqual(expect.stringMatching(/^\S+Z run back-online: up 0, down 0, conflicts 0 \(\d+ ms\)$/));
    expect(watching.lines.at(-1)).toBe('Stopped; the database is closed.');
  });

  it('says offline when the cloud does not answer', async () => {
    const watching = watch(offlineConfig(tempDir('watch-offline'), [EXAMPLE_PLUGIN_DIR]), true);
    try {
      expect(await eventually(() => watching.lines.length > 0, 20_000)).toBe(true);
    } finally {
      watching.child.kill('SIGTERM');
    }
    expect((await watching.exited).code).toBe(0);
    const printed = watching.lines.map((line) => JSON.parse(line) as Printed);
    expect(printed[0]).toEqual({ at: expect.stringMatching(ISO), event: 'offline' });
    expect(runsOf(printed)).toEqual([]);
  });
});

describe('WatchEvents', () => {
  const at = new Date('2025-05-01T09:30:00.000Z');
  const status = (change: Partial<SyncStatus>): SyncStatus => ({ ...INITIAL_STATUS, ...change });
  const result = (change: Partial<SyncRunResult> = {}): SyncRunResult => ({ uploaded: 0, downloaded: 0, conflicts: 0, rejected: 0, quarantined: 0, durationMs: 12, offline: false, error: null, ...change });
  const names = (events: readonly WatchEvent[]) => events.map((event) => event.event);

  it('reports changes only: not the status before the first probe, not a repeated state', () => {
    const events = new WatchEvents(() => at);
    expect(events.status(status({ online: false }))).toEqual([]);
    expect(events.status(status({ online: false, isSyncing: true }))).toEqual([]);
    expect(names(events.status(status({ online: true })))).toEqual(['online']);
    expect(events.probed(true)).toEqual([]);
    expect(events.status(status({ online: true, pendingUploads: 3 }))).toEqual([]);
    expect(names(events.status(status({ online: false })))).toEqual(['offline']);
    expect(events.status(status({ online: false }))).toEqual([]);
    // A run that found no cloud says nothing more once offline was printed.
    expect(names(events.run('interval', result({ offline: true, error: 'offline: timeout' })))).toEqual(['run']);
  });

  it('tells the first probe, an offline run, and the live channel joined and lost', () => {
    const events = new WatchEvents(() => at);
    expect(events.probed(false)).toEqual([{ at: at.toISOString(), event: 'offline' }]);
    const fresh = new WatchEvents(() => at);
    expect(names(fresh.run('manual', result({ offline: true, error: 'offline: refused' })))).toEqual(['offline', 'run']);
    const live = new WatchEvents(() => at);
    expect(names(live.status(status({ online: true, live: false })))).toEqual(['online']);
    expect(names(live.status(status({ online: true, live: true })))).toEqual(['live']);
    expect(names(live.status(status({ online: false, live: false })))).toEqual(['offline', 'not-live']);
  });

  it('describes a run with its trigger, rows, conflicts, duration, and the error last', () => {
    const events = new WatchEvents(() => at);
    const [line] = events.run('local-change', result({ uploaded: 2, downloaded: 1, conflicts: 1, durationMs: 84 }));
    expect(describeWatchEvent(line as WatchEvent)).toBe('2025-05-01T09:30:00.000Z run local-change: up 2, down 1, conflicts 1 (84 ms)');
    const [failed] = events.run('interval', result({ rejected: 1, quarantined: 2, error: 'uploads paused: gate' }));
    expect(describeWatchEvent(failed as WatchEvent)).toBe('2025-05-01T09:30:00.000Z run interval: up 0, down 0, conflicts 0, rejected 1, quarantined 2 (12 ms) — uploads paused: gate');
    expect(describeWatchEvent({ at: at.toISOString(), event: 'live' })).toBe('2025-05-01T09:30:00.000Z live');
  });
});
