import type { PendingDelete, Row } from '@equinox-sync/core';

/**
 * A local delete held until a person confirms it, with the row it removes as the device
 * still has it (`null` when the device no longer holds the row), so the person can tell
 * what they confirm.
 *
 * @example
 * for (const held of host.deletes.list()) console.log(held.table, held.id, held.row?.name);
 */
export interface HeldDelete extends PendingDelete {
  readonly row: Row | null;
}
