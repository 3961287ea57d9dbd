import { compileServerSchema } from '@equinox-sync/core/server';
import { INVENTORY_SCHEMA, inventoryPlugin } from '@equinox-sync/plugin-inventory';
import { applySql } from '@equinox-sync/local-cloud';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { BenchCloud } from '../cloud-fixture.js';
import { compare, progress, type Variant } from '../measure.js';
import { row, type CaseReport, type ResultRow } from '../report.js';

const TENANTS = 1000;
const SKUS = 500;
const SIZES = [100_000, 1_000_000] as const;

/** Movements `first..last` spread over the tenants and SKUs: mostly purchases, every seventh a sale. */
function seedSql(first: number, last: number): string {
  const wall = Date.now();
  return `insert into public.stock_movements (id, tenant_id, updated_at, deleted, product_id, sku, delta, reason, location, occurred_at)
    select uuidv7()::text, 'bench-master-' || (g % ${TENANTS}),
           lpad((${wall} + g / 1000)::text, 13, '0') || '-' || lpad((g % 1000)::text, 6, '0') || '-seed', false,
           'product-' || (g % ${SKUS}), 'SKU-' || lpad((g % ${SKUS})::text, 4, '0'),
           case when g % 7 = 0 then -1 else 2 end, case when g % 7 = 0 then 'sale' else 'purchase' end,
           'main', now()
      from generate_series(${first}, ${last}) as g`;
}

/** What a head-office device asks for: the totals per SKU over every tenant. */
async function masterRead(client: SupabaseClient): Promise<void> {
  const { data, error } = await client.rpc('inventory_master');
  if (error) throw new Error(`inventory_master(): ${error.message}`);
  if (!Array.isArray(data) || data.length !== SKUS) throw new Error(`inventory_master() answered ${Array.isArray(data) ? data.length : typeof data} rows, expected ${SKUS}`);
}

/** The same answer computed on demand from the movements, as a cloud without the plugin's totals would. */
const NAIVE_SQL = `select sku, sum(quantity)::bigint as quantity, (count(*) filter (where quantity <> 0))::integer as tenants
  from (select tenant_id, sku, sum(delta) as quantity from public.stock_movements where not deleted group by tenant_id, sku) per_tenant
 group by sku having count(*) filter (where quantity <> 0) > 0 order by sku`;

/**
 * master: the inventory plugin's master read (`inventory_master()` over supabase-js, a
 * head-office token) at 100k and at 1M movements over 1,000 tenants and 500 SKUs,
 * against the same totals aggregated on demand from the movements (SQL, superuser).
 * Movements are seeded as the superuser; the plugin's statement trigger counts them into
 * the tenants' totals and the master's delta log, which pushes fold every 1,000 rows: the
 * read sums the folded rows and the deltas still pending, and the note says how many.
 */
export async function masterCase(options: { reps: number; cloud: BenchCloud }): Promise<CaseReport> {
  const { reps, cloud } = options;
  progress('master: installing the inventory plugin in the cloud');
  await applySql(cloud.cloud, compileServerSchema([inventoryPlugin]));
  const headOffice = await cloud.tokenWith({ tenant_id: 'bench-head-office', eq_role: 'master' });
  const client = await cloud.clientWithToken(headOffice);
  const rows: ResultRow[] = [];
  const reads: number[] = [];
  let seeded = 0;
  for (const size of SIZES) {
    for (let first = seeded + 1; first <= size; first += 100_000) {
      const last = Math.min(size, first + 99_999);
      await cloud.query(seedSql(first, last));
      progress(`master: ${last.toLocaleString('en-US')} movements seeded`);
    }
    seeded = size;
    await cloud.query('vacuum analyze public.stock_movements');
    const [pending] = await cloud.query<{ n: number }>(`select count(*)::int as n from ${INVENTORY_SCHEMA}.master_deltas`);
    const label = `${size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`} movements`;
    const variants: Variant<null>[] = [
      { name: `inventory_master() read, ${label}`, prepare: () => null, run: () => masterRead(client) },
      {
        name: `naive aggregate of the movements (SQL), ${label}`,
        prepare: () => null,
        async run() {
          const answer = await cloud.query(NAIVE_SQL);
          if (answer.length !== SKUS) throw new Error(`the naive aggregate answered ${answer.length} rows`);
        },
      },
    ];
    const [read, naive] = await compare(`master ${label}`, reps, variants as Variant<never>[]);
    const readRow = row({ case: 'master', variant: read!.name, rows: size, medianMs: read!.median, samplesMs: read!.samples, rowsPerSec: undefined, note: `${SKUS} SKUs, ${TENANTS} tenants, ${pending?.n ?? 0} deltas pending` });
    const naiveRow = row({ case: 'master', variant: naive!.name, rows: size, medianMs: naive!.median, samplesMs: naive!.samples, rowsPerSec: undefined });
    rows.push({ ...readRow, ratio: { value: naive!.median / read!.median, against: 'naive aggregate (speed-up)' } }, naiveRow);
    reads.push(read!.median);
  }
  const growth = (reads[1] ?? 0) / (reads[0] ?? 1);
  return {
    rows,
    targets: [],
    notes: [
      `master: no target was set; the read at 1M movements took ${growth.toFixed(2)}× its time at 100k (the totals are kept by a statement trigger, so the read does not grow with the movements).`,
    ],
  };
}
