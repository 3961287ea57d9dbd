import pg from 'pg';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { testCloud } from './run-cloud.js';

/**
 * Runs `fn` with a superuser connection to the cloud's Postgres, closed afterwards: for
 * what no API role may do (back a cloud up, restore it, drop its checks, read `txid`).
 *
 * @example
 * const { rows } = await withSuperuser((client) => client.query('select count(*) from public.notes'));
 */
export async function withSuperuser<T>(fn: (client: pg.Client) => Promise<T>, cloud: Pick<TestCloud, 'adminPgUrl'> = testCloud()): Promise<T> {
  const client = new pg.Client({ connectionString: cloud.adminPgUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
