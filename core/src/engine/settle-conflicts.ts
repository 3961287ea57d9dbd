import { SYSTEM_COLUMNS, type Row } from '../declarations/index.js';
import type { ConflictRecord, LocalStore } from '../store/index.js';
import { applyResolution } from './resolve-conflict.js';

/** A person's choice for one conflict in the inbox. */
export interface ConflictChoice {
  /** Needed only when two tables hold the same id. */
  readonly table?: string;
  readonly id: string;
  readonly pick: 'local' | 'remote' | 'merged';
  /** The merged row, with `pick: 'merged'`. */
  readonly row?: Row;
}

/**
 * Carries out a person's choices for conflicts in the inbox, in one local transaction.
 * The choice is written locally at once and uploaded by the next run.
 *
 * @example
 * settleConflicts(store, [{ id, pick: 'merged', row: { name: 'Ada Lovelace' } }]);
 */
export function settleConflicts(store: LocalStore, choices: readonly ConflictChoice[]): number {
  const inbox = store.records.listConflicts();
  return store.transaction(() =>
    choices.map((choice) => {
      const conflict = inbox.find((c) => c.id === choice.id && (choice.table === undefined || c.table === choice.table));
      if (conflict === undefined) throw new Error(`no conflict for id "${choice.id}"${choice.table ? ` in table "${choice.table}"` : ''}`);
      const table = store.tableDefinitions().find((t) => t.name === conflict.table);
      if (table === undefined) throw new Error(`table "${conflict.table}" is not loaded`);
      if (String(conflict.remote.id) !== conflict.id) {
        settleKeyCollision(store, table.name, conflict, choice);
        return 1;
      }
      if (choice.pick === 'remote') {
        store.applyRemote(table.name, [conflict.remote]);
        return 1;
      }
      applyResolution({
        store,
        table,
        local: conflict.local,
        remote: conflict.remote,
        resolution: choice.pick === 'merged' ? { pick: 'merged', row: mergedRow(choice) } : { pick: 'local' },
        now: Date.now(),
      });
      store.records.clearConflict(table.name, conflict.id);
      return 1;
    }),
  ).length;
}

/**
 * Settles a unique-key collision: the cloud's row (another id) holds a key the local row
 * holds too. `remote` sets the local row aside — a tombstone, its unsent change dropped —
 * and writes the cloud's row; `merged` rewrites the local row (with another key) and then
 * writes the cloud's row; `local` alone cannot work, since the cloud refuses the key.
 */
function settleKeyCollision(store: LocalStore, table: string, conflict: ConflictRecord, choice: ConflictChoice): void {
  if (choice.pick === 'local') {
    throw new Error(`conflict "${conflict.id}": the cloud's row ${String(conflict.remote.id)} holds the same unique key; pick "remote", or "merged" with another key`);
  }
  if (choice.pick === 'merged') {
    const patch: Row = { ...mergedRow(choice) };
    for (const system of SYSTEM_COLUMNS) delete patch[system];
    const definition = store.tableDefinitions().find((t) => t.name === table);
    store.forPlugin(definition?.plugin ?? '').update(table, conflict.id, patch);
    store.records.rebase(table, conflict.id, store.records.info(table, [conflict.id]).get(conflict.id)?.serverVersion ?? null, 'PendingUpload');
  } else {
    store.runMuted(() => store.records.setAside(table, conflict.id));
  }
  store.records.clearConflict(table, conflict.id);
  if (store.records.uniqueCollisions(table, conflict.remote).length > 0) {
    throw new Error(`conflict "${conflict.id}": the merged row still holds the unique key of the cloud's row ${String(conflict.remote.id)}`);
  }
  store.applyRemote(table, [conflict.remote]);
}

function mergedRow(choice: ConflictChoice): Row {
  if (choice.row === undefined) throw new Error(`conflict "${choice.id}": pick "merged" needs the merged row`);
  return choice.row;
}
