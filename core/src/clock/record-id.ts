import { v7 } from 'uuid';

/**
 * A new record id: a UUIDv7, made on the device so a retried upload is recognised by id
 * and no round trip is needed. Its leading timestamp keeps new rows at the end of the
 * primary-key index, which keeps inserts cheap.
 *
 * @example
 * store.forPlugin('clients').insert('clients', { id: newRecordId(), name: 'Ada' });
 */
export function newRecordId(): string {
  return v7();
}
