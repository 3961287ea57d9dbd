import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { testCloud } from './run-cloud.js';

/**
 * A plain supabase-js client of the cloud, as an app or a back office holds one: with
 * `key` alone (the service key passes row-level security; the anon key is no user), or
 * with the anon key and a user's `token`. It keeps no session.
 *
 * @example
 * const admin = supabaseClient(cloud.serviceKey);
 * const device = supabaseClient(cloud.anonKey, { token: await deviceToken(tenant, 'till-1') });
 * const { error } = await device.from('notes').delete().eq('id', id);
 */
export function supabaseClient(key: string, options: { readonly token?: string; readonly cloud?: Pick<TestCloud, 'url'> } = {}): SupabaseClient {
  const { token, cloud = testCloud() } = options;
  return createClient(cloud.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    ...(token === undefined ? {} : { accessToken: async () => token }),
  });
}
