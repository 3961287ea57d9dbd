import { randomUUID } from 'node:crypto';
import { compileServerSchema, SupabaseRemote, type PushOutcome } from '@equinox-sync/core';
import { applySql, TokenMinter } from '@equinox-sync/local-cloud';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import { fiscalPlugin, type FiscalRecord } from '../src/index.js';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

/** Installs core's tables and the fiscal SQL, taking turns with other test files (as host/test/host-kit.ts does). */
export async function installFiscalSchema(cloud: Cloud): Promise<void> {
  await applySql(cloud, `select pg_advisory_lock(4242);\n${compileServerSchema([fiscalPlugin])}\nselect pg_advisory_unlock(4242);`);
}

/** A tenant no other test uses: every test file shares one cloud. */
export function uniqueTenant(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** A device token as a real project provisions one: tenant and device in `app_metadata`; no device when `device` is undefined. */
export function deviceToken(cloud: Cloud, tenant: string, device: string | undefined): Promise<string> {
  return new TokenMinter(cloud.jwtSecret).mint({ app_metadata: { tenant_id: tenant, ...(device === undefined ? {} : { device_id: device }) } });
}

let clock = 0;

/** A fiscal record as a device uploads it: the record, its tenant and the sync columns. */
export function invoiceRow(tenant: string, record: FiscalRecord): Record<string, unknown> {
  clock += 1;
  return { ...record, tenant_id: tenant, updated_at: `${String(Date.now()).padStart(13, '0')}-${String(clock % 1_000_000).padStart(6, '0')}-test`, deleted: false };
}

/** Uploads rows as the engine does (`eq_push` through `SupabaseRemote`) and returns the per-row outcomes. */
export function push(cloud: Cloud, token: string, rows: readonly Record<string, unknown>[]): Promise<PushOutcome[]> {
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: token });
  return remote.push('invoices', rows.map((row) => ({ row, base_version: null })));
}

/** A REST call with a bearer token (the anon key as apikey, as supabase-js sends it); the body as text too, to search it. */
export async function rest(
  cloud: Cloud,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${cloud.url}/rest/v1/${path}`, {
    method,
    headers: { apikey: cloud.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=representation' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), text };
}

/** What row-level security answers for a row of another tenant, and nothing else. */
export function rlsRefusal(table: string): { code: string; message: string } {
  return { code: '42501', message: `new row violates row-level security policy for table "${table}"` };
}
