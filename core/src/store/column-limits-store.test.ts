import { describe, expect, it } from 'vitest';
import { definePlugin, MAX_SAFE_INTEGER } from '../declarations/index.js';
import { describeBreach, rowLimitBreach } from './column-check.js';
import { ColumnLimitError } from './store-error.js';
import { openTestStore } from './test-store.fixture.js';

const plugin = definePlugin({
  name: 'ledger',
  version: '1.0.0',
  tables: [
    {
      name: 'lines',
      columns: {
        qty: { type: 'integer', min: 0, max: 1_000 },
        total: { type: 'integer' },
        note: { type: 'text', maxLength: 5 },
        doc: { type: 'json' },
        rate: { type: 'real', max: 1 },
      },
      strategy: 'LastWriteWins',
    },
  ],
});

function refusal(write: () => unknown): ColumnLimitError {
  try {
    write();
  } catch (error) {
    if (error instanceof ColumnLimitError) return error;
    throw error;
  }
  throw new Error('the write was accepted');
}

describe('column limits on the store API', () => {
  it('refuses an insert or update outside a limit, naming plugin, table, row, column and rule, and writes nothing', () => {
    const { store } = openTestStore([plugin]);
    const lines = store.forPlugin('ledger');
    const deep = JSON.parse('['.repeat(5_000) + ']'.repeat(5_000)) as unknown;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ qty: 1_001 }, 'qty', 'must be at most 1000'],
      [{ qty: -1 }, 'qty', 'must be at least 0'],
      [{ total: 2n ** 60n }, 'total', `must be an integer within ±${MAX_SAFE_INTEGER}`],
      [{ note: 'sixsix' }, 'note', 'must be at most 5 characters (has 6)'],
      [{ doc: deep }, 'doc', 'must nest at most 32 levels deep (has 5000)'],
      [{ doc: { s: 'x'.repeat(70_000) } }, 'doc', 'must be at most 65536 bytes of JSON (has 70008)'],
      [{ rate: 1.5 }, 'rate', 'must be at most 1'],
    ];
    for (const [values, column, rule] of cases) {
      const error = refusal(() => lines.insert('lines', { id: 'new-row', ...values }));
      expect(error.message).toBe(`plugin "ledger" table "lines" row "new-row" column "${column}": ${rule}`);
      expect({ plugin: error.plugin, table: error.table, rowId: error.rowId, column: error.column, rule: error.rule }).toEqual({
        plugin: 'ledger',
        table: 'lines',
        rowId: 'new-row',
        column,
        rule,
      });
    }
    expect(lines.query('lines')).toEqual([]);
    expect(store.pendingUploads()).toBe(0);

    const { id } = lines.insert('lines', { qty: 1, note: 'ok', doc: { a: [1] }, total: 2n ** 52n });
    const error = refusal(() => lines.update('lines', String(id), { qty: 5_000 }));
    expect(error.message).toBe(`plugin "ledger" table "lines" row "${String(id)}" column "qty": must be at most 1000`);
    expect(lines.get('lines', String(id))).toMatchObject({ qty: 1, total: 2 ** 52 });
  });

  it('finds a plain-SQL write outside a limit in the row the upload would send', () => {
    const { store } = openTestStore([plugin]);
    store.database.prepare(`INSERT INTO lines (id, tenant_id, updated_at, qty, note, doc) VALUES ('a', 'tenant-a', '0', 5, 'fine', ?)`).run('['.repeat(40) + ']'.repeat(40));
    store.database.prepare(`INSERT INTO lines (id, tenant_id, updated_at, total) VALUES ('b', 'tenant-a', '0', ?)`).run(2n ** 60n);
    store.database.prepare(`INSERT INTO lines (id, tenant_id, updated_at, note) VALUES ('c', 'tenant-a', '0', 'too long')`).run();
    const table = store.tableDefinitions()[0]!;
    const breaches = store.readOutboxBatch().map((entry) => rowLimitBreach(table, entry.row));
    expect(breaches.map((breach) => (breach === undefined ? undefined : describeBreach(breach)))).toEqual([
      'column "doc": must nest at most 32 levels deep (has 40) (22023)',
      `column "total": must be an integer within ±${MAX_SAFE_INTEGER} (22003)`,
      'column "note": must be at most 5 characters (has 8) (22001)',
    ]);
    // A json string holding brackets is judged as the JSON it is sent as, not as nesting.
    expect(rowLimitBreach(table, { id: 'd', doc: '['.repeat(100) })).toBeUndefined();
  });
});
