import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tamper } from './database-tampering.js';
import { BUILTIN_PLUGINS, deviceConfig, equinox } from '../../../host/test/host-kit.js';

const cloud = inject('cloud');
const HASH = /^[0-9A-F]{64}$/;

/** A device config file with the built-in plugins, on the test cloud. */
async function configFile(): Promise<{ config: string; dbPath: string }> {
  const dir = tempDir('fiscal-cli');
  const file = join(dir, 'equinox.config.json');
  const config = await deviceConfig(cloud, { tenant: uniqueTenant('fiscal-cli'), device: 'till-1', dir, builtins: true });
  writeFileSync(file, JSON.stringify(config));
  return { config: file, dbPath: config.dbPath as string };
}

const ISSUE = ['fiscal', 'issue', '--series', 'T1-', '--type', 'F1', '--tax', '21.00', '--total', '121.00'];

describe('equinox fiscal', () => {
  beforeAll(async () => {
    await installCloudSchema(BUILTIN_PLUGINS);
  });

  it('issue prints { id, series, number, chainIndex, hash } and numbers with no gap', async () => {
    const { config } = await configFile();
    const first = await equinox([...ISSUE, '--issuer-tax-id', 'B12345678', '--client-tax-id', 'B87654321', '--config', config, '--json']);
    expect(first.exit).toBe(0);
    expect(first.json).toEqual({ id: expect.any(String), series: 'T1-', number: 1, chainIndex: 1, hash: expect.stringMatching(HASH) });
    // The issuer defaults to the one of the device's last record.
    const second = await equinox([...ISSUE, '--config', config, '--json']);
    expect(second.json).toMatchObject({ series: 'T1-', number: 2, chainIndex: 2 });
    const human = await equinox(['fiscal', 'issue', '--series', 'T1-', '--type', 'F2', '--tax', '2.10', '--total', '12.10', '--config', config]);
    expect(human.exit).toBe(0);
    expect(human.stdout).toMatch(/^Issued invoice T1-3 \(.+\): link 3 of this device's chain, huella [0-9A-F]{64}\. It uploads with the next sync\.\n$/);
  });

  it('cancel and correct append records; a second cancel exits 1 with one line', async () => {
    const { config } = await configFile();
    const issued = (await equinox([...ISSUE, '--issuer-tax-id', 'B12345678', '--config', config, '--json'])).json as { id: string };
    const cancelled = await equinox(['fiscal', 'cancel', issued.id, '--config', config, '--json']);
    expect(cancelled.exit).toBe(0);
    expect(cancelled.json).toEqual({ id: expect.any(String), series: 'T1-', number: 1, chainIndex: 2, hash: expect.stringMatching(HASH), cancels: issued.id });
    const again = await equinox(['fiscal', 'cancel', issued.id, '--config', config]);
    expect(again.exit).toBe(1);
    expect(again.stderr).toBe('Error: cannot cancel invoice T1-1: it is already cancelled\n');

    const other = (await equinox([...ISSUE, '--config', config, '--json'])).json as { id: string };
    const corrected = await equinox(['fiscal', 'correct', other.id, '--series', 'R-', '--type', 'R4', '--tax=-2.10', '--total=-12.10', '--config', config, '--json']);
    expect(corrected.json).toEqual({ id: expect.any(String), series: 'R-', number: 1, chainIndex: 4, hash: expect.stringMatching(HASH), corrects: other.id });
  });

  it('verify prints { ok, chains, records, brokenAt }, and with --remote the cloud\'s copy too', async () => {
    const { config } = await configFile();
    await equinox([...ISSUE, '--issuer-tax-id', 'B12345678', '--config', config]);
    await equinox([...ISSUE, '--config', config]);
    const local = await equinox(['fiscal', 'verify', '--config', config, '--json']);
    expect(local.exit).toBe(0);
    expect(local.json).toEqual({ ok: true, chains: 1, records: 2, brokenAt: null });
    // Before the sync, the cloud lacks both links: pending, not broken.
    expect((await equinox(['fiscal', 'verify', '--remote', '--config', config, '--json'])).json).toEqual({
      ok: true, chains: 1, records: 2, brokenAt: null, cloud: { chains: 0, records: 0, pending: 2 },
    });
    expect((await equinox(['sync', '--config', config, '--json'])).json).toMatchObject({ uploaded: 2, rejected: 0 });
    const remote = await equinox(['fiscal', 'verify', '--remote', '--config', config]);
    expect(remote.exit).toBe(0);
    expect(remote.stdout).toBe('1 chain(s), 2 record(s) on this device; in the cloud 1 chain(s), 2 record(s), 0 pending upload: every link holds.\n');
  });

  it('verify exits 1 at a broken chain, with the break in --json and one line for humans', async () => {
    const { config, dbPath } = await configFile();
    await equinox([...ISSUE, '--issuer-tax-id', 'B12345678', '--config', config]);
    await equinox([...ISSUE, '--config', config]);
    tamper(dbPath, `UPDATE invoices SET gross_total = '1.00' WHERE chain_index = 2`);

    const json = await equinox(['fiscal', 'verify', '--config', config, '--json']);
    expect(json.exit).toBe(1);
    expect(json.json).toEqual({
      ok: false,
      chains: 1,
      records: 2,
      brokenAt: { where: 'device', chain: 'till-1', index: 2, reason: 'preimage', expected: expect.stringContaining('&ImporteTotal=1.00&'), found: expect.stringContaining('&ImporteTotal=121.00&') },
    });
    const human = await equinox(['fiscal', 'verify', '--config', config]);
    expect(human.exit).toBe(1);
    expect(human.stderr).toMatch(/^Error: chain "till-1" is broken at link 2 on this device \(preimage\): expected "IDEmisorFactura=.*", found ".*"\n$/);
  });

  it('refuses bad flags with exit 2, and a refused invoice with exit 1 and one line', async () => {
    const { config } = await configFile();
    expect((await equinox(['fiscal', 'issue', '--series', 'T1-', '--type', 'X9', '--tax', '1.00', '--total', '2.00', '--config', config])).exit).toBe(2);
    expect((await equinox(['fiscal', 'issue', '--tax', '1.00', '--total', '2.00', '--config', config])).exit).toBe(2);
    expect((await equinox(['fiscal', 'verify', '--remot', '--config', config])).exit).toBe(2);
    expect((await equinox(['fiscal', 'cancel', '--config', config])).exit).toBe(2);

    // A first invoice without an issuer: bad usage, naming the flag and its variable.
    const noIssuer = await equinox([...ISSUE, '--config', config]);
    expect(noIssuer.exit).toBe(2);
    expect(noIssuer.stderr).toBe(
      `Error: --issuer-tax-id: this device issues its first invoice: give the issuer's tax id (or set EQUINOX_FISCAL_ISSUER_TAX_ID)\nSee more help with --help\n`,
    );
    const comma = await equinox([...ISSUE.slice(0, 6), '--tax', '21,00', '--total', '121.00', '--issuer-tax-id', 'B12345678', '--config', config, '--json']);
    expect(comma.exit).toBe(1);
    expect(comma.json).toMatchObject({ error: { message: expect.stringContaining('fiscal record field "tax_total"') } });
    const unknown = await equinox(['fiscal', 'cancel', 'no-such-id', '--config', config]);
    expect(unknown.exit).toBe(1);
    expect(unknown.stderr).toBe('Error: cannot cancel "no-such-id": no such invoice on this device\n');
  });
});
