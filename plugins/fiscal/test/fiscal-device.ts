import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '@equinox-sync/core';
import { CloudMarks, fiscalPlugin, FiscalService, InstallationKeyFile, type FiscalStore } from '../src/index.js';

export { tamper } from './database-tampering.js';

/** A device's fiscal API over a real SQLite file, as the host would wire it (no cloud). */
export interface FiscalDevice {
  readonly fiscal: FiscalService;
  readonly store: LocalStore;
  readonly storageDir: string;
  readonly dbPath: string;
  close(): void;
}

/**
 * Opens (or reopens) a device's database in `dir` with its fiscal API and no cloud (the
 * shared kit's `openDevice` is a syncing device). With `transaction` (the default), the
 * plugin's store offers one, so each record is read and written in one SQLite transaction;
 * with `transaction: false` it offers none.
 */
export function openFiscalDevice(dir: string, options: { tenant: string; device?: string; transaction?: boolean; store?: (store: FiscalStore) => FiscalStore }): FiscalDevice {
  const device = options.device ?? 'till-1';
  const dbPath = join(dir, `${device}.db`);
  const store = LocalStore.open({ path: dbPath, plugins: [fiscalPlugin], tenantId: options.tenant, deviceId: device });
  const scoped = store.forPlugin(fiscalPlugin.name);
  const pluginStore: FiscalStore = {
    insert: (...args) => scoped.insert(...args),
    update: (...args) => scoped.update(...args),
    delete: (...args) => scoped.delete(...args),
    restore: (...args) => scoped.restore(...args),
    get: (...args) => scoped.get(...args),
    query: (...args) => scoped.query(...args),
    view: (...args) => scoped.view(...args),
    local: scoped.local,
    ...(options.transaction === false ? {} : { transaction: <T>(fn: () => T): T => store.transaction(fn) }),
  };
  const storageDir = join(dir, `${device}-storage`);
  mkdirSync(storageDir, { recursive: true });
  const fiscal = new FiscalService({
    store: options.store?.(pluginStore) ?? pluginStore,
    device: { tenantId: options.tenant, deviceId: device },
    cloud: { rpc: () => Promise.reject(new Error('this test device has no cloud')) },
    keys: new InstallationKeyFile(storageDir),
    marks: new CloudMarks(storageDir),
  });
  return { fiscal, store, storageDir, dbPath, close: () => store.close() };
}

/** Invoice input with plausible values. */
export const INVOICE = { issuerTaxId: 'B12345678', series: 'T1-', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' } as const;
