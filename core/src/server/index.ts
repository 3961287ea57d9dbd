/**
 * `@equinox-sync/core/server` — the cloud side: compiles the plugins' declarations into
 * the Postgres schema, functions and row-level security a Supabase project (or the local
 * cloud) runs, and names the protocol constants that schema is built for.
 *
 * For: tools that install or check the cloud schema (`equinox cloud sql`, the local
 * cloud, deploy scripts, tests).
 *
 * Stability: the exported names follow semver like the package. The generated SQL is not
 * an API: it changes with `SYNC_PROTOCOL_VERSION`, which a device checks against the
 * cloud's before it syncs; regenerate and apply it on every upgrade.
 *
 * @example
 * import { compileServerSchema } from '@equinox-sync/core/server';
 * process.stdout.write(compileServerSchema(definitions)); // > supabase/migrations/<ts>_equinox.sql
 */
export { compileServerSchema } from './compile-server-schema.js';
export { LIVE_CHANNEL_POLICY } from './live-nudges-sql.js';
export { POSTGRES_TYPES } from './postgres-columns.js';
export { MAX_PULL_LIMIT } from './pull-function-sql.js';
export { PRIVATE_SCHEMA } from './sql-text.js';
export { SYNC_PROTOCOL_VERSION } from '../remote/remote-protocol.js';
export type { PluginDefinition } from '../declarations/index.js';
