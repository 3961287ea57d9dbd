import { beforeAll, describe, expect, inject, it } from 'vitest';
import { fiscalPlugin, generateInstallationKeyPair, type FiscalRecord } from '../src/index.js';
import { buildChain } from './chain-fixtures.js';
import { deviceToken, explainAsDevice, installCloudSchema, pushRows, rowsTouched, uniqueTenant, withSuperuser } from '@equinox-sync/core/testing';
import { invoiceRow } from './hostile-kit.js';

// The cloud's guard of the invoices table checks each new link against the chain: its
// lookups read the rows they need (the id, the chain's last link, the series' last
// number), not the tenant's invoices, so a shop with a year of invoices appends a link at
// the cost of its first. Counted in the plans Postgres ran for the guard's statements.
// Statistics from before the tenant's invoices, as a cloud mostly has them for its newest
// shops: planned for that tenant, a lookup would take it for a single row and could read
// all of them through any index that starts with tenant_id.

const cloud = inject('cloud');
const HISTORY = 600;

/** Uploads `chain` with the till's token in batches; every link must apply. */
async function upload(tenant: string, device: string, chain: readonly FiscalRecord[]): Promise<void> {
  const token = await deviceToken(tenant, device);
  for (let at = 0; at < chain.length; at += 200) {
    const outcomes = await pushRows('invoices', chain.slice(at, at + 200).map((record) => invoiceRow(tenant, record)), { token });
    expect(outcomes.every((outcome) => outcome.status === 'applied')).toBe(true);
  }
}

describe("the invoices guard reads a link's neighbours, not the tenant's chain", () => {
  const tenant = uniqueTenant('guard-reads');
  const chain = buildChain(generateInstallationKeyPair(), HISTORY + 1, { installation_id: 'till-1' });

  beforeAll(async () => {
    await installCloudSchema([fiscalPlugin], cloud);
    const shop = uniqueTenant('guard-reads-shop');
    await upload(shop, 'till-9', buildChain(generateInstallationKeyPair(), 300, { installation_id: 'till-9' }));
    await withSuperuser((client) => client.query('analyze public.invoices'), cloud);
    await upload(tenant, 'till-1', chain.slice(0, HISTORY));
  });

  it('appends the next link reading a handful of rows', async () => {
    const next = chain[HISTORY] as FiscalRecord;
    const { rows, statements } = await explainAsDevice<{ answer: unknown[] }>(
      { tenant, device: 'till-1' },
      'select public.eq_push($1, $2::json) as answer',
      ['invoices', JSON.stringify([invoiceRow(tenant, next)])],
      cloud,
    );
    expect(rows[0]?.answer).toEqual([expect.any(Number)]);
    const guard = statements.filter(({ query }) => query.includes('public.invoices i'));
    expect(guard.length, "the guard's lookups ran").toBeGreaterThanOrEqual(3);
    for (const { query, plan } of guard) expect(rowsTouched(plan, 'invoices'), query.trim()).toBeLessThanOrEqual(2);
  });
});
