import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { LocalStore, type LocalStoreOptions } from '../store/index.js';
import { tempDir } from './temp-dir.js';

/**
 * A path for a database file in a new temporary folder, which goes when the current
 * test ends.
 *
 * @example
 * const path = tempDbPath();
 * openStore({ path, plugins: [notesPlugin] }).close();
 */
export function tempDbPath(label = 'store'): string {
  const dir = tempDir(label);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'device.db');
}

/**
 * Opens a `LocalStore` (of tenant `tenant-a` unless told) with no engine, closed when the
 * current test ends unless the test closed it.
 *
 * @example
 * const store = openStore({ path: tempDbPath(), plugins: [notesPlugin], deviceId: 'device-a' });
 * store.forPlugin('notes').insert('notes', { body: 'hello' });
 */
export function openStore(options: Omit<LocalStoreOptions, 'tenantId'> & { readonly tenantId?: string }): LocalStore {
  const store = LocalStore.open({ tenantId: 'tenant-a', ...options });
  onTestFinished(() => {
    if (store.database.open) store.close();
  });
  return store;
}
