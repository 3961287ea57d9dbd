import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applySql } from '@equinox-sync/local-cloud';
import { ConfigError, loadConfig } from '@equinox-sync/config';
import {
  DeclarationError,
  definePlugin,
  LocalStore,
  pluginFromPackageJson,
  SchemaMigrationError,
  StoreError,
  type PluginDeclaration,
  type Row,
} from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { cloudRows, localRows, type TestDevice, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';
import { openQuickRetryDevice, report, waitPullable, workDir } from './reliability-kit.js';
import { asSuperuser, dropCloudChecks } from '../quarantine/hostile-cloud.js';

const cloud = inject('cloud');
const items = `bad_items_${uniqueSuffix()}`;
const declaration: PluginDeclaration = {
  name: 'bad-input',
  version: '1.0.0',
  tables: [
    {
      name: items,
      // The widest limits a declaration may take, so the huge-but-valid row below is valid.
      columns: {
        label: { type: 'text', nullable: false, maxLength: 1_000_000 },
        n: { type: 'integer' },
        doc: { type: 'json', maxBytes: 1_048_576, maxDepth: 64 },
        flag: { type: 'boolean' },
      },
      strategy: 'LastWriteWins',
    },
  ],
};
const plugin = definePlugin(declaration);

beforeAll(async () => {
  await applySql(cloud, compileServerSchema([plugin]));
  // The cloud as an older migration left it, without the limit checks: rows a device cannot take can be written at all.
  await dropCloudChecks(items);
});

/** What a bad page must not touch: every local row as stored, and the pull cursor. (The same run's upload may go on.) */
function localState(device: TestDevice): string {
  return JSON.stringify({
    rows: device.store.database.prepare(`SELECT * FROM "${items}" ORDER BY id`).all(),
    cursor: device.store.readCursor(items) ?? null,
  });
}

/** A device that has synced rows from another device and holds a change of its own not yet uploaded. */
async function deviceWithData(label: string, options: { fetch?: typeof fetch } = {}): Promise<{ device: TestDevice; writer: TestDevice; tenant: string; pendingId: string }> {
  const tenant = uniqueTenant(label);
  const writer = await openQuickRetryDevice({ cloud, name: 'writer', tenant, plugins: [plugin] });
  writer.store.forPlugin('bad-input').insert(items, { label: 'synced', n: 1 });
  await writer.engine.syncNow();
  const device = await openQuickRetryDevice({ cloud, name: 'till', tenant, plugins: [plugin], ...(options.fetch ? { fetch: options.fetch } : {}) });
  for (let i = 0; i < 20 && localRows(device, items).length === 0; i++) await device.engine.syncNow();
  // The device goes offline-ish: its own change stays queued (pushes are not part of these tests).
  const pendingId = String(device.store.forPlugin('bad-input').insert(items, { label: 'mine, not uploaded', n: 2 }).id);
  return { device, writer, tenant, pendingId };
}

const hlc = (): string => `${String(Date.now()).padStart(13, '0')}-000000-backoffice`;

describe('bad input', () => {
  it('odd rows written into the cloud by its superuser are set aside by name, the rest of the page goes on, and a fixed version is taken', async () => {
    const cases: ReadonlyArray<{ name: string; prepare?: string; insert: Record<string, unknown>; expect: RegExp; fix: string }> = [
      { name: 'integer beyond 2^53', insert: { label: 'big', n: '1152921504606846976' }, expect: /^column "n": must be an integer within ±9007199254740991 \(22003\)$/, fix: 'n = 5' },
      {
        name: 'NULL in a NOT NULL column',
        prepare: `alter table public.${items} alter column label drop not null`,
        insert: { label: null, n: 3 },
        expect: /^column "label": expects a value \(the column is not nullable\), got object$/,
        fix: `label = 'fixed'`,
      },
    ];
    const figures: Record<string, number> = {};
    for (const c of cases) {
      const { device, writer, tenant, pendingId } = await deviceWithData('odd');
      try {
        if (c.prepare) await asSuperuser(c.prepare);
        const id = `odd-${uniqueSuffix()}`;
        const neighbour = `neighbour-${uniqueSuffix()}`;
        await asSuperuser(
          `insert into public.${items} (id, tenant_id, updated_at, deleted, label, n) values ($1, $2, $3, false, $4, $5::bigint), ($6, $2, $3, false, 'fine', 1)`,
          [id, tenant, hlc(), c.insert.label, c.insert.n, neighbour],
        );
        await waitPullable(cloud, device, items, [id, neighbour]);
        const cursorBefore = JSON.stringify(device.store.readCursor(items));
        const run = await device.engine.syncNow();
        expect(run.error, c.name).toBeNull();
        expect(run.quarantined, c.name).toBe(1);
        // Set aside with its reason; its neighbour in the page is applied and the cursor moved on.
        const held = device.engine.status.quarantined.find((q) => q.id === id);
        expect(held?.reason, c.name).toMatch(c.expect);
        expect(held?.table).toBe(items);
        expect(localRows(device, items).map((row) => row.id)).toContain(neighbour);
        expect(localRows(device, items).map((row) => row.id)).not.toContain(id);
        expect(JSON.stringify(device.store.readCursor(items)), c.name).not.toBe(cursorBefore);
        expect(device.store.forPlugin('bad-input').get(items, pendingId)?.label).toBe('mine, not uploaded');
        // Fixed in the cloud, the next run takes it and releases it from the quarantine.
        await asSuperuser(`update public.${items} set ${c.fix}, updated_at = $2 where id = $1`, [id, hlc()]);
        await waitPullable(cloud, device, items, [id]);
        const healed = await device.engine.syncNow();
        expect(healed.error, c.name).toBeNull();
        expect(localRows(device, items).map((row) => row.id)).toContain(id);
        expect(device.engine.status.quarantined, c.name).toEqual([]);
        figures[c.name] = 1;
      } finally {
        if (c.prepare) await asSuperuser(`update public.${items} set label = coalesce(label, '') where label is null; alter table public.${items} alter column label set not null`);
        await device.close();
        await writer.close();
      }
    }

    // Huge but valid values and a column only the cloud has arrive whole.
    const { device, writer, tenant } = await deviceWithData('huge');
    try {
      await asSuperuser(`alter table public.${items} add column if not exists cloud_only text`);
      const big = 'x'.repeat(1_000_000);
      const doc = { list: Array.from({ length: 10_000 }, (_, i) => ({ i, s: `item ${i}` })), deep: JSON.parse('['.repeat(60) + ']'.repeat(60)) };
      await asSuperuser(
        `insert into public.${items} (id, tenant_id, updated_at, deleted, label, doc, cloud_only) values ($1, $2, $3, false, $4, $5, 'ignored')`,
        ['huge-1', tenant, hlc(), big, JSON.stringify(doc)],
      );
      const run = await device.engine.syncNow();
      expect(run.error).toBeNull();
      const row = device.store.forPlugin('bad-input').get(items, 'huge-1');
      expect(row?.label).toHaveLength(big.length);
      expect(row?.doc).toEqual(doc);
      expect(row).not.toHaveProperty('cloud_only');
      // And it goes back up whole after a local edit.
      device.store.forPlugin('bad-input').update(items, 'huge-1', { n: 9 });
      expect((await device.engine.syncNow()).error).toBeNull();
      const inCloud = (await cloudRows(items, tenant, cloud)).find((r) => r.id === 'huge-1');
      expect(String(inCloud?.label)).toHaveLength(big.length);
      expect(inCloud?.n).toBe(9);
    } finally {
      await device.close();
      await writer.close();
    }
    report('bad input: odd cloud rows', { quarantinedByName: Object.keys(figures).length, hugeValueBytes: 1_000_000, jsonItems: 10_000, pagesRefused: 0 });
  });

  it('a malformed pull answer is refused whole, a malformed row in it is set aside; nothing local is lost or overwritten', async () => {
    type Mutation = (page: { rows: Row[]; cursor: unknown; has_more: unknown }) => unknown;
    // `page`: the answer is not a page, refused whole with an error naming what is wrong.
    // `row`: the page is fine but rows in it are not; they are quarantined with the reason and the rest applied.
    const cases: ReadonlyArray<{ name: string; mutate: Mutation | 'not-json' | 'truncated'; scope: 'page' | 'row'; expect: RegExp }> = [
      // supabase-js hands back the text it could not parse; the error names the call, the table and shows it.
      { name: 'not JSON', mutate: 'not-json', scope: 'page', expect: /^pull "bad_items_\w+" failed: <html>502 Bad Gateway<\/html> \(HTTP 200\)$/ },
      { name: 'truncated JSON', mutate: 'truncated', scope: 'page', expect: /^pull "bad_items_\w+" failed: \[\{"rows":\[/ },
      { name: 'no cursor', mutate: (p) => ({ rows: p.rows, has_more: false }), scope: 'page', expect: /pull ".*": unexpected answer from the cloud \(expected \[\{ rows, cursor, has_more \}\]/ },
      { name: 'rows not a list', mutate: (p) => ({ ...p, rows: { 0: p.rows[0] } }), scope: 'page', expect: /unexpected answer from the cloud/ },
      { name: 'a row without id', mutate: (p) => ({ ...p, rows: p.rows.map(({ id: _id, ...rest }) => rest) }), scope: 'row', expect: /^has no id$/ },
      { name: 'a row that is not an object', mutate: (p) => ({ ...p, rows: [...p.rows.map(() => 42)] }), scope: 'row', expect: /^not a row object \(got number\)$/ },
      { name: 'a row without updated_at', mutate: (p) => ({ ...p, rows: p.rows.map(({ updated_at: _u, ...rest }) => rest) }), scope: 'row', expect: /^has no updated_at$/ },
      { name: 'text column holding an object', mutate: (p) => ({ ...p, rows: p.rows.map((r) => ({ ...r, label: { a: 1 } })) }), scope: 'row', expect: /^column "label": expects a string, got object$/ },
      { name: 'integer column holding a string', mutate: (p) => ({ ...p, rows: p.rows.map((r) => ({ ...r, n: '12' })) }), scope: 'row', expect: /^column "n": expects an integer, got string$/ },
      { name: 'boolean column holding "yes"', mutate: (p) => ({ ...p, rows: p.rows.map((r) => ({ ...r, flag: 'yes' })) }), scope: 'row', expect: /^column "flag": expects a boolean/ },
      { name: 'tombstone flag holding "yes"', mutate: (p) => ({ ...p, rows: p.rows.map((r) => ({ ...r, deleted: 'yes' })) }), scope: 'row', expect: /^deleted is "yes", not a boolean$/ },
      {
        name: 'a new row missing a NOT NULL column',
        mutate: (p) => ({ ...p, rows: [...p.rows, { ...p.rows[0], id: 'no-label', label: undefined }] }),
        scope: 'row',
        expect: /^cannot be stored: NOT NULL constraint failed/,
      },
      {
        name: 'one bad row among good ones',
        mutate: (p) => ({ ...p, rows: [...p.rows, { ...p.rows[0], id: 'bad-one', n: 1.5 }] }),
        scope: 'row',
        expect: /^column "n": expects an integer, got number$/,
      },
    ];
    const results: string[] = [];
    let quarantined = 0;
    for (const c of cases) {
      let armed = false;
      const rewriting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const url = input instanceof Request ? input.url : String(input);
        if (!armed || !url.includes('/rpc/eq_pull') || !response.ok) return response;
        const [page] = (await response.json()) as [{ rows: Row[]; cursor: unknown; has_more: unknown }]; // a set of one page
        if (page.rows.length === 0) return new Response(JSON.stringify([page]), { status: 200, headers: { 'content-type': 'application/json' } });
        armed = false;
        const body = c.mutate === 'not-json' ? '<html>502 Bad Gateway</html>' : c.mutate === 'truncated' ? JSON.stringify([page]).slice(0, 20) : JSON.stringify([c.mutate(page)]);
        return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const { device, writer, pendingId } = await deviceWithData('page', { fetch: rewriting });
      try {
        // New cloud rows, so the next page is not empty.
        const fresh = String(writer.store.forPlugin('bad-input').insert(items, { label: 'new in cloud', n: 3 }).id);
        const edited = String((localRows(device, items).find((row) => row.label === 'synced') as Row).id);
        writer.store.forPlugin('bad-input').update(items, edited, { label: 'changed in cloud' });
        await writer.engine.syncNow();
        await waitPullable(cloud, device, items, [fresh, edited]);
        device.store.forPlugin('bad-input').update(items, pendingId, { n: 22 });
        const before = localState(device);
        armed = true;
        const run = await device.engine.syncNow();
        armed = false;
        if (c.scope === 'page') {
          expect(run.error, c.name).toMatch(c.expect);
          expect(localState(device), c.name).toBe(before);
        } else {
          expect(run.error, c.name).toBeNull();
          const reasons = device.engine.status.quarantined.map((q) => q.reason);
          expect(reasons.length, c.name).toBeGreaterThan(0);
          for (const reason of reasons) expect(reason, c.name).toMatch(c.expect);
          quarantined += reasons.length;
          // A later good version of each row set aside arrives and releases it.
          for (const id of [fresh, edited]) writer.store.forPlugin('bad-input').update(items, id, { n: 4 });
          await writer.engine.syncNow();
          await waitPullable(cloud, device, items, [fresh, edited]);
        }
        // The local change was never overwritten; the rows arrive, and the queued change goes up.
        expect(device.store.forPlugin('bad-input').get(items, pendingId), c.name).toMatchObject({ label: 'mine, not uploaded', n: 22 });
        let healed = await device.engine.syncNow();
        for (let i = 0; i < 20 && localRows(device, items).length < 3; i++) healed = await device.engine.syncNow();
        expect(healed.error, c.name).toBeNull();
        expect(localRows(device, items).map((row) => row.label).sort(), c.name).toEqual(['changed in cloud', 'mine, not uploaded', 'new in cloud']);
        expect(device.store.pendingUploads()).toBe(0);
        // Only rows that never came right stay set aside: one without an id, or one the cloud never had.
        const left = device.engine.status.quarantined.map((q) => q.id);
        expect(left.filter((id) => id === fresh || id === edited), c.name).toEqual([]);
        results.push(c.name);
      } finally {
        await device.close();
        await writer.close();
      }
    }
    report('bad input: malformed pull answers', { cases: cases.length, pagesRefusedWithReason: cases.filter((c) => c.scope === 'page').length, rowsQuarantined: quarantined, localChangesLost: 0, passed: results.length });
  });

  it('malformed manifests and declarations are refused at once, naming the plugin and field, before the database is touched', () => {
    const good = { name: '@acme/clients', version: '1.0.0', equinox: { engines: { equinox: '^0.1.0' }, contributes: { tables: [{ name: 'clients', columns: { code: { type: 'text' } }, strategy: 'Manual' }] } } };
    const table = good.equinox.contributes.tables[0] as Record<string, unknown>;
    const withTable = (patch: Record<string, unknown>): unknown => ({ ...good, equinox: { ...good.equinox, contributes: { tables: [{ ...table, ...patch }] } } });
    const manifests: ReadonlyArray<{ name: string; pkg: unknown; expect: RegExp }> = [
      { name: 'not an object', pkg: ['x'], expect: /field "\(root\)": package.json must hold a JSON object/ },
      { name: 'no equinox field', pkg: { name: 'x', version: '1.0.0' }, expect: /field "equinox": is required/ },
      { name: 'bad table name', pkg: withTable({ name: 'Drop Table' }), expect: /plugin "@acme\/clients".*field "name"/ },
      { name: 'reserved prefix', pkg: withTable({ name: '_eq_outbox' }), expect: /_eq_/ },
      { name: 'unknown column type', pkg: withTable({ columns: { code: { type: 'varchar' } } }), expect: /table "clients", field "columns.code.type"/ },
      { name: 'system column declared', pkg: withTable({ columns: { tenant_id: { type: 'text' } } }), expect: /tenant_id/ },
      { name: 'unknown strategy', pkg: withTable({ strategy: 'Newest' }), expect: /field "strategy"/ },
      { name: 'default of the wrong type', pkg: withTable({ columns: { code: { type: 'integer', default: 'many' } } }), expect: /table "clients", field "columns.code/ },
      { name: 'ordering key naming no column', pkg: withTable({ orderingKey: ['nowhere'] }), expect: /orderingKey/ },
      { name: 'duplicate tables', pkg: { ...good, equinox: { ...good.equinox, contributes: { tables: [table, table] } } }, expect: /clients/ },
      { name: 'huge name', pkg: withTable({ name: `t${'x'.repeat(5_000)}` }), expect: /field "name"/ },
    ];
    for (const m of manifests) {
      let error: unknown;
      try {
        pluginFromPackageJson(m.pkg, { source: 'plugins/clients/package.json' });
      } catch (e) {
        error = e;
      }
      expect(error, m.name).toBeInstanceOf(DeclarationError);
      expect((error as Error).message, m.name).toMatch(m.expect);
      expect((error as Error).message.startsWith('plugins/clients/package.json: '), m.name).toBe(true);
    }

    // An existing store, opened with a declaration that would lose data, is refused and left intact.
    const path = join(workDir, `manifest-${uniqueSuffix()}.db`);
    const store = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-m', deviceId: 'dev-m' });
    const { id } = store.forPlugin('bad-input').insert(items, { label: 'keep me', n: 7 });
    store.close();
    const retyped = definePlugin({ ...declaration, version: '2.0.0', tables: [{ ...(declaration.tables[0] as object), columns: { label: { type: 'integer' } } } as never] });
    expect(() => LocalStore.open({ path, plugins: [retyped], tenantId: 'tenant-m' })).toThrow(SchemaMigrationError);
    expect(() => LocalStore.open({ path, plugins: [plugin], tenantId: 'another-tenant' })).toThrow(/belongs to tenant "tenant-m"/);
    const reopened = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-m' });
    expect(reopened.forPlugin('bad-input').get(items, String(id))).toMatchObject({ label: 'keep me', n: 7 });
    expect(reopened.pendingUploads()).toBe(1);
    reopened.close();
    report('bad input: manifests', { refused: manifests.length, namedPluginAndField: manifests.length, storeLeftIntact: true });
  });

  it('a malformed config is refused with one line per bad key, naming where it came from, secrets hidden', () => {
    const dir = join(workDir, `config-${uniqueSuffix()}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'equinox.config.json');
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzZWNyZXQiOnRydWV9.c2lnbmF0dXJl';
    writeFileSync(
      file,
      JSON.stringify({ tenantId: '', deviceId: 42, dbPath: ['x'], role: 'boss', supabase: { url: 'not a url', key: 7, accessToken: 5 }, sync: { batchSize: 'lots', intervalSeconds: -1, retry: { baseMs: 'soon' } }, surprise: true }),
    );
    let error: unknown;
    try {
      loadConfig({ configPath: file, env: { EQUINOX_SYNC_BATCH_SIZE: '0', EQUINOX_SUPABASE_KEY: secret } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const key of ['tenantId', 'deviceId', 'dbPath', 'role', 'supabase.url', 'sync.batchSize', 'sync.intervalSeconds', 'sync.retry.baseMs']) {
      expect(message, key).toContain(key);
    }
    expect(message).toContain('EQUINOX_SYNC_BATCH_SIZE');
    expect(message).not.toContain(secret);

    writeFileSync(file, '{ "tenantId": "t", ');
    expect(() => loadConfig({ configPath: file, env: {} })).toThrow(/equinox\.config\.json/);
    report('bad input: config', { badKeysNamed: 8, secretLeaked: message.includes(secret) });
  });

  it('a corrupted, foreign or unreadable database file is refused with an error naming it, and left exactly as it was', () => {
    const dir = join(workDir, `corrupt-${uniqueSuffix()}`);
    mkdirSync(dir, { recursive: true });
    const original = join(dir, 'original.db');
    const store = LocalStore.open({ path: original, plugins: [plugin], tenantId: 'tenant-c', deviceId: 'dev-c' });
    store.transaction(() => {
      for (let i = 0; i < 2_000; i++) store.forPlugin('bad-input').insert(items, { label: `row ${i} ${'x'.repeat(100)}`, n: i });
    });
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const bytes = readFileSync(original);
    const variants: ReadonlyArray<{ name: string; content: Buffer; expect: RegExp }> = [
      { name: 'random bytes', content: Buffer.from(Array.from({ length: 16_384 }, (_, i) => (i * 7919) % 251)), expect: /damaged or not a SQLite database: file is not a database/ },
      { name: 'header zeroed', content: Buffer.concat([Buffer.alloc(100), bytes.subarray(100)]), expect: /damaged or not a SQLite database/ },
      { name: 'cut in half', content: bytes.subarray(0, Math.floor(bytes.length / 2)), expect: /damaged or not a SQLite database: database disk image is malformed/ },
      {
        name: 'pages overwritten in the middle',
        content: Buffer.concat([bytes.subarray(0, 4096 * 10), Buffer.alloc(4096 * 4, 0x5a), bytes.subarray(4096 * 14)]),
        expect: /damaged or not a SQLite database: database disk image is malformed/,
      },
    ];
    for (const v of variants) {
      const path = join(dir, `${v.name.replaceAll(' ', '-')}.db`);
      writeFileSync(path, v.content);
      let error: unknown;
      try {
        LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-c' }).close();
      } catch (e) {
        error = e;
      }
      expect(error, v.name).toBeInstanceOf(StoreError);
      expect((error as Error).message, v.name).toContain(`"${path}"`);
      expect((error as Error).message, v.name).toMatch(v.expect);
      expect(Buffer.compare(readFileSync(path), v.content), `${v.name}: the file was changed`).toBe(0);
    }

    // Another application's SQLite file, with a table of the same name: refused, its data untouched.
    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec(`CREATE TABLE "${items}" (id INTEGER PRIMARY KEY, foo TEXT); INSERT INTO "${items}" (foo) VALUES ('theirs');`);
    other.close();
    expect(() => LocalStore.open({ path: foreign, plugins: [plugin], tenantId: 'tenant-c' })).toThrow(/already exists and was not created by the sync engine/);
    const check = new Database(foreign, { readonly: true });
    expect(check.prepare(`SELECT name FROM sqlite_master ORDER BY name`).pluck().all()).toEqual([items]);
    expect(check.prepare(`SELECT foo FROM "${items}"`).pluck().all()).toEqual(['theirs']);
    check.close();

    // A directory where the file should be.
    expect(() => LocalStore.open({ path: dir, plugins: [plugin], tenantId: 'tenant-c' })).toThrow(new RegExp(`"${dir}" cannot be opened`));
    expect(statSync(dir).isDirectory()).toBe(true);

    // The undamaged original still opens with every row.
    const intact = LocalStore.open({ path: original, plugins: [plugin], tenantId: 'tenant-c' });
    expect(intact.forPlugin('bad-input').query(items)).toHaveLength(2_000);
    intact.close();
    report('bad input: database files', { damagedVariants: variants.length, refusedNamingFile: variants.length + 1, filesChanged: 0, foreignDataIntact: true });
  });
});
