/**
 * @equinox-sync/core — the domain-free engine: plugin declarations, the local store,
 * the remote port, the sync pipeline and conflict resolution.
 */
export * from './declarations/index.js';
export * from './clock/index.js';
export * from './store/index.js';
export * from './server/index.js';
export * from './remote/index.js';
export * from './sync/index.js';
export * from './engine/index.js';
export * from './recovery/index.js';
export * from './plugin-api/api-token.js';
export * from './plugin-api/plugin-store.js';
export * from './plugin-api/plugin-context.js';
