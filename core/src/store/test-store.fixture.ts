import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { PluginDefinition } from '../declarations/index.js';
import { LocalStore } from './local-store.js';

/**
 * A store on a fresh file for one test, for tenant-a (device-a unless told), closed and
 * removed when the test ends. Test code only: `*.fixture.ts` is left out of the build.
 *
 * @example
 * const { store, path } = openTestStore([plugin]);
 */
export function openTestStore(plugins: readonly PluginDefinition[], deviceId: string | undefined = 'device-a'): { store: LocalStore; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eq-store-'));
  const path = join(dir, 'device.db');
  const store = LocalStore.open({ path, plugins, tenantId: 'tenant-a', ...(deviceId === undefined ? {} : { deviceId }) });
  onTestFinished(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, path };
}
