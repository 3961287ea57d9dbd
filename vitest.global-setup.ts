import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '@equinox-sync/local-cloud';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: TestCloud;
  }
}

/**
 * Starts one local cloud per test run; tests isolate themselves by tenant or schema.
 * Clusters of kept data dirs that root's postgres user cannot reach would go to
 * /var/lib/equinox-sync; the run's go to a temp folder (inherited by the test workers
 * and the CLI processes they start), removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const clusters = process.env.EQUINOX_CLUSTER_ROOT === undefined ? mkdtempSync(join(tmpdir(), 'equinox-test-clusters-')) : undefined;
  if (clusters) {
    chmodSync(clusters, 0o755);
    process.env.EQUINOX_CLUSTER_ROOT = clusters;
  }
  const cloud = await startLocalCloud();
  project.provide('cloud', {
    url: cloud.url,
    anonKey: cloud.anonKey,
    serviceKey: cloud.serviceKey,
    jwtSecret: cloud.jwtSecret,
    pgUrl: cloud.pgUrl,
    adminPgUrl: cloud.adminPgUrl,
  });
  return async () => {
    await cloud.stop();
    if (clusters) rmSync(clusters, { recursive: true, force: true });
  };
}
