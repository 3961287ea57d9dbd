import { createHash } from 'node:crypto';

/**
 * The id a new product gets: a UUID (version 8, RFC 9562) hashed from the tenant and the
 * SKU. Two tills that create the same SKU while offline thus create the same row, and the
 * later edit wins as for any concurrent edit; random ids would make two rows with one
 * SKU, and the cloud's unique SKU index would refuse the second for good. The tenant is
 * part of the hash because ids are unique across the whole cloud.
 *
 * @example
 * productId('store-1', 'COFFEE-1KG'); // '3f0c…-…-8…-…', the same on every device of store-1
 */
export function productId(tenantId: string, sku: string): string {
  const bytes = createHash('sha256').update(`equinox-inventory/product\0${tenantId}\0${sku}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8: custom
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
