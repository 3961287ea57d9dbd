import { deviceClaims } from '@equinox-sync/local-cloud';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { withSuperuser } from './superuser.js';

/** A node of a plan as Postgres's auto_explain gives it in JSON, as far as counting rows needs. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Join Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** A statement Postgres ran, nested ones (a function's, a trigger's) included, with the plan it ran. */
export interface RanStatement {
  readonly query: string;
  readonly plan: PlanNode;
}

/**
 * Runs `sql` as a device of `tenant` reaches it through the REST API — role
 * `authenticated`, the device's claims in `request.jwt.claims`, row-level security on —
 * and answers its rows with every statement it ran and the plan each ran with
 * (auto_explain, analyzed). On a superuser connection, in a transaction rolled back
 * afterwards: the cloud keeps nothing of it. For tests that bound the work of a cloud
 * function by what it reads, not by how long it takes.
 *
 * @example
 * const { statements } = await explainAsDevice({ tenant, device: 'till-1' }, 'select public.eq_push($1, $2::json)', ['notes', rows]);
 * expect(statements.reduce((sum, s) => sum + rowsTouched(s.plan, 'notes'), 0)).toBeLessThan(20);
 */
export function explainAsDevice<Row = Record<string, unknown>>(
  device: { readonly tenant: string; readonly device?: string },
  sql: string,
  params: readonly unknown[],
  cloud?: Pick<TestCloud, 'adminPgUrl'>,
): Promise<{ rows: Row[]; statements: RanStatement[] }> {
  return withSuperuser(async (client) => {
    const statements: RanStatement[] = [];
    client.on('notice', (notice: { message?: string }) => {
      const json = notice.message?.match(/plan:\s*(\{[\s\S]*\})\s*$/)?.[1];
      if (json === undefined) return;
      const explained = JSON.parse(json) as { 'Query Text': string; Plan: PlanNode };
      statements.push({ query: explained['Query Text'], plan: explained.Plan });
    });
    await client.query('begin');
    try {
      await client.query(`load 'auto_explain'`);
      await client.query(`set local auto_explain.log_min_duration = 0; set local auto_explain.log_analyze = on;
        set local auto_explain.log_nested_statements = on; set local auto_explain.log_format = json; set local auto_explain.log_level = notice`);
      const claims = deviceClaims({ tenant: device.tenant, role: 'store', ...(device.device === undefined ? {} : { device: device.device }) });
      await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [JSON.stringify(claims)]);
      const { rows } = await client.query(sql, [...params]);
      return { rows: rows as Row[], statements };
    } finally {
      await client.query('rollback');
    }
  }, cloud);
}

/**
 * The rows a plan read from `table`: each scan of it, the rows it kept (times its loops)
 * and those its filters threw away, plus every row a join threw away — the work a
 * statement did that grows with what the table holds. Scans of other relations (the
 * catalog, another table) do not count.
 *
 * @example
 * rowsTouched(statement.plan, 'notes'); // 1 for a lookup by primary key
 */
export function rowsTouched(node: PlanNode, table: string): number {
  const scanned = node['Relation Name'] === table
    ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)
    : 0;
  return scanned + (node['Rows Removed by Join Filter'] ?? 0) + (node.Plans ?? []).reduce((sum, child) => sum + rowsTouched(child, table), 0);
}

/**
 * Whether a plan reads `table` anywhere.
 *
 * @example
 * statements.filter(({ plan }) => readsTable(plan, 'notes'));
 */
export function readsTable(node: PlanNode, table: string): boolean {
  return node['Relation Name'] === table || (node.Plans ?? []).some((child) => readsTable(child, table));
}
