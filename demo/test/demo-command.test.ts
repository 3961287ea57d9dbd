import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { equinox } from '../../host/test/host-kit.js';

describe('equinox demo', () => {
  it('runs the whole story to exit 0: devices agree, chains verify, head office sees every tenant, the licence holds', async () => {
    const { json, exit } = await equinox(['demo', '--json']);
    expect(exit).toBe(0);
    const summary = json as {
      unplugged: { device: string; offline: boolean; error: string | null; queued: number };
      concurrentEdit: { priceCents: Record<string, number> };
      stock: Record<string, { sku: string; quantity: number }[]>;
      fiscal: Record<string, { ok: boolean; chains: number; records: number; cloudRecords: number | null }>;
      master: { sku: string; quantity: number; tenants: number }[];
      licence: { refused: string | null };
      pendingUploads: number;
    };
    // With its cable unplugged, a till that has only pulled so far is offline: nothing sent, its changes queued.
    expect(summary.unplugged).toEqual({ device: 'store-a-till-2', offline: true, error: expect.stringMatching(/^offline: .*unreachable/), queued: 4 });
    expect(Object.values(summary.concurrentEdit.priceCents)).toEqual([1550, 1550]);
    expect(summary.stock['store-a-till-1']).toEqual([{ sku: 'COFFEE-1KG', quantity: 5 }]);
    expect(summary.stock['store-a-till-2']).toEqual([{ sku: 'COFFEE-1KG', quantity: 5 }]);
    expect(summary.stock['store-b-till-1']).toEqual([{ sku: 'TEA-250G', quantity: 19 }]);
    // Each till holds its own chain only (the invoices' pull scope): 3 and 2 links; the cloud holds both.
    expect(summary.fiscal['store-a-till-1']).toEqual({ ok: true, chains: 1, records: 3, cloudRecords: 5 });
    expect(summary.fiscal['store-a-till-2']).toEqual({ ok: true, chains: 1, records: 2, cloudRecords: 5 });
    expect(summary.master).toEqual([
      { sku: 'COFFEE-1KG', quantity: 5, tenants: 1 },
      { sku: 'TEA-250G', quantity: 19, tenants: 1 },
    ]);
    expect(summary.licence.refused).toContain('allows 2 devices');
    expect(summary.pendingUploads).toBe(0);

    // "Everything was stopped and removed": the folder, and a cluster kept outside it (as root).
    const dir = (json as { dir: string }).dir;
    expect(existsSync(dir)).toBe(false);
    const clusters = process.env.EQUINOX_CLUSTER_ROOT;
    if (clusters !== undefined && existsSync(clusters)) {
      const name = `equinox-pg-${createHash('sha256').update(join(dir, 'cloud')).digest('hex').slice(0, 16)}`;
      expect(readdirSync(clusters)).not.toContain(name);
    }
  });
});
