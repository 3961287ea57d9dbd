import { SYSTEM_COLUMNS, type ConflictResolution, type Row, type TableDefinition } from '../declarations/index.js';
import type { LocalStore } from '../store/index.js';
import { toServerVersion } from '../store/server-version.js';
import { decideConflict } from '../sync/index.js';
import type { SyncHooks } from './sync-hooks.js';

/**
 * The resolve stage, shared by uploads (the cloud answered `conflict`) and pulls (a
 * pulled row met a local change): decides by the table's resolver or strategy and
 * carries the decision out. Runs inside the caller's local transaction.
 * - remote: the cloud's row replaces the local one (the caller applies it);
 * - local: the local row stays queued, rebased on the cloud's version so it applies;
 * - merged: the merged row is written as a new local change, rebased likewise;
 * - manual: both versions go to the conflict inbox; the row waits in state `Conflict`.
 *
 * @example
 * const pick = resolveConflict({ store, hooks, table, local, remote, now: Date.now() });
 * if (pick === 'remote') rowsToApply.push(remote);
 */
export function resolveConflict(input: {
  readonly store: LocalStore;
  readonly hooks: SyncHooks;
  readonly table: TableDefinition;
  readonly local: Row;
  readonly remote: Row;
  readonly now: number;
}): ConflictResolution['pick'] {
  const { store, table, local, remote } = input;
  const decision = decideConflict({
    table: table.name,
    strategy: table.strategy,
    resolver: input.hooks.resolverFor(table.name) ?? table.resolver,
    local,
    remote,
  });
  return applyResolution({ store, table, local, remote, resolution: decision, now: input.now });
}

/**
 * Carries out a decision already taken (by a strategy, a resolver or a person); see
 * {@link resolveConflict}. For `remote` the caller applies the cloud's row.
 *
 * @example
 * applyResolution({ store, table, local, remote, resolution: { pick: 'local' }, now: Date.now() });
 */
export function applyResolution(input: {
  readonly store: LocalStore;
  readonly table: TableDefinition;
  readonly local: Row;
  readonly remote: Row;
  readonly resolution: ConflictResolution;
  readonly now: number;
}): ConflictResolution['pick'] {
  const { store, table, local, remote, resolution } = input;
  const id = String(local.id);
  const remoteVersion = toServerVersion(remote.server_version);
  switch (resolution.pick) {
    case 'remote':
      return 'remote';
    case 'local':
      store.records.rebase(table.name, id, remoteVersion, 'PendingUpload');
      store.records.clearConflict(table.name, id);
      return 'local';
    case 'merged': {
      const patch: Row = { ...resolution.row };
      // A merged row usually starts from one side's row; the engine's own columns are not the person's to set.
      for (const system of SYSTEM_COLUMNS) delete patch[system];
      store.forPlugin(table.plugin).update(table.name, id, patch);
      store.records.rebase(table.name, id, remoteVersion, 'PendingUpload');
      store.records.clearConflict(table.name, id);
      return 'merged';
    }
    case 'manual':
      store.records.recordConflict(table.name, id, local, remote, input.now);
      return 'manual';
  }
}
