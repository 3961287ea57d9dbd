import type { ConflictResolution, ConflictResolver, ConflictStrategy, Row } from '../declarations/index.js';

/** A row changed on the device and in the cloud, with how its table resolves that. */
export interface ConflictInput {
  readonly table: string;
  readonly strategy: ConflictStrategy;
  readonly resolver?: ConflictResolver | undefined;
  readonly local: Row;
  readonly remote: Row;
}

/**
 * Decides which version of a row survives, by the table's custom resolver if it has
 * one, else by its strategy. `LastWriteWins` compares the hybrid logical clocks in
 * `updated_at` (fixed-width, so text order is time order, and the device id at the end
 * breaks ties); the cloud applies the same rule, so both sides agree whatever the
 * arrival order.
 *
 * @example
 * decideConflict({ table: 'notes', strategy: 'LastWriteWins', local, remote }); // { pick: 'local' } when local is later
 */
export function decideConflict(input: ConflictInput): ConflictResolution {
  if (input.resolver) return input.resolver({ table: input.table, local: input.local, remote: input.remote });
  switch (input.strategy) {
    case 'LocalWins':
      return { pick: 'local' };
    case 'RemoteWins':
      return { pick: 'remote' };
    case 'Manual':
      return { pick: 'manual' };
    case 'LastWriteWins':
      return String(input.local.updated_at) > String(input.remote.updated_at) ? { pick: 'local' } : { pick: 'remote' };
  }
}
