import { formatHlc, SupabaseRemote, type PushOutcome } from '@equinox-sync/core';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import type { FiscalRecord } from '../src/index.js';

/** The coordinates the root global setup provides as `inject('cloud')`. */
export type Cloud = TestCloud;

let clock = 0;

/** A fiscal record as a device uploads it: the record, its tenant and the sync columns. */
export function invoiceRow(tenant: string, record: FiscalRecord): Record<string, unknown> {
  clock += 1;
  return { ...record, tenant_id: tenant, updated_at: formatHlc({ wallMs: Date.now(), counter: clock % 1_000_000, deviceId: 'test' }), deleted: false };
}

/** Uploads rows as the engine does (`eq_push` through `SupabaseRemote`) and returns the per-row outcomes. */
export function push(cloud: Cloud, token: string, rows: readonly Record<string, unknown>[]): Promise<PushOutcome[]> {
  const remote = new SupabaseRemote({ url: cloud.url, key: cloud.anonKey, accessToken: token });
  return remote.push('invoices', rows.map((row) => ({ row, base_version: null })));
}

/** What row-level security answers for a row of another tenant, and nothing else. */
export function rlsRefusal(table: string): { code: string; message: string } {
  return { code: '42501', message: `new row violates row-level security policy for table "${table}"` };
}
