import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../../src/index.js';
import { cloudRows, installCloudSchema, localRows, openDevice, pickColumns, uniqueName, uniqueTenant } from '../../src/testing/index.js';
import { report, scale } from './reliability-kit.js';

// A host app writes the synced table with plain SQL from a process of its own while the
// engine syncs over and over: every write is captured into the log by the app's own
// transaction, and the engine folds the log (under the write lock) at each run and at
// each read of a status between runs. Nothing
// the app wrote may be lost, doubled or left behind, however the folds and the app's
// commits interleave.

const counters = uniqueName('plain_writer_counters');
const plugin = definePlugin({
  name: 'plain-writer-test',
  version: '1.0.0',
  tables: [{ name: counters, columns: { label: { type: 'text', nullable: false }, value: { type: 'integer', nullable: false } }, strategy: 'LastWriteWins' }],
});
const WRITES = scale(3000, 20000);

/**
 * The app: `writes` autocommit statements on its own connection — inserts of new rows
 * (no id, tenant or clock: the triggers fill them in) and edits of a random earlier row
 * — then prints each row's last value as JSON.
 */
const APP = `
const Database = require('better-sqlite3');
const [path, table, writes] = process.argv.slice(1);
const db = new Database(path);
db.pragma('busy_timeout = 10000');
const labels = [];
let seed = 7;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
for (let i = 0; i < Number(writes); i += 1) {
  if (labels.length === 0 || next() < 0.3) {
    const label = 'row-' + labels.length;
    db.prepare('INSERT INTO "' + table + '" (label, value) VALUES (?, ?)').run(label, i);
    labels.push(label);
  } else {
    const label = labels[Math.floor(next() * labels.length)];
    db.prepare('UPDATE "' + table + '" SET value = ? WHERE label = ?').run(i, label);
  }
}
const last = db.prepare('SELECT label, value FROM "' + table + '" ORDER BY label').all();
process.stdout.write(JSON.stringify(last));
db.close();
`;

function runApp(path: string): Promise<{ code: number | null; out: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', APP, path, counters, String(WRITES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out, stderr }));
  });
}

describe('a host app writing with plain SQL while the engine syncs', () => {
  beforeAll(() => installCloudSchema([plugin]));

  it(`loses, doubles and leaves behind none of ${WRITES} writes, however the folds and the app's commits interleave`, async () => {
    const tenant = uniqueTenant('plain-writer');
    const device = await openDevice({ name: 'till', tenant, plugins: [plugin] });
    const app = runApp(device.path);
    let finished = false;
    void app.then(() => (finished = true));
    let runs = 0;
    let reads = 0;
    while (!finished) {
      const result = await device.engine.syncNow();
      expect(result.error, 'a run while the app writes').toBeNull();
      runs += 1;
      // A status shown between runs: each read folds what the app committed meanwhile.
      for (let i = 0; i < 300 && !finished; i += 1, reads += 1) {
        device.store.pendingUploads();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const { code, out, stderr } = await app;
    expect(code, stderr).toBe(0);
    const written = JSON.parse(out) as { label: string; value: number }[];
    const last = await device.engine.syncNow();
    expect(last.error).toBeNull();

    expect(device.store.pendingUploads()).toBe(0);
    const local = pickColumns(localRows(device, counters), ['label', 'value']);
    const cloud = pickColumns(await cloudRows(counters, tenant), ['label', 'value']);
    const byLabel = (rows: readonly Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.label).localeCompare(String(b.label)));
    expect(byLabel(local)).toEqual(byLabel(written));
    expect(byLabel(cloud)).toEqual(byLabel(written));
    report('plain-writer', { writes: WRITES, rows: written.length, runs, reads });
    expect(runs + reads, 'the engine synced and folded while the app wrote').toBeGreaterThan(10);
  });
});
