import { beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { deviceClaims } from '@equinox-sync/local-cloud';
import type { PushOutcome, Row, SupabaseRemote } from '../src/index.js';
import { installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, uniqueName, uniqueTenant, withSuperuser } from '../src/testing/index.js';

// A push's echo (`push_echo`) reads the rows of the push's own span of versions and the one
// row before it, whatever the tenant holds: a shop with a year of invoices pays for each
// push what a new shop pays. Counted in the plans Postgres ran (auto_explain, as the
// superuser): every row a node of the echo's statement read or threw away.

const cloud = inject('cloud');
const notes = uniqueName('echo_reads_notes');
const receipts = uniqueName('echo_reads_receipts');

const EARLIER_ROWS = 3_000;
const PUSHED = 10;

/** A plan node of auto_explain's JSON output, as far as the count needs it. */
interface PlanNode {
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Join Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** Rows a plan read from `table` plus every row any of its nodes discarded. */
function rowsTouched(node: PlanNode, table: string): number {
  const read = node['Relation Name'] === table ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  const removed = (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Join Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
  return read + removed + (node.Plans ?? []).reduce((sum, child) => sum + rowsTouched(child, table), 0);
}

/**
 * Pushes `rows` with an echo as the device of `claims` would (eq_push, p_echo), in a
 * transaction of the superuser's connection with auto_explain on; answers the echo and the
 * rows the echo's statement touched. Rolled back: the cloud keeps nothing of it.
 */
async function echoedPush(client: pg.Client, table: string, rows: readonly object[], claims: object): Promise<{ echo: unknown; outcomes: unknown[]; touched: number }> {
  const plans: { query: string; plan: PlanNode }[] = [];
  const onNotice = (notice: { message?: string }): void => {
    const json = notice.message?.match(/plan:\s*(\{[\s\S]*\})\s*$/)?.[1];
    if (json === undefined) return;
    const explained = JSON.parse(json) as { 'Query Text': string; Plan: PlanNode };
    plans.push({ query: explained['Query Text'], plan: explained.Plan });
  };
  client.on('notice', onNotice);
  try {
    await client.query('begin');
    await client.query(`load 'auto_explain'`);
    await client.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_analyze = on;
      set local auto_explain.log_nested_statements = on; set local auto_explain.log_format = json; set local auto_explain.log_level = notice`);
    await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [JSON.stringify(claims)]);
    const { rows: answer } = await client.query<{ answer: { outcomes: unknown[]; echo: unknown } }>(
      `select public.eq_push($1, $2::json, null, true) as answer`,
      [table, JSON.stringify(rows)],
    );
    const echoPlans = plans.filter(({ query }) => query.includes('server_version between'));
    expect(echoPlans, 'the echo ran its span statement').toHaveLength(1);
    const touched = echoPlans.reduce((sum, { plan }) => sum + rowsTouched(plan, table), 0);
    return { echo: answer[0]?.answer.echo, outcomes: answer[0]?.answer.outcomes ?? [], touched };
  } finally {
    await client.query('rollback');
    client.off('notice', onNotice);
  }
}

describe("a push's echo reads its own span, not the tenant's rows", () => {
  const tenant = uniqueTenant('echo-reads');
  let lastEarlier: { notes: number; receipts: number };

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'echo-reads-test',
      version: '1.0.0',
      tables: [
        { name: notes, columns: { body: { type: 'text' } }, strategy: 'LastWriteWins' },
        { name: receipts, columns: { till: { type: 'text', nullable: false }, total: { type: 'text' } }, strategy: 'LocalWins', pullScope: { column: 'till', claim: 'device_id' } },
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
    const shop = uniqueTenant('echo-reads-shop');
    const shopTill = await deviceRemote(shop, 'till-9');
    await pushAll(shopTill, shop, notes, (n) => ({ body: `shop ${n}` }), EARLIER_ROWS);
    await pushAll(shopTill, shop, receipts, (n) => ({ till: 'till-9', total: String(n) }), EARLIER_ROWS);
    await withSuperuser((client) => client.query(`analyze public.${notes}, public.${receipts}`), cloud);
    // This tenant's history: notes, and receipts of another till (a scope the pushing till never pulls) then a few of its own.
    const own = await deviceRemote(tenant, 'till-1');
    const notesBefore = await pushAll(own, tenant, notes, (n) => ({ body: `note ${n}` }), EARLIER_ROWS);
    await pushAll(await deviceRemote(tenant, 'till-2'), tenant, receipts, (n) => ({ till: 'till-2', total: String(n) }), EARLIER_ROWS);
    lastEarlier = { notes: notesBefore, receipts: await pushAll(own, tenant, receipts, (n) => ({ till: 'till-1', total: String(n) }), 20) };
  });

  it('in a table of the whole tenant: the pushed rows and the one before', async () => {
    const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { body: `new ${n}` }));
    const { echo, outcomes, touched } = await withSuperuser((client) => echoedPush(client, notes, rows, deviceClaims({ tenant, device: 'till-1' })), cloud);
    expect(echo).toEqual([lastEarlier.notes, Math.max(...(outcomes as number[]))]);
    expect(touched).toBeGreaterThanOrEqual(PUSHED);
    expect(touched).toBeLessThanOrEqual(PUSHED + 1);
  });

  it("in a table scoped by till: the till's pushed rows and its row before, none of another till's", async () => {
    const rows = Array.from({ length: PUSHED }, (_, n) => newRow(tenant, { till: 'till-1', total: `new ${n}` }));
    const { echo, outcomes, touched } = await withSuperuser((client) => echoedPush(client, receipts, rows, deviceClaims({ tenant, device: 'till-1' })), cloud);
    expect(echo).toEqual([lastEarlier.receipts, Math.max(...(outcomes as number[]))]);
    expect(touched).toBeGreaterThanOrEqual(PUSHED);
    expect(touched).toBeLessThanOrEqual(PUSHED + 1);
  });
});
