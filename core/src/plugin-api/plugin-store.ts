import type { ScopedStore } from '../store/scoped-store.js';

/**
 * The part of a {@link ScopedStore} a plugin uses: its own tables only.
 *
 * @example
 * const { id } = context.store.insert('clients', { name: 'Ada' });
 */
export type PluginStore = Pick<ScopedStore, 'insert' | 'update' | 'delete' | 'get' | 'query'> & {
  /** Runs `fn` in one local transaction: its reads and writes commit together or not at all. */
  transaction<T>(fn: () => T): T;
};
