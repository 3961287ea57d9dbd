import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('../../examples/embedding.mjs', import.meta.url));

describe('the embedding example of host/README.md', () => {
  // It starts (and stops) its own local cloud, exactly as a reader would run it.
  it('runs as written and uploads its client', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [EXAMPLE], { timeout: 90_000 });
    expect(stderr).toBe('');
    expect(stdout).toContain('uploaded: 1,');
    expect(stdout).toContain('error: null');
  }, 120_000);
});
