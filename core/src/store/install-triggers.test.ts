import { describe, expect, it } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import { LocalStore } from './local-store.js';
import { openTestStore } from './test-store.fixture.js';

const plugin = definePlugin({
  name: 'records',
  version: '1.0.0',
  tables: [{ name: 'entries', columns: { line: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true }],
});

function triggers(store: LocalStore): Record<string, string> {
  const rows = store.database.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`).all() as { name: string; sql: string }[];
  return Object.fromEntries(rows.map((row) => [row.name, row.sql]));
}

describe('installTriggers on open', () => {
  it('leaves the schema untouched when the stored triggers are the wanted ones', () => {
    const { store, path } = openTestStore([plugin]);
    const before = store.database.pragma('schema_version', { simple: true });
    const again = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a' });
    try {
      // Other connections keep their compiled statements: nothing was dropped or re-created.
      expect(again.database.pragma('schema_version', { simple: true })).toBe(before);
    } finally {
      again.close();
    }
  });

  it('re-creates every trigger of a table when one of them differs from the wanted SQL', () => {
    const { store, path } = openTestStore([plugin]);
    const wanted = triggers(store);
    store.database.exec(`DROP TRIGGER "_eq_entries_bd_append_only";
      CREATE TRIGGER "_eq_entries_bd_append_only" BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'row ' || OLD.id); END`);
    store.database.exec(`CREATE TRIGGER "_eq_entries_stale" AFTER INSERT ON entries BEGIN SELECT 1; END`);
    const again = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a' });
    try {
      expect(triggers(again)).toEqual(wanted);
    } finally {
      again.close();
    }
  });
});
