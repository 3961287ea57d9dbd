import { nextHlc } from '@equinox-sync/core/testing';
import type { FiscalRecord } from '../src/index.js';

/** A fiscal record as a device uploads it: the record, its tenant and the sync columns. */
export function invoiceRow(tenant: string, record: FiscalRecord): Record<string, unknown> {
  return { ...record, tenant_id: tenant, updated_at: nextHlc(), deleted: false };
}

/** What row-level security answers for a row of another tenant, and nothing else. */
export function rlsRefusal(table: string): { code: string; message: string } {
  return { code: '42501', message: `new row violates row-level security policy for table "${table}"` };
}
