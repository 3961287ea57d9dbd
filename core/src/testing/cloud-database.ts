import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { testCloud } from './run-cloud.js';

/**
 * A connection to the cloud's Postgres for the current test file (or `describe` block):
 * connected before its first test, closed after its last. As the schema's owner by
 * default, who may read and write any tenant's rows as a back-office script would; as
 * the `superuser` for what the owner may not (see also {@link withSuperuser}).
 *
 * @example
 * const db = cloudDatabase();
 * it('keeps the totals', async () => {
 *   const { rows } = await db.query('select name from public.clients where tenant_id = $1', [tenant]);
 * });
 */
export function cloudDatabase(options: { readonly as?: 'owner' | 'superuser'; readonly cloud?: Pick<TestCloud, 'pgUrl' | 'adminPgUrl'> } = {}): pg.Client {
  const cloud = options.cloud ?? testCloud();
  const client = new pg.Client({ connectionString: options.as === 'superuser' ? cloud.adminPgUrl : cloud.pgUrl });
  beforeAll(() => client.connect());
  afterAll(() => client.end());
  return client;
}
