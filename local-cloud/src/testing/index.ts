/** Test utilities: a loopback fault proxy, the test run's cloud coordinates. Import from `@equinox-sync/local-cloud/testing`. */
export { startFaultProxy, type FaultMode, type FaultProxy } from './fault-proxy.js';
export type { TestCloud } from './test-cloud.js';
export { isProcessAlive } from '../process-alive.js';
export { readCloudRows, type CloudReadAccess } from './cloud-rows.js';
export { disconnectRealtime, type RealtimeAdminAccess } from './realtime-disconnect.js';
