import { applySql } from '@equinox-sync/local-cloud';
import type { TestCloud } from '@equinox-sync/local-cloud/testing';
import type { PluginDefinition } from '../declarations/index.js';
import { compileServerSchema } from '../server/index.js';
import { testCloud } from './run-cloud.js';

/**
 * Compiles the plugins' cloud schema and applies it, as a deploy would. Test files
 * installing at the same time take turns (`applySql` holds an advisory lock).
 *
 * @example
 * await installCloudSchema([notesPlugin]);
 */
export async function installCloudSchema(plugins: readonly PluginDefinition[], cloud: Pick<TestCloud, 'url' | 'serviceKey' | 'pgUrl'> = testCloud()): Promise<void> {
  await applySql(cloud, compileServerSchema(plugins));
}
