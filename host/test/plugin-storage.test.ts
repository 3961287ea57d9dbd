import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EquinoxConfigInput } from '@equinox-sync/config';
import { INSTALLATION_KEY_FILE, type FiscalApi } from '@equinox-sync/plugin-fiscal';
import { tempDir } from '@equinox-sync/core/testing';
import { describe, expect, it } from 'vitest';
import { createHost } from '../src/index.js';
import { pluginStorageDir, sharedStorageDir } from '../src/plugins/plugin-storage.js';
import { memoryLogger, offlineConfig, pluginPackage, writePlugin } from './host-kit.js';

const FISCAL = '@equinox-sync/plugin-fiscal';
const INVOICE = { issuerTaxId: 'B12345678', series: 'T-', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' } as const;
const mode = (path: string): number => statSync(path).mode & 0o777;

/** A till with only the built-in plugins, never online: its database is `<dir>/<device>.db`. */
function tillConfig(dir: string, tenant: string, device: string): EquinoxConfigInput {
  return { ...offlineConfig(dir, [], true), tenantId: tenant, deviceId: device, dbPath: join(dir, `${device}.db`) };
}

/** Opens the till, issues one invoice (which makes its signing key), and closes it; returns the key file's path and text. */
async function issueOne(config: EquinoxConfigInput, logger = memoryLogger()): Promise<{ keyFile: string; key: string }> {
  const host = await createHost({ config, logger });
  try {
    host.api<FiscalApi>(FISCAL).issueInvoice(INVOICE);
    expect((await host.api<FiscalApi>(FISCAL).verify()).ok).toBe(true);
  } finally {
    await host.dispose();
  }
  const keyFile = join(pluginStorageDir(config.dbPath, FISCAL), INSTALLATION_KEY_FILE);
  return { keyFile, key: readFileSync(keyFile, 'utf8') };
}

describe('plugin storage is per database', () => {
  it('gives two databases in one folder their own folders, so they never share a signing key', async () => {
    const dir = tempDir('storage');
    const a = await issueOne(tillConfig(dir, 'tenant-a', 'till-1'));
    const b = await issueOne(tillConfig(dir, 'tenant-b', 'till-2'));
    expect(a.keyFile).toBe(join(dir, 'till-1.db.equinox', '_equinox-sync_plugin-fiscal', INSTALLATION_KEY_FILE));
    expect(b.keyFile).toBe(join(dir, 'till-2.db.equinox', '_equinox-sync_plugin-fiscal', INSTALLATION_KEY_FILE));
    expect(a.key).not.toBe(b.key);
    for (const key of [a.keyFile, b.keyFile]) {
      expect(mode(key)).toBe(0o600);
      expect(mode(dirname(key))).toBe(0o700);
      expect(mode(dirname(dirname(key)))).toBe(0o700);
    }
    expect(existsSync(join(dir, '.equinox'))).toBe(false);
  });

  it("hands each plugin its database's folder as context.storageDir", async () => {
    const dir = tempDir('storage-context');
    const plugin = writePlugin(dir, 'probe', pluginPackage('@acme/probe', 'probe_notes'), 'export function activate(context) { return { storageDir: context.storageDir }; }\n');
    const seen: string[] = [];
    for (const device of ['till-1', 'till-2']) {
      const host = await createHost({ config: { ...offlineConfig(dir, [plugin]), deviceId: device, dbPath: join(dir, `${device}.db`) }, logger: memoryLogger() });
      seen.push(host.api<{ storageDir: string }>('@acme/probe').storageDir);
      await host.dispose();
    }
    expect(seen).toEqual([join(dir, 'till-1.db.equinox', '_acme_probe'), join(dir, 'till-2.db.equinox', '_acme_probe')]);
  });

  it('copies the old shared folder for a database that used it (its key is found again), and not for a new one', async () => {
    const dir = tempDir('storage-upgrade');
    const old = tillConfig(dir, 'tenant-a', 'till-1');
    // A till from before storage was per database: its key in the folder every database there shared.
    const before = await issueOne(old);
    const shared = sharedStorageDir(old.dbPath, FISCAL);
    mkdirSync(dirname(shared), { recursive: true });
    renameSync(dirname(before.keyFile), shared);

    const logger = memoryLogger();
    const after = await issueOne(old, logger);
    expect(after.keyFile).toBe(before.keyFile);
    expect(after.key).toBe(before.key);
    expect(mode(after.keyFile)).toBe(0o600);
    // A copy, not a move: another database of the folder may need the same files.
    expect(readFileSync(join(shared, INSTALLATION_KEY_FILE), 'utf8')).toBe(before.key);
    expect(logger.lines.filter((line) => line.startsWith('warn:'))).toEqual([
      expect.stringContaining(`storage is now per database: copied ${shared} to ${dirname(after.keyFile)}`),
    ]);

    // A database made after the upgrade has nothing in the old folder: it starts with its own key.
    const freshLogger = memoryLogger();
    const fresh = await issueOne(tillConfig(dir, 'tenant-b', 'till-2'), freshLogger);
    expect(fresh.key).not.toBe(before.key);
    expect(freshLogger.lines.filter((line) => line.startsWith('warn:'))).toEqual([]);
  });
});
