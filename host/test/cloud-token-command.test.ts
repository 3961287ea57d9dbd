import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, TokenMinter } from '@equinox-sync/local-cloud';
import { tempDir } from '@equinox-sync/core/testing';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('equinox cloud token', () => {
  it('mints a token whose app_metadata names the tenant, the device and its role, signed by the cloud secret (--json)', async () => {
    const dir = tempDir('cli');
    const { jwtSecret } = loadOrCreateSecrets(dir);
    const { stdout, stderr, error } = await runCommand(['cloud', 'token', '--tenant', 'store-7', '--device', 'office', '--role', 'master', '--data', dir, '--json'], { root });
    expect(error).toBeUndefined();
    expect(stderr).toBe('');
    const { token } = JSON.parse(stdout) as { token: string };
    expect(await new TokenMinter(jwtSecret).verify(token)).toBeDefined();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ role: 'authenticated', app_metadata: { tenant_id: 'store-7', device_id: 'office', eq_role: 'master' } });
    expect(claims).not.toHaveProperty('user_metadata');
  });

  it('still mints a token without --device, warning on stderr that installation-bound writes will be refused', async () => {
    const dir = tempDir('cli');
    loadOrCreateSecrets(dir);
    const { stdout, stderr, error } = await runCommand(['cloud', 'token', '--tenant', 'store-7', '--data', dir], { root });
    expect(error).toBeUndefined();
    expect(decodeJwt(stdout.trim())).toMatchObject({ role: 'authenticated', app_metadata: { tenant_id: 'store-7' } });
    expect(decodeJwt(stdout.trim()).app_metadata).not.toHaveProperty('device_id');
    expect(stderr).toContain('Warning: no --device');
    expect(stderr).toContain('installation-bound write');
  });

  it('exits 2 on a bad flag', async () => {
    const { error } = await runCommand(['cloud', 'token', '--tenant', 'x', '--role', 'king'], { root });
    expect(error?.oclif?.exit).toBe(2);
  });

  it('exits 1 with one readable line when no cloud lives in the data dir', async () => {
    const dir = join(tmpdir(), 'equinox-no-cloud-here');
    const { error, stderr } = await runCommand(['cloud', 'token', '--tenant', 'x', '--data', dir], { root });
    expect(error?.oclif?.exit).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([`Error: no local cloud in ${dir}; start one with: equinox cloud start --data ${dir}`]);
  });
});
