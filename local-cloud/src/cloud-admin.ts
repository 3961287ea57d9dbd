import pg from 'pg';

/** Where a running local cloud is, as a test or another process knows it. */
export interface CloudCoordinates {
  readonly url: string;
  readonly serviceKey: string;
  /** The owner role's URL (`LocalCloud.pgUrl`): migrations run as it, as on Supabase as `postgres`. */
  readonly pgUrl: string;
}

/**
 * Applies SQL to a running local cloud from any process, as the owner role in `pgUrl`
 * (not a superuser, as Supabase's `postgres`), then asks its gateway to reload
 * PostgREST's schema cache and waits until that is done.
 *
 * @example
 * await applySql(cloud, 'create table if not exists notes (id text primary key)');
 */
export async function applySql(cloud: CloudCoordinates, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: cloud.pgUrl });
  await client.connect();
  try {
    // Concurrent DDL on the same functions fails ("tuple concurrently updated"); test files
    // applying migrations in parallel therefore take turns.
    await client.query('select pg_advisory_lock(7301505)');
    await client.query(sql);
  } finally {
    await client.end(); // ends the session, which releases the lock
  }
  const response = await fetch(`${cloud.url}/equinox/v1/reload-schema`, {
    method: 'POST',
    headers: { apikey: cloud.serviceKey },
  });
  if (response.status !== 204) {
    throw new Error(`the local cloud did not reload its schema: HTTP ${response.status} ${await response.text()}`);
  }
}
