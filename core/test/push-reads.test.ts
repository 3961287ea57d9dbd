import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { PushOutcome, Row, SupabaseRemote } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, explainAsDevice, rowsTouched, uniqueName, uniqueTenant, withSuperuser } from '../src/testing/index.js';

// What a push reads in the cloud besides the rows it writes grows with the push, not with
// the tenant: a shop with a year of invoices pays for each push what a new shop pays. The
// echo (`push_echo`) reads the push's own span of versions and the one row before it; a
// push whose rows are not all written (a retried request, a conflict) looks each row up by
// its key. Counted in the plans Postgres ran (auto_explain, as the superuser): every row a
// statement read from the table or threw away. Each table has an index of its own that
// starts with tenant_id, as plugins' tables do, and statistics from before the tenant's
// rows: a plan that weighed the tenant by those statistics would take that index as
// readily as the pull index.

const cloud = inject('cloud');
const notes = uniqueName('push_reads_notes');
const receipts = uniqueName('push_reads_receipts');
const tags = uniqueName('push_reads_tags');

const EARLIER_ROWS = 3_000;
const PUSHED = 10;

/**
 * Pushes `rows` with an echo as the device would (eq_push, p_echo), rolled back after;
 * answers the echo and the rows the echo's statement touched.
 */
async function echoedPush(table: string, rows: readonly object[], device: { tenant: string; device: string }): Promise<{ echo: unknown; outcomes: unknown[]; touched: number }> {
  const { rows: answer, statements } = await explainAsDevice<{ answer: { outcomes: unknown[]; echo: unknown } }>(
    device,
    `select public.eq_push($1, $2::json, null, true) as answer`,
    [table, JSON.stringify(rows)],
    cloud,
  );
  // The echo's reads: its compiled check's three statements (the span, the versions, the row before).
  const echoStatements = statements.filter(({ query }) => /_eq_first|any\(_eq_versions\)/.test(query));
  expect(echoStatements, "the echo's compiled check ran").toHaveLength(3);
  const touched = echoStatements.reduce((sum, { plan }) => sum + rowsTouched(plan, table), 0);
  return { echo: answer[0]?.answer.echo, outcomes: answer[0]?.answer.outcomes ?? [], touched };
}

describe("a push reads what it writes, not the tenant's rows", () => {
  const tenant = uniqueTenant('push-reads');
  let lastEarlier: { notes: number; receipts: number };
  let own: SupabaseRemote;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'push-reads-test',
      version: '1.0.0',
      tables: [
        { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins', indexes: [{ columns: ['body'] }] },
        { name: tags, columns: { label: { type: 'text' } }, strategy: 'LastWriteWins', appendOnly: true },
        { name: receipts, columns: { till: { type: 'text', nullable: false }, total: { type: 'text' } }, strategy: 'LocalWins', pullScope: { column: 'till', claim: 'device_id' }, indexes: [{ columns: ['total'] }] },
      ],
    });
    const pushAll = async (remote: SupabaseRemote, shop: string, table: string, fields: (n: number) => Row, count: number): Promise<number> => {
      let last = 0;
      for (let at = 0; at < count; at += 500) {
        const rows = Array.from({ length: Math.min(500, count - at) }, (_, i) => newRow(shop, fields(at + i)));
        for (const outcome of await remote.push(table, rows.map((row) => ({ row, base_version: null })))) {
          last = Math.max(last, (outcome as Extract<PushOutcome, { status: 'applied' }>).server_version);
        }
      }
      return last;
    };
    // Another shop's rows, and statistics from before this tenant's, as a cloud's planner
    // mostly has them: the newest versions are always past the last analyze.
    const shop = uniqueTenant('push-reads-shop');
    const shopTill = await deviceRemote(shop, 'till-9');
    await pushAll(shopTill, shop, notes, (n) => ({ body: `shop ${n}` }), EARLIER_ROWS);
    await pushAll(shopTill, shop, receipts, (n) => ({ till: 'till-9', total: String(n) }), EARLIER_ROWS);
    await withSuperuser((client) => client.query(`analyze public.${notes}, public.${receipts}`), cloud);
    // This tenant's history: notes, and receipts of another till (a scope the pushing till never pulls) then a few of its own.
    own = await deviceRemote(tenant, 'till-1');
    const notesBefore = await pushAll(own, tenant, notes, (n) => ({ body: `note ${n}` }), EARLIER_ROWS);
    await pushAll(await deviceRemote(tenant, 'till-2'), tenant, receipts, (n) => ({ till: 'till-2', total: String(n) }), EARLIER_ROWS);
    // A small append-only table (its rows are read back unlocked): joining a push to all of
    // the tenant's rows looks cheap to the planner there.
    await pushAll(own, tenant, tags, (n) => ({ label: `tag ${n}` }), 300);
    await withSuperuser((client) => client.query(`analyze public.${tags}`), cloud);
    lastEarlier = { notes: notesBefore, receipts: await pushAll(own, tenant, receipts, (n) => ({ till: 'till-1', total: String(n) }), 20) };
  });

  it('in a table of the whole tenant: the pushed rows (span and look-ups) and the one before', async () => {
    const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { body: `new ${n}` }));
    const { echo, outcomes, touched } = await echoedPush(notes, rows, { tenant, device: 'till-1' });
    expect(echo).toEqual([lastEarlier.notes, Math.max(...(outcomes as number[]))]);
    // The span, a look-up per version, the row before: the pushed rows twice, and one.
    expect(touched).toBe(2 * PUSHED + 1);
  });

  it("in a table scoped by till: the till's pushed rows (span and look-ups) and its row before, none of another till's", async () => {
    const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { till: 'till-1', total: `new ${n}` }));
    const { echo, outcomes, touched } = await echoedPush(receipts, rows, { tenant, device: 'till-1' });
    expect(echo).toEqual([lastEarlier.receipts, Math.max(...(outcomes as number[]))]);
    // The span, a look-up per version, the row before: the pushed rows twice, and one.
    expect(touched).toBe(2 * PUSHED + 1);
  });

  it('in a table an earlier migration registered (no compiled check): the same reads, built for the push', async () => {
    await withSuperuser((client) => client.query(`update equinox.tables set echo_function = null where name = $1`, [notes]), cloud);
    try {
      const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { body: `built ${n}` }));
      const { rows: answer, statements } = await explainAsDevice<{ answer: { outcomes: number[]; echo: unknown } }>(
        { tenant, device: 'till-1' },
        `select public.eq_push($1, $2::json, null, true) as answer`,
        [notes, JSON.stringify(rows)],
        cloud,
      );
      const built = statements.filter(({ query }) => query.includes('server_version between'));
      expect(built, "push_echo's own statement ran").toHaveLength(1);
      expect(answer[0]?.answer.echo).toEqual([lastEarlier.notes, Math.max(...(answer[0]?.answer.outcomes ?? []))]);
      expect(rowsTouched((built[0] as (typeof built)[0]).plan, notes)).toBe(PUSHED + 1);
    } finally {
      await withSuperuser((client) => client.query(`update equinox.tables set echo_function = $2 where name = $1`, [notes, `_eq_${notes}_echo`]), cloud);
    }
  });

  it('a retried push: one lookup by key per row, to answer its duplicates', async () => {
    const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { label: `retried ${n}` }));
    const first = await own.push(tags, rows.map((row) => ({ row, base_version: null })));
    const { rows: answer, statements } = await explainAsDevice<{ answer: unknown[] }>(
      { tenant, device: 'till-1' },
      'select public.eq_push($1, $2::json) as answer',
      [tags, JSON.stringify(rows)],
      cloud,
    );
    expect(answer[0]?.answer).toEqual(first.map((outcome) => ({ status: 'duplicate', server_version: (outcome as Extract<PushOutcome, { status: 'applied' }>).server_version })));
    const readBack = statements.filter(({ query }) => query.includes('jsonb_agg(case'));
    expect(readBack, "the push step's read-back ran").toHaveLength(1);
    expect(rowsTouched((readBack[0] as (typeof readBack)[0]).plan, tags)).toBe(PUSHED);
  });
});
