import type { TestProject } from 'vitest/node';
import { startLocalCloud } from '@equinox-sync/local-cloud';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    cloud: TestCloud;
  }
}

/** Starts one local cloud per test run; tests isolate themselves by tenant or schema. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cloud = await startLocalCloud();
  project.provide('cloud', {
    url: cloud.url,
    anonKey: cloud.anonKey,
    serviceKey: cloud.serviceKey,
    jwtSecret: cloud.jwtSecret,
    pgUrl: cloud.pgUrl,
  });
  return () => cloud.stop();
}
