import type { LocalTableStore } from '../store/local-table-store.js';
import type { ScopedStore } from '../store/scoped-store.js';

/**
 * A plugin's local tables (declared in `contributes.localTables`): kept on this device
 * only, never synced, written only through this door.
 *
 * @example
 * context.store.local.replaceAll('exchange_rates', [{ currency: 'EUR', rate: 1 }]);
 * context.store.local.query('exchange_rates', { currency: 'EUR' }); // [{ currency: 'EUR', rate: 1 }]
 */
export type PluginLocalTables = Pick<LocalTableStore, 'query' | 'upsert' | 'delete' | 'replaceAll'>;

/**
 * The part of a {@link ScopedStore} a plugin uses: its own synced tables (`insert`,
 * `update`, `delete`, `restore`, `get`, `query`), its own views (`view`) and local
 * tables (`local`), and `transaction`. Another plugin's table or view is refused.
 *
 * @example
 * const { id } = context.store.insert('clients', { name: 'Ada' });
 * context.store.view('clients_by_city', { city: 'Lyon' });
 * context.store.local.upsert('client_cache', { id, seen_at: Date.now() });
 */
export type PluginStore = Pick<ScopedStore, 'insert' | 'update' | 'delete' | 'restore' | 'get' | 'query' | 'view' | 'transaction'> & {
  /** The plugin's local tables: on this device only, never synced. */
  readonly local: PluginLocalTables;
};
