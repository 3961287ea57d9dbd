import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { testCloud } from './run-cloud.js';

/**
 * What a REST call to the cloud answered: the status, the body parsed (null when empty)
 * and as text, to search it.
 *
 * @example
 * const { status, body }: RestAnswer = await cloudRest('GET', 'notes?select=id');
 */
export interface RestAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/**
 * Calls the cloud's REST API (`/rest/v1/<path>`) as supabase-js would: the anon key as
 * `apikey`, `token` as the bearer (default the service key, which bypasses RLS), JSON in
 * and out (`return=representation`). An RPC is `cloudRest('POST', 'rpc/<fn>', { body })`.
 *
 * @example
 * const answer = await cloudRest('POST', 'rpc/clients_merge', { body: { p_tenant: tenant } });
 * const mine = await cloudRest('GET', 'clients?select=id', { token: await deviceToken(tenant, 'till-1') });
 */
export async function cloudRest(
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly token?: string; readonly cloud?: Pick<TestCloud, 'url' | 'anonKey' | 'serviceKey'> } = {},
): Promise<RestAnswer> {
  const cloud = options.cloud ?? testCloud();
  const response = await fetch(`${cloud.url}/rest/v1/${path}`, {
    method,
    headers: {
      apikey: cloud.anonKey,
      authorization: `Bearer ${options.token ?? cloud.serviceKey}`,
      'content-type': 'application/json',
      prefer: 'return=representation',
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), text };
}
