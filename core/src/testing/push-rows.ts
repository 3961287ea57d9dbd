import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import type { Row } from '../declarations/index.js';
import { SupabaseRemote, type PushOutcome } from '../remote/index.js';
import { testCloud } from './run-cloud.js';

/**
 * Uploads rows as the engine does (`eq_push` through a `SupabaseRemote`, each row new to
 * the sender: no base version) with whatever token the test holds (a device's, another
 * tenant's, a forged claim's), and returns the per-row outcomes.
 *
 * @example
 * const [outcome] = await pushRows('notes', [row], { token: await deviceToken(tenant, 'till-1') });
 * expect(outcome).toMatchObject({ status: 'applied' });
 */
export function pushRows(
  table: string,
  rows: readonly Row[],
  options: { readonly token: string; readonly cloud?: Pick<TestCloud, 'url' | 'anonKey'> },
): Promise<PushOutcome[]> {
  const cloud = options.cloud ?? testCloud();
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: options.token });
  return remote.push(table, rows.map((row) => ({ row, base_version: null })));
}
