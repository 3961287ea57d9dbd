import { toServerVersion } from './server-version.js';
import type { OutboxAck } from './sync-state.js';

/**
 * The cloud's acknowledgements as one JSON text of `[seq, server_version, table_id, row_id]`
 * rows, bound once to the statements that settle them (set-based: a few statements per
 * batch, whatever its size). A bigint version travels as digits. Read back with
 * {@link ACKS_SQL}.
 *
 * @example
 * const acks = encodeAcks([{ seq: 12, serverVersion: 4711, table: 'clients', id }], (name) => directory.find(name)?.id);
 */
export function encodeAcks(acks: readonly (number | OutboxAck)[], tableId: (name: string) => number | undefined): string {
  return JSON.stringify(
    acks.map((ack) => {
      if (typeof ack === 'number') return [ack, null, null, null];
      const table = ack.table === undefined ? null : (tableId(ack.table) ?? null);
      return [ack.seq, toServerVersion(ack.serverVersion), table, ack.id ?? null];
    }),
  );
}

/** {@link encodeAcks}'s text as rows `(seq, version, table_id, row_id)`; its one parameter is that text. */
export const ACKS_SQL = `SELECT value ->> 0 AS seq, CAST(value ->> 1 AS INTEGER) AS version, value ->> 2 AS table_id, value ->> 3 AS row_id FROM json_each(?)`;
