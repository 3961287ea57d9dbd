import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConflictStrategy, PushOutcome, RemoteStore, Row } from '../src/index.js';
import { hlc, installPlugin, newRow } from './protocol-kit.js';
import { deviceRemote, supabaseClient, uniqueName, uniqueTenant } from '../src/testing/index.js';

const cloud = inject('cloud');
const tables: Record<ConflictStrategy, string> = {
  LocalWins: uniqueName('strat_local'),
  RemoteWins: uniqueName('strat_remote'),
  LastWriteWins: uniqueName('strat_lww'),
  Manual: uniqueName('strat_manual'),
};
const ledger = uniqueName('strat_ledger');

/** The version a device keeps as its base after an applied or duplicate outcome. */
function versionOf(outcome: PushOutcome | undefined): number {
  if (outcome?.status !== 'applied' && outcome?.status !== 'duplicate') throw new Error(`expected a version, got ${JSON.stringify(outcome)}`);
  return outcome.server_version;
}

async function cloudRow(table: string, id: unknown): Promise<Row | null> {
  const { data, error } = await supabaseClient(cloud.serviceKey).from(table).select('*').eq('id', id).maybeSingle();
  if (error) throw new Error(error.message);
  return data as Row | null;
}

describe('eq_push settles a row changed on both sides by the table strategy', () => {
  let tenant: string;
  let deviceA: RemoteStore;
  let deviceB: RemoteStore;

  beforeAll(async () => {
    await installPlugin(cloud, {
      name: 'strategy-test',
      version: '1.0.0',
      tables: [
        ...Object.entries(tables).map(([strategy, name]) => ({
          name,
          columns: { body: { type: 'text' as const } },
          strategy: strategy as ConflictStrategy,
        })),
        { name: ledger, columns: { body: { type: 'text' } }, strategy: 'LocalWins', appendOnly: true },
      ],
    });
    tenant = uniqueTenant('strategy');
    deviceA = await deviceRemote(tenant);
    deviceB = await deviceRemote(tenant);
  });

  /**
   * A creates a row (version v1); B, having pulled v1, changes it (v2); A, still on v1,
   * pushes its own change. Returns A's outcome and the row as the cloud keeps it.
   */
  async function concurrentEdit(table: string, clocks: { a: number; b: number }) {
    const row = newRow(tenant, { body: 'original' }, hlc(1_000, 0, 'devA'));
    const v1 = versionOf((await deviceA.push(table, [{ row, base_version: null }]))[0]);
    const fromB: Row = { ...row, body: 'edited on B', updated_at: hlc(clocks.b, 0, 'devB') };
    const v2 = versionOf((await deviceB.push(table, [{ row: fromB, base_version: v1 }]))[0]);
    const fromA = { ...row, body: 'edited on A', updated_at: hlc(clocks.a, 0, 'devA') };
    const [outcome] = await deviceA.push(table, [{ row: fromA, base_version: v1 }]);
    return { outcome, v2, stored: await cloudRow(table, row.id), fromB };
  }

  it('applies an edit made on the version the cloud still has, whatever the strategy', async () => {
    for (const table of Object.values(tables)) {
      const row = newRow(tenant, { body: 'v1' }, hlc(5_000, 0, 'devA'));
      const v1 = versionOf((await deviceA.push(table, [{ row, base_version: null }]))[0]);
      const [outcome] = await deviceA.push(table, [{ row: { ...row, body: 'v2', updated_at: hlc(4_000, 0, 'devA') }, base_version: v1 }]);
      expect(outcome, table).toMatchObject({ status: 'applied' });
      expect(versionOf(outcome)).toBeGreaterThan(v1);
    }
  });

  it('LocalWins: the stale device still overwrites', async () => {
    const { outcome, stored } = await concurrentEdit(tables.LocalWins, { a: 2_000, b: 3_000 });
    expect(outcome).toMatchObject({ status: 'applied' });
    expect(stored?.body).toBe('edited on A');
  });

  for (const strategy of ['RemoteWins', 'Manual'] as const) {
    it(`${strategy}: the stale device gets a conflict carrying the cloud row`, async () => {
      const { outcome, stored, v2, fromB } = await concurrentEdit(tables[strategy], { a: 3_000, b: 2_000 });
      expect(outcome).toEqual({ id: fromB.id, status: 'conflict', row: { ...fromB, server_version: v2 } });
      expect(stored?.body).toBe('edited on B');
    });
  }

  it('LastWriteWins: the later clock wins, whichever arrives first', async () => {
    const later = await concurrentEdit(tables.LastWriteWins, { a: 3_000, b: 2_000 });
    expect(later.outcome).toMatchObject({ status: 'applied' });
    expect(later.stored?.body).toBe('edited on A');

    const earlier = await concurrentEdit(tables.LastWriteWins, { a: 2_000, b: 3_000 });
    expect(earlier.outcome).toMatchObject({ status: 'conflict', row: { body: 'edited on B' } });
    expect(earlier.stored?.body).toBe('edited on B');
  });

  it('LastWriteWins: on equal wall time and counter the device id breaks the tie, byte-wise', async () => {
    const { outcome, stored } = await concurrentEdit(tables.LastWriteWins, { a: 3_000, b: 3_000 });
    // 'devA' < 'devB': B's write is the later one, so A's is refused.
    expect(outcome).toMatchObject({ status: 'conflict' });
    expect(stored?.body).toBe('edited on B');
  });

  it('append-only: an existing id is a duplicate and is never overwritten', async () => {
    const row = newRow(tenant, { body: 'evidence' });
    const [first] = await deviceA.push(ledger, [{ row, base_version: null }]);
    const [again] = await deviceB.push(ledger, [{ row: { ...row, body: 'tampered', updated_at: hlc(9_999_999_999_999, 0, 'devB') }, base_version: null }]);
    expect(again).toEqual({ id: row.id, status: 'duplicate', server_version: versionOf(first) });
    expect((await cloudRow(ledger, row.id))?.body).toBe('evidence');
  });
});
