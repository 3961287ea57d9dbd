import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, TokenMinter } from '@equinox-sync/local-cloud';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('equinox cloud token', () => {
  it('mints a token with the tenant claim, signed by the cloud secret (--json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'equinox-cli-'));
    const { jwtSecret } = loadOrCreateSecrets(dir);
    const { stdout, error } = await runCommand(['cloud', 'token', '--tenant', 'store-7', '--role', 'master', '--data', dir, '--json'], { root });
    expect(error).toBeUndefined();
    const { token } = JSON.parse(stdout) as { token: string };
    expect(await new TokenMinter(jwtSecret).verify(token)).toBeDefined();
    expect(decodeJwt(token)).toMatchObject({ role: 'authenticated', tenant_id: 'store-7', eq_role: 'master' });
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
