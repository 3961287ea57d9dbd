import { randomUUID } from 'node:crypto';
import { compileServerSchema, newRecordId, SupabaseRemote, type PushOutcome, type Row } from '@equinox-sync/core';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import { inventoryPlugin } from '../src/index.js';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** Installs core's schema for the inventory tables and the inventory's own SQL. */
export async function installInventorySchema(cloud: Cloud): Promise<void> {
  await applySql(cloud, compileServerSchema([inventoryPlugin]));
}

/** A tenant and a SKU no other test uses: every test file shares one cloud, and the master inventory spans tenants. */
export function unique(label: string): string {
  return `${label}-${randomUUID()}`;
}

export async function storeToken(cloud: Cloud, tenant: string): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint({ tenant_id: tenant });
}

export async function masterToken(cloud: Cloud, tenant: string): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint({ tenant_id: tenant, eq_role: 'master' });
}

/** A REST call to the cloud with a bearer token (the anon key as apikey, as supabase-js sends it). */
export async function rest(cloud: Cloud, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${cloud.url}/rest/v1/${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=representation' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

let clock = 0;

/** A movement row as a device uploads it. */
export function movement(tenant: string, sku: string, delta: number, reason = 'sale'): Record<string, unknown> {
  clock += 1;
  return {
    id: newRecordId(),
    tenant_id: tenant,
    updated_at: `${String(Date.now()).padStart(13, '0')}-${String(clock % 1_000_000).padStart(6, '0')}-test`,
    deleted: false,
    product_id: `product-${sku}`,
    sku,
    delta,
    reason,
    location: 'main',
    occurred_at: new Date().toISOString(),
  };
}

/** Uploads movements as a device does (`eq_push` through `SupabaseRemote`) and returns the per-row outcomes. */
export async function pushMovements(cloud: Cloud, token: string, rows: readonly Row[]): Promise<PushOutcome[]> {
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: token });
  return remote.push('stock_movements', rows.map((row) => ({ row, base_version: null })));
}
