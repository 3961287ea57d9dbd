/** What {@link readCloudRows} needs of a cloud: its URL and the service key. */
export interface CloudReadAccess {
  readonly url: string;
  readonly serviceKey: string;
}

/** PostgREST's `max-rows` on Supabase and on the local cloud: no answer holds more. */
const PAGE = 1000;

/**
 * Every row of a tenant in a table, read with the service key (bypasses RLS), in id
 * order, page by page: one request would stop at the API's 1,000-row cap.
 *
 * @example
 * const rows = await readCloudRows(cloud, 'products', 'store-1');
 */
export async function readCloudRows<T = Record<string, unknown>>(cloud: CloudReadAccess, table: string, tenant: string): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const response = await fetch(
      `${cloud.url}/rest/v1/${table}?tenant_id=eq.${encodeURIComponent(tenant)}&order=id&limit=${PAGE}&offset=${offset}`,
      { headers: { apikey: cloud.serviceKey, authorization: `Bearer ${cloud.serviceKey}` } },
    );
    if (!response.ok) throw new Error(`reading ${table}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as T[];
    rows.push(...page);
    if (page.length < PAGE) return rows;
  }
}
