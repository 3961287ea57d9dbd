import { newRecordId } from '@equinox-sync/core';
import { nextHlc } from '@equinox-sync/core/testing';

/** A movement row as a device uploads it. */
export function movement(tenant: string, sku: string, delta: number, reason = 'sale'): Record<string, unknown> {
  return {
    id: newRecordId(),
    tenant_id: tenant,
    updated_at: nextHlc(),
    deleted: false,
    product_id: `product-${sku}`,
    sku,
    delta,
    reason,
    location: 'main',
    occurred_at: new Date().toISOString(),
  };
}
