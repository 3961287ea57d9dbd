import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../src/index.js';
import { installPlugin, newRow } from '../protocol-kit.js';
import { deviceRemote, deviceToken, hasIds, pullAll, supabaseClient, uniqueName, uniqueTenant } from '../../src/testing/index.js';

const cloud = inject('cloud');
const table = uniqueName('sec_limits');
const filled = uniqueName('sec_filled');

/** A JSON text nested `depth` arrays deep, written by hand: no parser or serialiser recursion on this side. */
function nestedJsonText(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** The row as JSON text with `column` set to the raw JSON text `value`. */
function withRawJson(row: Row, column: string, value: string): string {
  return `${JSON.stringify(row).slice(0, -1)},${JSON.stringify(column)}:${value}}`;
}

/**
 * Every device must be able to decode every row it pulls, so the cloud holds each column
 * to the limits the devices enforce: a value out of range is refused with the column's
 * name, whichever way it comes, and the rest of its batch goes in.
 */
describe('value limits in the cloud', () => {
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'sec-limits-test',
      version: '1.0.0',
      tables: [
        {
          name: table,
          columns: {
            qty: { type: 'integer', min: 0, max: 1000 },
            big: { type: 'integer' },
            ratio: { type: 'real' },
            label: { type: 'text', maxLength: 5 },
            note: { type: 'text' },
            meta: { type: 'json', maxBytes: 200, maxDepth: 3 },
            doc: { type: 'json' },
          },
          strategy: 'LastWriteWins',
        },
        { name: filled, columns: { label: { type: 'text', nullable: false }, qty: { type: 'integer', max: 10 } }, strategy: 'LastWriteWins' },
      ],
      // A plugin's own BEFORE trigger that mends rows: the cloud must not refuse them untried.
      serverSql: `create or replace function public.${filled}_mend() returns trigger language plpgsql as $$
        begin new.label := coalesce(new.label, 'mended'); new.qty := least(new.qty, 10); return new; end $$;
        create or replace trigger mend before insert or update on public.${filled} for each row execute function public.${filled}_mend();`,
    });
    tenant = uniqueTenant('limits');
    token = await deviceToken(tenant);
  });

  /** eq_push with a hand-written p_rows text, so out-of-range values reach the cloud exactly as sent. */
  async function pushRaw(rowsJson: string[], into = table): Promise<unknown[]> {
    const response = await fetch(`${cloud.url}/rest/v1/rpc/eq_push`, {
      method: 'POST',
      headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `{"p_table":${JSON.stringify(into)},"p_rows":[${rowsJson.join(',')}]}`,
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    return JSON.parse(text) as unknown[];
  }

  const cases: Array<[string, string, (row: Row) => string]> = [
    ['an integer above its max', 'qty', (row) => JSON.stringify({ ...row, qty: 1001 })],
    ['an integer below its min', 'qty', (row) => JSON.stringify({ ...row, qty: -1 })],
    ['an integer above 2^53 - 1', 'big', (row) => withRawJson(row, 'big', '9007199254740993')],
    ['NaN in a real column', 'ratio', (row) => JSON.stringify({ ...row, ratio: 'NaN' })],
    ['Infinity in a real column', 'ratio', (row) => JSON.stringify({ ...row, ratio: '-Infinity' })],
    ['a text over its length, counted in characters', 'label', (row) => JSON.stringify({ ...row, label: 'ééééé€' })],
    ['a text over the default 10,000 characters', 'note', (row) => JSON.stringify({ ...row, note: 'x'.repeat(10_001) })],
    ['a json value over its bytes', 'meta', (row) => JSON.stringify({ ...row, meta: { text: 'y'.repeat(200) } })],
    ['a json value nested deeper than declared', 'meta', (row) => withRawJson(row, 'meta', nestedJsonText(4))],
    ['a json value nested 5,000 deep', 'doc', (row) => withRawJson(row, 'doc', nestedJsonText(5000))],
  ];

  it('rejects each out-of-range value through eq_push, naming the column, and applies the rest of the batch', async () => {
    const good = [newRow(tenant, { qty: 1000, big: 9_007_199_254_740_991, ratio: 1.5, label: 'ééééé', meta: [[[1]]] })];
    const bad = cases.map(() => newRow(tenant, {}));
    const rowsJson = [JSON.stringify(good[0]), ...cases.map(([, , make], n) => make(bad[n] as Row))];
    const answers = await pushRaw(rowsJson);
    expect(typeof answers[0]).toBe('number');
    cases.forEach(([what, column], n) => {
      expect(answers[n + 1], what).toMatchObject({ status: 'rejected', code: '23514' });
      expect((answers[n + 1] as { reason: string }).reason, what).toContain(`"_eq_limit_${column}"`);
    });
    const { rows } = await pullAll(await deviceRemote(tenant), table, { until: hasIds([good[0]?.id]) });
    expect(rows.map((row) => row.id)).toEqual([good[0]?.id]);
  });

  it('answers rows refused without a try in the very words Postgres gives a direct insert of each', async () => {
    const refused: Array<[string, (row: Row) => string]> = [
      ['out of range', (row) => JSON.stringify({ ...row, qty: 5000 })],
      ['a required value missing', (row) => JSON.stringify({ ...row, updated_at: null })],
      ['not an integer', (row) => JSON.stringify({ ...row, qty: 'many' })],
      ['an integer beyond bigint', (row) => withRawJson(row, 'big', '99999999999999999999')],
      ['not a boolean', (row) => JSON.stringify({ ...row, deleted: 'perhaps' })],
      ['a server_version that is no integer', (row) => JSON.stringify({ ...row, server_version: 1.5 })],
    ];
    const rows = refused.map(([, make]) => make(newRow(tenant, {})));
    const answers = await pushRaw([...rows, JSON.stringify(newRow(tenant, { qty: 1 })), '7']);
    expect(typeof answers[refused.length]).toBe('number');
    // Not even an object, so not the caller's row: answered as row-level security answers it.
    expect(answers[refused.length + 1]).toEqual({ status: 'rejected', code: '42501', reason: `new row violates row-level security policy for table "${table}"` });
    for (const [n, [what]] of refused.entries()) {
      const response = await fetch(`${cloud.url}/rest/v1/${table}`, {
        method: 'POST',
        headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: rows[n],
      });
      const direct = (await response.json()) as { code: string; message: string };
      expect(answers[n], what).toEqual({ status: 'rejected', code: direct.code, reason: direct.message });
    }
  });

  it("tries the rows a plugin's own BEFORE trigger may mend rather than refusing them untried", async () => {
    const mended = newRow(tenant, { label: null, qty: 50 });
    const foreign = newRow(uniqueTenant('elsewhere'), { label: 'x', qty: 1 }); // makes the batch fail as a whole
    const answers = await pushRaw([JSON.stringify(mended), JSON.stringify(foreign)], filled);
    expect(typeof answers[0]).toBe('number');
    expect(answers[1]).toMatchObject({ status: 'rejected', code: '42501' });
    const { data } = await supabaseClient(cloud.serviceKey).from(filled).select('label, qty').eq('id', mended.id);
    expect(data).toEqual([{ label: 'mended', qty: 10 }]);
  });

  it('rejects each out-of-range value inserted directly through REST, naming the column', async () => {
    for (const [what, column, make] of cases) {
      const response = await fetch(`${cloud.url}/rest/v1/${table}`, {
        method: 'POST',
        headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: make(newRow(tenant, {})),
      });
      const answer = (await response.json()) as { code?: string; message?: string };
      expect(answer.code, what).toBe('23514');
      expect(answer.message, what).toContain(`"_eq_limit_${column}"`);
    }
    const fine = newRow(tenant, { qty: 0, note: 'x'.repeat(10_000), doc: { a: [1, 2, { b: null }] } });
    expect((await supabaseClient(cloud.anonKey, { token: token }).from(table).insert(fine)).error).toBeNull();
  });
});
