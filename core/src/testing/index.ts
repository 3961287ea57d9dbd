/**
 * `@equinox-sync/core/testing` — fixtures for tests of the engine and of plugins, against
 * real SQLite files and the local cloud of the run (the root vitest global setup starts
 * it and provides it as `inject('cloud')`; every helper here takes another one too).
 *
 * For: this repository's test suites and plugin authors' own. Not for code that ships:
 * it imports vitest and `@equinox-sync/local-cloud`.
 *
 * Stability: follows the package's version, but may grow between minor releases.
 *
 * @example
 * import { awaitInSync, installCloudSchema, openDevice, uniqueTenant } from '@equinox-sync/core/testing';
 * await installCloudSchema([notesPlugin]);
 * const tenant = uniqueTenant('notes');
 * const till = await openDevice({ name: 'till', tenant, plugins: [notesPlugin] });
 * const office = await openDevice({ name: 'office', tenant, plugins: [notesPlugin] });
 * till.store.forPlugin('notes').insert('notes', { body: 'hello' });
 * await awaitInSync([till, office]);
 */
export { awaitInSync, syncUntil, type InSyncOptions, type InSyncReport, type SyncingDevice } from './await-in-sync.js';
export { installCloudSchema } from './install-cloud-schema.js';
export { cloudDatabase } from './cloud-database.js';
export { cloudRest, type RestAnswer } from './cloud-rest.js';
export { cloudRows, localRows, pickColumns } from './device-rows.js';
export { deviceRemote, deviceToken, masterToken } from './device-tokens.js';
export { disposeAfterTest } from './dispose-after-test.js';
export { eventually, sleep } from './polling.js';
export { nextHlc } from './next-hlc.js';
export { openPluginDevice, type PluginDevice, type PluginDeviceOptions } from './plugin-device.js';
export { prng } from './prng.js';
export { hasIds, pullAll, type Pulled } from './pull-all.js';
export { pushRows } from './push-rows.js';
export { rewritingPulls } from './rewriting-pulls.js';
export { withSuperuser } from './superuser.js';
export { explainAsDevice, readsTable, rowsTouched, type PlanNode, type RanStatement } from './statement-plans.js';
export { sqlite3, sqlite3Rows, systemSqliteVersion, type SqliteRun } from './sqlite3-cli.js';
export { supabaseClient } from './supabase-client.js';
export { testCloud, type DeviceCloud } from './run-cloud.js';
export { tempDir } from './temp-dir.js';
export { openStore, tempDbPath } from './test-store.js';
export { openDevice, type TestDevice, type TestDeviceOptions } from './test-device.js';
export { uniqueName, uniqueSuffix, uniqueTenant } from './unique-names.js';
