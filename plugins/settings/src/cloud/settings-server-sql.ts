import { backOfficeSql } from './back-office-sql.js';
import { deviceWritesSql } from './device-writes-sql.js';
import { helpersSql } from './helpers-sql.js';
import { pushGateSql } from './push-gate-sql.js';
import { registerDeviceSql } from './register-device-sql.js';

/**
 * Serialises concurrent runs (two deploys, two test files): two concurrent
 * `create or replace function` of one function fail with "tuple concurrently updated".
 */
const MIGRATION_LOCK_KEY = 7_310_593_142_305_033;

/**
 * The settings plugin's cloud SQL, appended by `compileServerSchema` after core's
 * tables (it expects `public.settings` and `public.licenses`). Idempotent, no extension,
 * runs unchanged on Supabase. It adds:
 *
 * - `public.licensed_devices` and `public.settings_register_device(p_device)`, the
 *   licence check devices make before uploading (see {@link registerDeviceSql});
 * - `public.settings_put` and `public.settings_put_licence`, the back office's writes,
 *   service role only (see {@link backOfficeSql});
 * - the guard of devices' settings writes: reserved `licence.*` keys refused, derived
 *   ids required (see {@link deviceWritesSql});
 * - the licence enforced on every device's push, core's push gate `settings.licence`
 *   (see {@link pushGateSql}).
 *
 * Licences themselves need nothing here: core makes a download-only table select-only
 * for devices, so only the service role writes them.
 *
 * @example
 * await applySql(cloud, compileServerSchema([settingsPlugin])); // includes this
 */
export const SETTINGS_SERVER_SQL = `-- @equinox-sync/plugin-settings: licence checks and back-office writes. Idempotent.
select pg_catalog.pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});

${helpersSql()}

${deviceWritesSql()}

${registerDeviceSql()}

${pushGateSql()}

${backOfficeSql()}
`;
