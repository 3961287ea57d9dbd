import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { PushOutcome, Row, SupabaseRemote } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, explainAsDevice, readsTable, rowsTouched, uniqueName, uniqueTenant, withSuperuser } from '../src/testing/index.js';

// A pull reads its page, and a till with nothing new reads nothing, whatever its tenant
// holds: eq_pull with the table's compiled page statement, eq_pull with the statement it
// builds for a table a column was added to by hand, and eq_pull_many's probe of a table
// another migration registered (built per call too). Counted in the plans Postgres ran
// (auto_explain): every row a statement read or threw away. Each table has an index of its
// own that starts with tenant_id, and statistics from before the tenant's rows: planned
// for that tenant as a constant, a statement would take it for one row and that index for
// as good as the pull index.

const cloud = inject('cloud');
const compiled = uniqueName('pull_reads_compiled');
const widened = uniqueName('pull_reads_widened');
const earlier = uniqueName('pull_reads_earlier');
const HISTORY = 3_000;
const PAGE = 100;

describe("a pull reads its page, not the tenant's rows", () => {
  const tenant = uniqueTenant('pull-reads');
  const last = new Map<string, number>();
  const middle = new Map<string, number>();

  beforeAll(async () => {
    const table = (name: string): { name: string; columns: { body: { type: 'text' } }; strategy: 'LastWriteWins'; indexes: { columns: string[] }[] } => ({
      name,
      columns: { body: { type: 'text' } },
      strategy: 'LastWriteWins',
      indexes: [{ columns: ['body'] }],
    });
    // Another migration first: eq_pull_many knows this table only from the registry.
    await installPlugin(cloud, { name: 'pull-reads-earlier', version: '1.0.0', tables: [table(earlier)] });
    await installPlugin(cloud, { name: 'pull-reads-test', version: '1.0.0', tables: [table(compiled), table(widened)] });
    const pushAll = async (remote: SupabaseRemote, shop: string, name: string): Promise<number[]> => {
      const versions: number[] = [];
      for (let at = 0; at < HISTORY; at += 500) {
        const rows: Row[] = Array.from({ length: 500 }, (_, i) => newRow(shop, { body: `row ${at + i}` }));
        for (const outcome of await remote.push(name, rows.map((row) => ({ row, base_version: null })))) {
          versions.push((outcome as Extract<PushOutcome, { status: 'applied' }>).server_version);
        }
      }
      return versions;
    };
    const shop = uniqueTenant('pull-reads-shop');
    const shopTill = await deviceRemote(shop, 'till-9');
    for (const name of [compiled, widened, earlier]) await pushAll(shopTill, shop, name);
    await withSuperuser((client) => client.query(`analyze public.${compiled}, public.${widened}, public.${earlier}`), cloud);
    const own = await deviceRemote(tenant, 'till-1');
    for (const name of [compiled, widened, earlier]) {
      const versions = await pushAll(own, tenant, name);
      last.set(name, Math.max(...versions));
      middle.set(name, versions[HISTORY / 2] as number);
    }
    // A column added by other SQL: eq_pull builds this table's page statement itself.
    await withSuperuser((client) => client.query(`alter table public.${widened} add column added_by_hand text`), cloud);
  });

  /** The rows each statement of `sql` that reads `table` touched. */
  async function touched(sql: string, params: readonly unknown[], table: string): Promise<{ answer: unknown; rows: number[] }> {
    const { rows, statements } = await explainAsDevice<{ answer: unknown }>({ tenant, device: 'till-1' }, sql, params, cloud);
    const reading = statements.filter(({ plan }) => readsTable(plan, table));
    return { answer: rows[0]?.answer, rows: reading.map(({ plan }) => rowsTouched(plan, table)) };
  }

  for (const [label, name] of [
    ['its compiled page statement', () => compiled],
    ['the page statement it builds for a table a column was added to', () => widened],
  ] as const) {
    it(`eq_pull with ${label}: a page reads the page, nothing new reads nothing`, async () => {
      const table = name();
      const page = await touched('select public.eq_pull($1, $2::jsonb, $3) as answer', [table, JSON.stringify({ server_version: middle.get(table), scope: null }), PAGE], table);
      expect((page.answer as { rows: unknown[] }).rows).toHaveLength(PAGE);
      expect(Math.max(...page.rows)).toBeLessThanOrEqual(PAGE + 1);
      const none = await touched('select public.eq_pull($1, $2::jsonb, $3) as answer', [table, JSON.stringify({ server_version: last.get(table), scope: null }), PAGE], table);
      expect((none.answer as { rows: unknown[] }).rows).toEqual([]);
      expect(Math.max(0, ...none.rows)).toBe(0);
    });
  }

  it("eq_pull_many's probe of a table another migration registered: nothing new reads the tenant's newest row", async () => {
    const cursors = { [earlier]: { server_version: last.get(earlier), scope: null } };
    const none = await touched('select public.eq_pull_many($1::jsonb) as answer', [JSON.stringify(cursors)], earlier);
    expect(JSON.stringify(none.answer)).toContain('"rows":[]');
    expect(none.rows.reduce((sum, rows) => sum + rows, 0)).toBe(1);
  });
});
