/**
 * @equinox-sync/local-cloud — a real Supabase-compatible cloud on one machine:
 * embedded Postgres + PostgREST + a gateway serving Supabase's paths.
 */
export { startLocalCloud, type LocalCloud, type LocalCloudOptions } from './local-cloud.js';
export {
  deviceClaims,
  TokenMinter,
  type DeviceIdentity,
  type DeviceMetadata,
  type MintOptions,
  type SupabaseRole,
  type TokenClaims,
} from './tokens.js';
export { readCloudState, cloudStatePath, type CloudState } from './cloud-state.js';
export { awaitCloudState, type AwaitCloudOptions } from './cloud-await.js';
export { CloudRunningError } from './cloud-lock.js';
export { isProcessAlive } from './process-alive.js';
export { OWNER_ROLE } from './bootstrap-sql.js';
export { MAX_ROWS } from './postgrest-server.js';
export { loadOrCreateSecrets, type CloudSecrets } from './cloud-secrets.js';
export { applySql, type CloudCoordinates } from './cloud-admin.js';
export { removeCloudData } from './cluster-location.js';
export { privateDir, writePrivateFile } from './private-files.js';
