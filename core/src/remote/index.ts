export * from './remote-protocol.js';
export * from './remote-store.js';
export * from './remote-errors.js';
export { isRetryableFailure, redactSecrets, toRemoteError, type FailureContext, type RemoteFailure } from './remote-error-mapping.js';
export { SupabaseRemote, type SupabaseConnection, type SupabaseRemoteOptions } from './supabase-remote.js';
