import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, startLocalCloud } from '../src/index.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe("the local cloud's files", () => {
  it('keeps its data dir to its owner: folders 0700, secrets, state and logs 0600, older loose files tightened', { timeout: 60_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'equinox-modes-'));
    const dataDir = join(parent, 'cloud');
    // What an older version left: an open data dir, readable secrets and logs.
    mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    loadOrCreateSecrets(dataDir);
    chmodSync(join(dataDir, 'secrets.json'), 0o644);
    writeFileSync(join(dataDir, 'logs', 'postgres.log'), 'an old line\n', { mode: 0o644 });

    const cloud = await startLocalCloud({ dataDir });
    try {
      // The parent is private too, so even as root the cluster lives elsewhere and nobody else need pass through.
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'logs'))).toBe(0o700);
      for (const file of ['secrets.json', 'state.json']) expect(mode(join(dataDir, file)), file).toBe(0o600);
      const logs = readdirSync(join(dataDir, 'logs'));
      expect(logs).toEqual(expect.arrayContaining(['postgres.log', 'postgrest.log']));
      for (const log of logs) expect(mode(join(dataDir, 'logs', log)), log).toBe(0o600);
    } finally {
      await cloud.stop();
      const location = join(dataDir, 'postgres-location.txt');
      if (existsSync(location)) rmSync(readFileSync(location, 'utf8').trim(), { recursive: true, force: true });
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
