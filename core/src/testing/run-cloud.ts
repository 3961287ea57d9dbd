import { inject } from 'vitest';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one local cloud, started by the root vitest global setup. */
    cloud: TestCloud;
  }
}

/**
 * The test run's cloud, as the root vitest global setup provides it (`inject('cloud')`):
 * the default of every helper of this kit that reaches a cloud.
 *
 * @example
 * const cloud = testCloud();
 * await installCloudSchema([notesPlugin], cloud);
 */
export function testCloud(): TestCloud {
  return inject('cloud');
}

/**
 * What the kit needs of a cloud to open devices against it: the shared one, or one a
 * test file starts itself (a `LocalCloud` has all of it).
 *
 * @example
 * const own: DeviceCloud = await startLocalCloud({ dataDir });
 */
export type DeviceCloud = Pick<TestCloud, 'url' | 'anonKey' | 'jwtSecret'>;
