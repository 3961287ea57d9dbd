import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, openStore, tempDbPath, tempDir } from '@equinox-sync/core/testing';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { RunHistory } from '../src/inspector/run-history.js';
import { serveInspector, type Inspector, type InspectorState } from '../src/index.js';
import { http, postJson, readEvents } from './inspector-http.js';
import { CLIENTS, inspectedDevice, PROBE } from './inspector-kit.js';

const cloud = inject('cloud');

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let served: Inspector[] = [];
afterEach(async () => {
  await Promise.all(served.map((inspector) => inspector.close()));
  served = [];
});

async function serve(...args: Parameters<typeof serveInspector>): Promise<Inspector> {
  const inspector = await serveInspector(...args);
  served.push(inspector);
  return inspector;
}

/** A page folder of the test's own, so the server's rules are checked whatever the shipped page looks like. */
function pageDir(): string {
  const dir = join(tempDir('inspector-page'), 'page');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="inspector.js"></script>');
  writeFileSync(join(dir, 'inspector.js'), 'export {};');
  writeFileSync(join(dir, 'inspector.css'), 'body { color: black; }');
  return dir;
}

describe('the inspector server', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('keeps its rules: the secret path, the Host header, JSON POSTs from its own origin, security headers on every answer', async () => {
    const { host } = await inspectedDevice(cloud);
    const inspector = await serve(host, { pageDir: pageDir() });
    const base = inspector.url;
    const { origin, pathname } = new URL(base);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);

    const page = await http(base);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('inspector.js');
    expect((await http(`${base}inspector.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await http(`${base}inspector.css`)).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const answer of [page, await http(`${origin}/nope/`)]) {
      expect(answer.headers).toMatchObject({
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
    }

    // Without the right secret: an empty 404, whatever follows it.
    const secret = pathname.slice(1, -1);
    for (const path of ['/', '/api/state', `/${secret.slice(0, -1)}/`, `/${secret}x/api/state`, `/${secret.toLowerCase()}/`, '/favicon.ico']) {
      const answer = await http(`${origin}${path}`);
      expect([path, answer.status, answer.body]).toEqual([path, 404, '']);
    }
    // Nothing outside the page's folder, nor a file of a type it does not serve.
    for (const path of ['..%2Fpackage.json', '%2E%2E/%2E%2E/package.json', 'missing.js', 'index.html.bak', '.hidden.js']) {
      expect([path, (await http(`${base}${path}`)).status]).toEqual([path, 404]);
    }
    expect(await http(`${origin}/${secret}`)).toMatchObject({ status: 308, headers: { location: `/${secret}/` } });

    // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
    const port = new URL(base).port;
    const forged = await http(`${base}api/state`, { headers: { Host: `attacker.example:${port}` } });
    expect(forged.status).toBe(403);
    expect(forged.json()).toEqual({ error: `the Host header must be 127.0.0.1:${port} or localhost:${port}` });
    expect((await http(`${base}api/state`, { headers: { Host: `127.0.0.1:${Number(port) + 1}` } })).status).toBe(403);
    expect((await http(`${base}api/state`, { headers: { Host: `localhost:${port}` } })).status).toBe(200);

    // A form or a plain-text POST, or one from another origin, is refused.
    const plain = await http(`${base}api/sync`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect([plain.status, plain.json()]).toEqual([415, { error: 'the Content-Type must be application/json' }]);
    const form = await http(`${base}api/deletes/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'ids=x' });
    expect(form.status).toBe(415);
    const foreign = await postJson(base, 'api/deletes/confirm', { ids: ['x'] }, { Origin: 'http://attacker.example' });
    expect([foreign.status, foreign.json()]).toEqual([403, { error: "the Origin must be this page's own" }]);
    expect(host.deletes.list()).toHaveLength(1);
    expect((await postJson(base, 'api/sync', {}, { Origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await http(`${base}api/state`, { method: 'POST', headers: { 'Content-Type': 'application/json' } })).status).toBe(405);
    expect((await http(`${base}api/sync`)).status).toBe(405);
    expect((await postJson(base, 'api/nothing', {})).json()).toEqual({ error: 'no API "nothing"' });

    await expect(serveInspector(host, { host: '0.0.0.0' })).rejects.toThrow('host must be 127.0.0.1 or localhost, not "0.0.0.0"');
    await expect(serveInspector(host, { port: Number(port) })).rejects.toThrow(`port ${port} is in use`);
  });

  it('api/state shows the queue, the refused upload, the conflict side by side, the held delete, the runs and the panels', async () => {
    const { host, conflictId, heldId, failedId, queuedId } = await inspectedDevice(cloud);
    const inspector = await serve(host);
    const answer = await http(`${inspector.url}api/state`);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const state = answer.json() as InspectorState;

    expect(state.device).toEqual({ tenantId: host.config.tenantId, deviceId: 'till-b', role: 'store', dbPath: host.config.dbPath, version: expect.any(String) });
    // The conflicted row's own change waits too: the status counts it, the queue leaves it to the conflict inbox.
    expect(state.status).toMatchObject({ pendingUploads: 3, conflicts: 1 });
    expect(state.queue).toEqual([
      {
        table: 'clients',
        plugin: CLIENTS,
        count: 2,
        rows: [
          { id: failedId, op: 'upsert', preview: 'name=Grace Hopper email=grace-at-example.com', attempts: 1, lastError: 'email "grace-at-example.com" is not valid' },
          { id: queuedId, op: 'upsert', preview: 'name=Queued Quinn email=quinn@example.com', attempts: 0, lastError: null },
        ],
      },
    ]);
    expect(state.failed).toEqual([
      { table: 'clients', id: failedId, reason: 'email "grace-at-example.com" is not valid', attempts: 1, nextAttemptAt: expect.any(Number), preview: 'name=Grace Hopper email=grace-at-example.com' },
    ]);
    expect(state.quarantined).toEqual([]);
    expect(state.conflicts).toEqual([
      {
        table: 'clients',
        id: conflictId,
        detectedAt: expect.any(Number),
        columns: ['name', 'tax_id', 'email', 'phone'],
        differing: ['email', 'phone'],
        local: expect.objectContaining({ name: 'Ada Lovelace', email: 'ada@lovelace.org', phone: '600000001' }),
        remote: expect.objectContaining({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '600000002' }),
      },
    ]);
    expect(state.deletes).toEqual([{ table: 'clients', id: heldId, preview: 'name=Alan Turing email=alan@example.com' }]);
    expect(state.runs.length).toBeGreaterThanOrEqual(3);
    expect(state.runs.at(-1)).toEqual({ at: expect.any(Number), trigger: 'manual', durationMs: expect.any(Number), uploaded: 0, downloaded: 0, conflicts: 0, rejected: 1, offline: false, error: null });
    expect(state.panels).toEqual([
      {
        plugin: PROBE,
        id: 'healthy',
        title: 'Healthy panel',
        view: { summary: 'pinged 0 time(s)', tone: 'ok', sections: [{ kind: 'facts', facts: [{ label: 'Pings', value: '0' }] }] },
        error: null,
        actions: [{ id: 'ping', label: 'Ping' }],
      },
      { plugin: PROBE, id: 'broken', title: 'Broken panel', view: null, error: 'the probe could not read its table', actions: [] },
    ]);

    // The same through the host's API, for apps that draw their own views.
    expect(host.pendingUploads({ rowsPerTable: 1 })).toEqual([
      { table: 'clients', plugin: CLIENTS, count: 2, changes: [expect.objectContaining({ id: failedId, op: 'insert', attempts: 1, row: expect.objectContaining({ name: 'Grace Hopper' }) })] },
    ]);
    expect(host.recentRuns(2)).toEqual(state.runs.slice(-2));
    expect(host.panels().map(({ plugin, panel }) => `${plugin}/${panel.id}`)).toEqual([`${PROBE}/healthy`, `${PROBE}/broken`]);
  });

  it('settles a conflict and confirms a held delete through POST; bad bodies and unknown panels are named', async () => {
    const { host, conflictId, heldId } = await inspectedDevice(cloud);
    const base = (await serve(host)).url;
    const bad = async (path: string, body: unknown): Promise<[number, unknown]> => {
      const answer = await postJson(base, path, body);
      return [answer.status, answer.json()];
    };
    expect(await bad('api/conflicts/resolve', { id: conflictId, pick: 'local' })).toEqual([400, { error: 'table must be a non-empty string' }]);
    expect(await bad('api/conflicts/resolve', { table: 'clients', id: conflictId, pick: 'mine' })).toEqual([400, { error: 'pick must be "local", "remote" or "merged"' }]);
    expect(await bad('api/conflicts/resolve', { table: 'clients', id: conflictId, pick: 'merged' })).toEqual([400, { error: 'row must be an object (the merged row) with pick "merged"' }]);
    expect(await bad('api/conflicts/resolve', { table: 'clients', id: 'nope', pick: 'local' })).toEqual([404, { error: 'no conflict for id "nope" in table "clients"' }]);
    expect(await bad('api/conflicts/resolve', '[1]')).toEqual([400, { error: 'the body must be a JSON object' }]);
    expect((await bad('api/conflicts/resolve', '{"table":')).at(0)).toBe(400);
    expect(await bad('api/deletes/confirm', { ids: [] })).toEqual([400, { error: 'ids must be a list of one or more row ids' }]);
    expect(await bad('api/deletes/confirm', { ids: 'all' })).toEqual([400, { error: 'ids must be a list of one or more row ids' }]);
    expect(await bad('api/panels/action', { plugin: PROBE, panel: 'healthy' })).toEqual([400, { error: 'action must be a non-empty string' }]);
    expect(await bad('api/panels/action', { plugin: 'ghost', panel: 'healthy', action: 'ping' })).toEqual([404, { error: 'plugin "ghost" has no inspector panel' }]);
    expect(await bad('api/panels/action', { plugin: PROBE, panel: 'ghost', action: 'ping' })).toEqual([404, { error: `plugin "${PROBE}" has no panel "ghost"` }]);
    expect(await bad('api/panels/action', { plugin: PROBE, panel: 'healthy', action: 'ghost' })).toEqual([404, { error: `panel "healthy" of plugin "${PROBE}" has no action "ghost"` }]);
    expect(host.conflicts.list()).toHaveLength(1);

    const merged = { name: 'Ada Lovelace', email: 'ada@lovelace.org', phone: '600000002' };
    expect(await bad('api/conflicts/resolve', { table: 'clients', id: conflictId, pick: 'merged', row: merged })).toEqual([200, { resolved: 1 }]);
    expect(host.conflicts.list()).toEqual([]);
    expect(host.store(CLIENTS).get('clients', conflictId)).toMatchObject(merged);
    expect(await bad('api/deletes/confirm', { ids: [heldId] })).toEqual([200, { confirmed: 1 }]);
    expect(host.deletes.list()).toEqual([]);
    expect(await bad('api/panels/action', { plugin: PROBE, panel: 'healthy', action: 'ping' })).toEqual([200, { message: 'pong 1', tone: 'ok' }]);

    const synced = await postJson(base, 'api/sync', {});
    // The merged row, the confirmed delete and the queued row; the refused one backs off.
    expect(synced.json()).toEqual({ result: expect.objectContaining({ uploaded: 3, rejected: 0, error: null }) });
    const state = (await http(`${base}api/state`)).json() as InspectorState;
    expect([state.conflicts, state.deletes, state.status.conflicts]).toEqual([[], [], 0]);
    expect(state.runs.at(-1)).toMatchObject({ trigger: 'manual', uploaded: 3 });
    expect(state.panels[0]?.view?.summary).toBe('pinged 1 time(s)');
  });

  it('streams the status, and a changed event after an action and after another program writes the database', async () => {
    const { host, heldId } = await inspectedDevice(cloud);
    const base = (await serve(host)).url;
    const first = await readEvents(`${base}api/events`, (events) => events.length > 0);
    expect(first[0]).toEqual({ event: 'status', data: expect.objectContaining({ pendingUploads: 3, conflicts: 1 }) });

    const afterAction = readEvents(`${base}api/events`, (events) => events.some((e) => e.event === 'changed'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await postJson(base, 'api/deletes/confirm', { ids: [heldId] });
    expect((await afterAction).map((e) => e.event)).toContain('changed');

    const { default: Database } = await import('better-sqlite3');
    const afterWrite = readEvents(`${base}api/events`, (events) => events.some((e) => e.event === 'changed'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = new Database(host.config.dbPath);
    other.prepare(`UPDATE clients SET phone = '1' WHERE name = 'Queued Quinn'`).run();
    other.close();
    expect((await afterWrite).map((e) => e.event)).toContain('changed');
  });

  it('keeps the runs in the database, the last 500, and reads them oldest first', async () => {
    const store = openStore({ path: tempDbPath('run-history'), plugins: [clientsPlugin] });
    const history = new RunHistory(store.database);
    const result = { uploaded: 1, downloaded: 2, conflicts: 0, rejected: 0, quarantined: 0, durationMs: 5, offline: false, error: null };
    for (let run = 0; run < 505; run += 1) history.record('interval', { ...result, uploaded: run }, 1_000 + run);
    const kept = new RunHistory(store.database).recent(1000);
    expect(kept).toHaveLength(500);
    expect(kept[0]).toEqual({ at: 1_005, trigger: 'interval', durationMs: 5, uploaded: 5, downloaded: 2, conflicts: 0, rejected: 0, offline: false, error: null });
    expect(history.recent(2).map((run) => run.uploaded)).toEqual([503, 504]);
  });
});
