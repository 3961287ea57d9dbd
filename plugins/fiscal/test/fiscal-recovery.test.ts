import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileServerSchema } from '@equinox-sync/core/server';
import { disposeAfterTest, sleep, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { startLocalCloud, type LocalCloud } from '@equinox-sync/local-cloud';
import { FiscalApi, type FiscalRecord } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type EquinoxHost } from '@equinox-sync/host';
import { backupCloud, cloudInvoices, registeredKeys, restoreCloud, wipeCloud } from './fiscal-recovery-kit.js';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from '../../../host/test/host-kit.js';

// This file restores and wipes its cloud's database, so it runs its own cloud, not the shared one.
const INVOICE = { issuerTaxId: 'B12345678', type: 'F1', taxTotal: '21.00', grossTotal: '121.00' } as const;
const migration = compileServerSchema(BUILTIN_PLUGINS);
const workDir = tempDir('fiscal-recovery');
let cloud: LocalCloud;

interface Till {
  readonly name: string;
  /** Its config file, for the CLI. */
  readonly configPath: string;
  readonly host: EquinoxHost;
  readonly fiscal: FiscalApi;
  readonly series: string;
}

beforeAll(async () => {
  cloud = await startLocalCloud({ dataDir: mkdtempSync(join(workDir, 'cloud-')) });
  await cloud.applySql(migration);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function openTill(tenant: string, name: string, series: string): Promise<Till> {
  const dir = mkdtempSync(join(workDir, `${name}-`));
  const config = { ...(await deviceConfig(cloud, { tenant, device: name, dir, builtins: true })), sync: { retry: { baseMs: 20, maxMs: 100, maxAttempts: 10 } } };
  const configPath = join(dir, 'equinox.config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const host = disposeAfterTest(await createHost({ config, sync: { healthTimeoutMs: 5_000 } }));
  return { name, configPath, host, fiscal: host.api(FiscalApi), series };
}

function issue(till: Till, count: number): FiscalRecord[] {
  return Array.from({ length: count }, () => till.fiscal.issueInvoice({ ...INVOICE, series: till.series }));
}

/**
 * Runs syncs until one has nothing left to send and nothing refused, at most `runs`
 * times. A link refused out of order waits for its backoff (ms here) before it goes again.
 */
async function syncUntilQuiet(till: Till, runs = 8): Promise<void> {
  for (let run = 1; run <= runs; run += 1) {
    const result = await till.host.syncNow();
    if (result.error !== null) throw new Error(`${till.name}, run ${run}: ${result.error}`);
    if (till.host.status.pendingUploads === 0 && result.uploaded === 0 && result.rejected === 0) return;
    await sleep(150);
  }
  throw new Error(`${till.name}: not quiet after ${runs} runs: ${JSON.stringify(till.host.status.failed)}`);
}

async function syncAll(tills: readonly Till[]): Promise<void> {
  // Twice round: each till pulls what the other sent after its own runs.
  for (const till of [...tills, ...tills]) await syncUntilQuiet(till);
}

/** Every record of both chains is in the cloud exactly once, each till holds its own chain (the invoices' pull scope), and both verify against the cloud. */
async function expectWhole(tenant: string, tills: readonly Till[]): Promise<void> {
  const own = tills.flatMap((till) => till.fiscal.records().filter((record) => record.installation_id === till.name));
  const invoices = await cloudInvoices(cloud, tenant);
  // Exactly once by id and by chain position, and each chain 1..n with no gap.
  expect(new Set(invoices.map((row) => row.id)).size).toBe(invoices.length);
  expect(new Set(invoices.map((row) => `${row.installation_id}#${row.chain_index}`)).size).toBe(invoices.length);
  expect(invoices.map((row) => row.id).sort()).toEqual(own.map((record) => record.id).sort());
  for (const till of tills) {
    const chain = invoices.filter((row) => row.installation_id === till.name);
    expect(chain.map((row) => row.chain_index)).toEqual(chain.map((_, index) => index + 1));
  }
  const keys = await registeredKeys(cloud, tenant);
  for (const till of tills) {
    expect(keys[till.name]).toBe(till.fiscal.records().find((record) => record.installation_id === till.name && record.chain_index === 1)?.public_key);
    const mine = own.filter((record) => record.installation_id === till.name);
    expect(till.fiscal.records().map((record) => record.id).sort()).toEqual(mine.map((record) => record.id).sort());
    expect(await till.fiscal.verify({ remote: true })).toEqual({
      ok: true, chains: 1, records: mine.length, brokenAt: null, cloud: { chains: tills.length, records: own.length, pending: 0 },
    });
    expect(till.host.status.failed).toEqual([]);
    expect(till.host.status.quarantined).toEqual([]);
    expect(till.host.status.pendingUploads).toBe(0);
  }
}

/** Two tills issue and sync; the cloud loses what came after the first round; both sync again. */
async function scenario(label: string, lose: () => Promise<() => Promise<void>>, left: { invoices: number; keys: number }): Promise<void> {
  const tenant = uniqueTenant(label);
  const a = await openTill(tenant, 'till-a', 'A-');
  const b = await openTill(tenant, 'till-b', 'B-');
  const [firstOfA] = issue(a, 2);
  issue(b, 3);
  await syncAll([a, b]);
  await expectWhole(tenant, [a, b]);
  const restore = await lose();

  // After the backup: more invoices on both tills, and a cancellation of an invoice the backup holds.
  issue(a, 2);
  a.fiscal.cancelInvoice(firstOfA!.id);
  issue(b, 1);
  await syncAll([a, b]);
  expect(await cloudInvoices(cloud, tenant)).toHaveLength(9);

  await restore();
  // The cloud really lost the second round (and, wiped, the first and the keys too).
  expect(await cloudInvoices(cloud, tenant)).toHaveLength(left.invoices);
  expect(Object.keys(await registeredKeys(cloud, tenant))).toHaveLength(left.keys);

  await syncAll([a, b]);
  await expectWhole(tenant, [a, b]);
  expect((await cloudInvoices(cloud, tenant)).filter((row) => row.record_kind === 'cancellation')).toHaveLength(1);

  // The CLI says the same, from the till's config file once its host has let the database go.
  await a.host.dispose();
  const cli = await equinox(['fiscal', 'verify', '--remote', '--json', '--config', a.configPath]);
  expect(cli.exit).toBe(0);
  expect(cli.json).toEqual({ ok: true, chains: 1, records: 5, brokenAt: null, cloud: { chains: 2, records: 9, pending: 0 } });
}

describe('a fiscal cloud that loses its data gets both chains back, each link once', () => {
  it('restored from an earlier dump: both tills send what the dump lacks, and verify --remote passes', async () => {
    await scenario('fiscal-restored', async () => {
      const backup = await backupCloud(cloud);
      return () => restoreCloud(cloud, backup);
    }, { invoices: 5, keys: 2 });
  });

  it('wiped and migrated again: both tills send both chains again, keys registered anew, and verify --remote passes', async () => {
    await scenario('fiscal-wiped', async () => () => wipeCloud(cloud, migration), { invoices: 0, keys: 0 });
  });
});
