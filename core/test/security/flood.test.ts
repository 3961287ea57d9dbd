import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { TokenMinter } from '@equinox-sync/local-cloud';
import { definePlugin, type Row } from '../../src/index.js';
import { cloudRows, installCloudSchema, openDevice, testCloud, uniqueSuffix, uniqueTenant } from '../../src/testing/index.js';

const cloud = testCloud();

/**
 * One tenant floods the cloud with pushes that can only be refused while another tenant
 * syncs: the other tenant's run must succeed. What bounds the flood: eq_push's row and
 * byte caps, a foreign row refused in one pass (no narrowing), the authenticated role's
 * statement timeout, the gateway's body cap.
 */
const CONCURRENT_PUSHES = 24;

const plugin = definePlugin({
  name: 'flood-test',
  version: '1.0.0',
  tables: [{ name: `flood_${uniqueSuffix()}`, columns: { body: { type: 'text' }, count: { type: 'integer' } }, strategy: 'LastWriteWins' }],
});
const table = plugin.tables[0]?.name ?? '';

function rows(count: number, tenant: string, fields: (i: number) => Row): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidv7(),
    tenant_id: tenant,
    updated_at: `${String(Date.now()).padStart(13, '0')}-${String(i % 10_000).padStart(4, '0')}-attacker`,
    deleted: false,
    ...fields(i),
  }));
}

interface FloodReport {
  readonly statuses: number[];
  readonly slowestMs: number;
}

async function flood(token: string, batch: () => Row[]): Promise<FloodReport> {
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: CONCURRENT_PUSHES }, async () => {
      try {
        const response = await fetch(`${cloud.url}/rest/v1/rpc/eq_push`, {
          method: 'POST',
          headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ p_table: table, p_rows: batch(), p_bases: {} }),
        });
        await response.text();
        return { status: response.status, ms: Date.now() - started };
      } catch {
        return { status: 0, ms: Date.now() - started }; // the connection was cut
      }
    }),
  );
  return { statuses: answers.map((answer) => answer.status), slowestMs: Math.max(...answers.map((answer) => answer.ms)) };
}

describe('a flood of refused pushes from one tenant', () => {
  const cases: { name: string; batch: (attacker: string, victim: string) => Row[] }[] = [
    { name: '5,000 rows of another tenant', batch: (_attacker, victim) => rows(5_000, victim, (i) => ({ body: `x${i}`, count: i })) },
    { name: '1,000 rows of another tenant (at the cap)', batch: (_attacker, victim) => rows(1_000, victim, (i) => ({ body: `x${i}`, count: i })) },
    {
      name: '1,000 rows out of range (at the cap)',
      batch: (attacker) => rows(1_000, attacker, (i) => ({ body: `x${i}`, count: 2 ** 60 + i })),
    },
  ];

  for (const flooding of cases) {
    it(`leaves another tenant's sync working: ${flooding.name}`, async () => {
      await installCloudSchema([plugin]);
      const attacker = uniqueTenant('attacker');
      const victim = uniqueTenant('victim');
      const token = await new TokenMinter(cloud.jwtSecret).mint({ app_metadata: { tenant_id: attacker, device_id: 'flooder' } });
      // The engine's default health timeout (3 s): the victim gets no more patience than in production.
      const device = await openDevice({ name: 'victim-till', tenant: victim, plugins: [plugin], sync: { healthTimeoutMs: 3_000 } });
      const store = device.store.forPlugin(plugin.name);
      for (let i = 0; i < 200; i++) store.insert(table, { body: `sale ${i}`, count: i });

      const attack = flood(token, () => flooding.batch(attacker, victim));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const result = await device.engine.syncNow();
      const victimMs = Date.now() - started;
      const report = await attack;
      console.log(`[flood] ${flooding.name}: ${CONCURRENT_PUSHES} pushes answered ${[...new Set(report.statuses)].join('/')} within ${report.slowestMs} ms; the other tenant's sync of 200 rows took ${victimMs} ms`);

      expect(result.error).toBeNull();
      expect(result.uploaded).toBe(200);
      // Refused whole (413: over the cap) or row by row (200 with rejected outcomes); never a timeout.
      expect(report.statuses.every((status) => status === 200 || status === 413)).toBe(true);
      expect((await cloudRows(table, victim)).length).toBe(200);
      expect(await cloudRows(table, attacker)).toEqual([]);
    });
  }
});
