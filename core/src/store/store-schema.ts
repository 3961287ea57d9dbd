import type { Database } from 'better-sqlite3';
import type { PluginDefinition } from '../declarations/index.js';
import { installTriggers } from './install-triggers.js';
import { migrateLocalTable } from './local-table-migration.js';
import { createLocalWriteFlag } from './local-write-guard.js';
import { createMetaTables } from './meta-tables.js';
import { bindIdentity, type StoreIdentity } from './store-identity.js';
import { StoreMeta } from './store-meta.js';
import { syncIndexes } from './table-ddl.js';
import { migrateTable } from './table-migration.js';
import { registerTable, type TableContext } from './table-registry.js';
import { installViews } from './view-install.js';

/**
 * Brings a database file up to the declared plugins in one immediate transaction: the
 * `_eq_` tables, the tenant and device binding, then per table its id, its migration,
 * its indexes and its triggers, then the local tables, and last the views, which read
 * the tables. A refusal anywhere leaves the file exactly as it was.
 *
 * @example
 * const { identity, contexts } = installSchema(db, plugins, { tenantId: 'tenant-a' });
 */
export function installSchema(
  db: Database,
  plugins: readonly PluginDefinition[],
  wanted: { tenantId: string; deviceId?: string | undefined },
): { identity: StoreIdentity; contexts: TableContext[] } {
  return db.transaction(() => {
    createMetaTables(db);
    const meta = new StoreMeta(db);
    const identity = bindIdentity(meta, wanted);
    const contexts = plugins.flatMap((plugin) =>
      plugin.tables.map((table) => {
        const context = registerTable(db, table);
        migrateTable(db, meta, table, plugin.version);
        syncIndexes(db, table);
        installTriggers(db, table, context.id);
        return context;
      }),
    );
    createLocalWriteFlag(db);
    for (const plugin of plugins) {
      for (const table of plugin.localTables) migrateLocalTable(db, meta, table, plugin.version);
    }
    for (const plugin of plugins) installViews(db, plugin);
    return { identity, contexts };
  }).immediate();
}
